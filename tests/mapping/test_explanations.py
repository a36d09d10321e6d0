"""Every criterion's result carries the actual and expected values and a readable message."""

from __future__ import annotations

from mapping.matching import BusinessFacts, HouseholdFacts, Result, evaluate_rule

FAMILY = HouseholdFacts(
    household_id=1,
    village_code="32.73.16.1002",
    head_age=43,
    pkh_status="active",
    prse=None,
    businesses=(BusinessFacts(business_id=7, sector="culinary", age_months=3, has_halal=False),),
)
RULE = {
    "all": [
        {"field": "head.age", "op": "between", "value": [20, 40]},
        {
            "any": [
                {"field": "business.age_months", "op": "ge", "value": 6},
                {"field": "household.pkh_status", "op": "eq", "value": "graduated_self_sufficient"},
            ]
        },
        {"not": {"field": "business.has_halal", "op": "eq", "value": True}},
        {"field": "household.prse", "op": "eq", "value": True},
    ]
}


def test_reasons_name_values_paths_and_questions() -> None:
    result, reasons, fails, unknowns = evaluate_rule(RULE, FAMILY.fact_rows()[0], lang="id")
    assert result is Result.failed and (fails, unknowns) == (2, 1)  # age; the easier branch of "any"; PRSE unknown
    by_path = {r.path: r for r in reasons}
    assert set(by_path) == {"all[0]", "all[1].any[0]", "all[1].any[1]", "all[2].not", "all[3]"}
    age = by_path["all[0]"]
    assert (age.actual, age.expected, age.result) == (43, [20, 40], Result.failed)
    assert age.message == "Usia kepala keluarga 43, program meminta 20–40"
    assert by_path["all[1].any[0]"].message == "Lama usaha (bulan) 3, program meminta ≥ 6"
    assert by_path["all[1].any[1]"].message == "Status PKH aktif, program meminta graduasi sejahtera mandiri"
    prse = by_path["all[3]"]
    assert prse.result is Result.unknown and prse.actual is None
    assert prse.message == "Belum ada data terdaftar PRSE: periksa apakah terdaftar sebagai PRSE"


def test_a_criterion_under_not_reports_what_it_means_for_the_family() -> None:
    _, reasons, _, _ = evaluate_rule(RULE, FAMILY.fact_rows()[0], lang="en")
    halal = next(r for r in reasons if r.path == "all[2].not")
    # No halal certificate yet, and the programme is for businesses without one: this counts in favour.
    assert halal.result is Result.passed
    assert halal.message == "Has a halal certificate no, the programme asks for no"
