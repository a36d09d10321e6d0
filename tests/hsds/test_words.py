"""Rule trees in plain words (eligibility_description) and the age bounds HSDS carries."""

from __future__ import annotations

from typing import Any

import pytest

from service import hsds


def crit(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def test_a_tree_reads_as_all_of_with_nested_groups() -> None:
    rule = {
        "all": [
            crit("head.sex", "eq", "F"),
            crit("household.region", "within", ["32.73"]),
            {"any": [crit("business.age_months", "ge", 6), crit("history.completed_programs", "contains", 7)]},
            {"not": crit("household.pkh_status", "in", ["exited", "graduated_natural"])},
            crit("business.has_halal", "ne", True),
        ]
    }
    words = hsds.describe_rule(rule, "id", {"32.73": "KOTA BANDUNG"}, {7: "Pelatihan Jakpreneur"})
    assert words == (
        "Semua syarat: Jenis kelamin kepala keluarga: perempuan; "
        "Wilayah tempat tinggal: di wilayah KOTA BANDUNG (32.73); "
        "salah satu dari: [Lama usaha (bulan): ≥ 6; Program yang sudah diselesaikan: mencakup Pelatihan Jakpreneur]; "
        "bukan: [Status PKH: salah satu dari keluar, graduasi alami]; "
        "Memiliki sertifikat halal: tidak"
    )
    english = hsds.describe_rule(rule, "en", {}, {})
    assert english.startswith("All of these: Head's sex: female; Home region: within 32.73; one of: [")
    assert "Programmes completed: includes #7" in english


def test_open_programmes_and_single_criteria() -> None:
    assert hsds.describe_rule(None, "id") == "Program terbuka untuk semua KPM"
    assert hsds.describe_rule({}, "en") == "The programme is open to every KPM"
    assert hsds.describe_rule(crit("household.prse", "eq", True), "id") == "Semua syarat: Terdaftar PRSE: ya"
    assert hsds.describe_rule({"any": [crit("head.age", "le", 30)]}, "id") == (
        "Salah satu dari: Usia kepala keluarga: ≤ 30"
    )


@pytest.mark.parametrize(
    ("rule", "bounds"),
    [
        (None, (None, None)),
        (crit("head.age", "between", [20, 40]), (20, 40)),
        ({"all": [crit("head.age", "ge", 18), {"all": [crit("head.age", "lt", 60)]}]}, (18, 59)),
        ({"all": [crit("head.age", "gt", 17), crit("head.age", "le", 64.5)]}, (18, 64.5)),
        ({"all": [crit("head.age", "in", [25, 30, 35])]}, (25, 35)),
        ({"all": [crit("head.age", "between", [20, 50]), crit("head.age", "between", [30, 60])]}, (30, 50)),
        ({"any": [crit("head.age", "ge", 18), crit("business.exists", "eq", True)]}, (None, None)),
        ({"not": crit("head.age", "ge", 60)}, (None, None)),
        ({"all": [crit("head.age", "ne", 40), crit("head.age", "exists", True)]}, (None, None)),
    ],
)
def test_age_bounds_come_only_from_criteria_everyone_must_meet(rule: Any, bounds: tuple[Any, Any]) -> None:
    assert hsds.age_bounds(rule) == bounds


def test_ids_are_uuid5_of_the_jejaring_namespace_and_stable() -> None:
    assert hsds.service_uuid(1) == hsds.service_uuid(1) != hsds.organization_uuid(1)
    # Published ids must never move: pin one (uuid5 of the namespace and "service:1").
    assert hsds.service_uuid(1) == "27843f27-ee2a-5c1d-b4ab-80bd19246915"
    assert hsds.parse_uuid(hsds.service_uuid(12).upper()) == hsds.service_uuid(12)
    assert hsds.parse_uuid("12") is None
    assert len({t.id for t in hsds.TERMS.values()}) == len(hsds.TERMS) == 7 + 9 + 9 + 8
