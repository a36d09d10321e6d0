"""Which programmes a family qualifies for, and why: the demo truths, ranking, screening, preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping.matching import evaluate_program
from mapping.privacy import withhold
from models.households import Business, Household
from models.organizations import Program
from models.users import User
from seeds.demo import DEMO_CASES
from service import matching as svc
from service.core.scope import within
from tests.conftest import settings_for

Headers = Callable[[str], dict[str, str]]
KJ, JAKTIM = "pendamping.kebonjayanti", "pendamping.jaktim"
PENA_BERDIKARI = "PENA Berdikari"
PENA_REGULER = "PENA Reguler"
DINSOS_BANDUNG = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"
JAKPRENEUR_TRAINING = "Jakpreneur: Pelatihan Kewirausahaan KPM"


def household_id(session: Session, case: str) -> int:
    household = session.exec(select(Household).where(Household.pkh_id == DEMO_CASES[case])).one()
    assert household.id is not None
    return household.id


def matches(client: TestClient, headers: dict[str, str], hid: int, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/households/{hid}/matches", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def match_named(body: dict[str, Any], name: str) -> dict[str, Any]:
    found = [m for m in body["matches"] if m["program_name"] == name]
    assert len(found) == 1, [m["program_name"] for m in body["matches"]]
    return found[0]


def reason(match: dict[str, Any], field: str) -> dict[str, Any]:
    found = [r for r in match["reasons"] if r["field"] == field]
    assert found, match["reasons"]
    return found[0]


# --- the demo truths (issue 3, "done when") -------------------------------------------------------


def test_35_year_old_with_a_culinary_business_who_agreed_is_eligible_for_pena_berdikari(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    body = matches(client, as_user(KJ), household_id(session, "kebon_jayanti_age35_culinary"))
    pena = match_named(body, PENA_BERDIKARI)
    assert pena["status"] == "eligible"
    assert pena["organization_name"] == "Kementerian Sosial Republik Indonesia"
    age = reason(pena, "head.age")
    assert (age["result"], age["actual"], age["expected"]) == ("pass", 35, [20, 40])
    assert age["message"] == "Usia kepala keluarga 35, program meminta 20–40"
    assert all(r["result"] == "pass" for r in pena["reasons"])
    assert pena["distance_km"] is not None and 0 < pena["distance_km"] < 30
    assert set(pena["score_parts"]) == {"need_fit", "distance", "capacity", "deadline"}


def test_43_year_old_is_ineligible_for_pena_with_the_age_reason(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid = household_id(session, "kebon_jayanti_age43_culinary")
    pena = match_named(matches(client, as_user(KJ), hid), PENA_BERDIKARI)
    assert pena["status"] == "ineligible" and pena["failing"] == 1
    age = reason(pena, "head.age")
    assert age["result"] == "fail" and age["actual"] == 43
    assert age["message"] == "Usia kepala keluarga 43, program meminta 20–40"
    english = match_named(matches(client, as_user(KJ), hid, lang="en"), PENA_BERDIKARI)
    assert reason(english, "head.age")["message"] == "Head's age 43, the programme asks for 20–40"


def test_prse_woman_is_eligible_for_dinas_sosial_and_a_non_prse_woman_is_not(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    prse = match_named(matches(client, as_user(KJ), household_id(session, "kebon_jayanti_prse_woman")), DINSOS_BANDUNG)
    assert prse["status"] == "eligible"
    assert prse["organization_name"] == "Dinas Sosial Kota Bandung"
    other = match_named(
        matches(client, as_user(KJ), household_id(session, "kebon_jayanti_non_prse_woman")), DINSOS_BANDUNG
    )
    assert other["status"] == "ineligible"
    assert reason(other, "household.prse")["result"] == "fail"


def test_jakpreneur_needs_a_business_older_than_three_months(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    young = match_named(
        matches(client, as_user(JAKTIM), household_id(session, "jaktim_business_3_months")), JAKPRENEUR_TRAINING
    )
    assert young["status"] == "ineligible"
    age = reason(young, "business.age_months")
    assert (age["result"], age["actual"]) == ("fail", 3)
    older = match_named(
        matches(client, as_user(JAKTIM), household_id(session, "jaktim_business_8_months")), JAKPRENEUR_TRAINING
    )
    assert older["status"] == "eligible"
    graduated = match_named(
        matches(client, as_user(JAKTIM), household_id(session, "jaktim_graduated_business_2_months")),
        JAKPRENEUR_TRAINING,
    )
    assert graduated["status"] == "eligible", "graduated families qualify through the other branch"


def test_missing_start_date_gives_unknown_with_the_question_to_ask(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid = household_id(session, "kebon_jayanti_business_no_start_date")
    reguler = match_named(matches(client, as_user(KJ), hid), PENA_REGULER)
    assert reguler["status"] == "unknown" and reguler["unknowns"] == 1
    missing = reason(reguler, "business.age_months")
    assert missing["result"] == "unknown" and missing["actual"] is None
    assert "tanyakan sejak kapan usaha berjalan" in missing["message"]
    english = match_named(matches(client, as_user(KJ), hid, lang="en"), PENA_REGULER)
    assert "ask since when the business has run" in reason(english, "business.age_months")["message"]


# --- ranking, paging, catalogue changes -----------------------------------------------------------


def test_matches_are_ranked_eligible_then_unknown_then_near_misses(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    body = matches(client, as_user(KJ), household_id(session, "kebon_jayanti_business_no_start_date"))
    band = {"eligible": 0, "unknown": 1, "ineligible": 2}
    keys = [
        (band[m["status"]], {"eligible": 0, "unknown": m["unknowns"], "ineligible": m["failing"]}[m["status"]])
        for m in body["matches"]
    ]
    assert keys == sorted(keys)
    for a, b in zip(body["matches"], body["matches"][1:], strict=False):
        if (a["status"], a["unknowns"], a["failing"]) == (b["status"], b["unknowns"], b["failing"]):
            assert a["score"] >= b["score"]
    assert [m["status"] for m in body["matches"]].count("unknown") >= 1
    assert body["counts"] == {s: sum(m["status"] == s for m in body["matches"]) for s in band}
    assert body["total"] == len(body["matches"])


def test_every_listed_status_is_what_the_single_household_evaluator_says(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    """The compiled catalogue and the plain evaluator agree on the demo's real programmes."""
    for case in ("kebon_jayanti_age35_culinary", "kebon_jayanti_prse_woman", "kebon_jayanti_business_no_start_date"):
        hid = household_id(session, case)
        household = session.get(Household, hid)
        assert household is not None
        facts = svc.household_facts(session, [household], today=settings_for("sqlite://").today())[0]
        programs = {p.program_id: p for p in svc.published_catalog(session).compiled.programs}
        for m in matches(client, as_user(KJ), hid)["matches"]:
            expected = evaluate_program(facts, programs[m["program_id"]], today=settings_for("sqlite://").today())
            assert m["status"] == expected.status.value
            assert m["failing"] == expected.fails and m["unknowns"] == expected.unknowns


def test_paging_and_leaving_out_ineligible(client: TestClient, session: Session, as_user: Headers) -> None:
    hid = household_id(session, "kebon_jayanti_age35_culinary")
    everything = matches(client, as_user(KJ), hid)
    first = matches(client, as_user(KJ), hid, limit=2)
    rest = matches(client, as_user(KJ), hid, limit=50, offset=2)
    assert [m["program_id"] for m in first["matches"] + rest["matches"]] == [
        m["program_id"] for m in everything["matches"]
    ]
    assert first["total"] == everything["total"] and first["limit"] == 2
    hopeful = matches(client, as_user(KJ), hid, include_ineligible="false")
    assert hopeful["matches"] and all(m["status"] != "ineligible" for m in hopeful["matches"])
    assert hopeful["total"] == everything["counts"]["eligible"] + everything["counts"]["unknown"]


def test_only_programmes_serving_the_familys_city_are_listed(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    body = matches(client, as_user(KJ), household_id(session, "kebon_jayanti_age35_culinary"))
    names = {m["program_name"] for m in body["matches"]}
    assert JAKPRENEUR_TRAINING not in names, "a Jakarta Timur programme is not offered in Kota Bandung"


def test_a_programme_change_shows_at_once(client: TestClient, session: Session, as_user: Headers) -> None:
    hid = household_id(session, "kebon_jayanti_age35_culinary")
    assert match_named(matches(client, as_user(KJ), hid), PENA_BERDIKARI)["status"] == "eligible"
    program = session.exec(select(Program).where(Program.name == PENA_BERDIKARI)).one()
    tighter = {"all": [{"field": "head.age", "op": "between", "value": [20, 30]}]}
    patched = client.patch(
        f"/api/v1/programs/{program.id}",
        json={"version": program.version, "eligibility": tighter},
        headers=as_user("admin"),
    )
    assert patched.status_code == 200, patched.text
    pena = match_named(matches(client, as_user(KJ), hid), PENA_BERDIKARI)
    assert pena["status"] == "ineligible"
    assert reason(pena, "head.age")["message"] == "Usia kepala keluarga 35, program meminta 20–30"
    full = client.patch(
        f"/api/v1/programs/{program.id}",
        json={"version": patched.json()["version"], "eligibility": None, "capacity": 10, "capacity_remaining": 0},
        headers=as_user("admin"),
    )
    assert full.status_code == 200, full.text
    pena = match_named(matches(client, as_user(KJ), hid), PENA_BERDIKARI)
    assert pena["status"] == "ineligible"
    assert reason(pena, "program.capacity")["message"] == "Kuota program sudah habis"


def test_matches_respect_who_is_asking(client: TestClient, session: Session, as_user: Headers) -> None:
    hid = household_id(session, "kebon_jayanti_age35_culinary")
    assert client.get(f"/api/v1/households/{hid}/matches", headers=as_user("admin")).status_code == 200
    for user in (JAKTIM, "dinsos.bandung", "forum.bandung"):
        response = client.get(f"/api/v1/households/{hid}/matches", headers=as_user(user))
        assert response.status_code in (403, 404), user
        assert "Warung" not in response.text and DEMO_CASES["kebon_jayanti_age35_culinary"] not in response.text
    missing = client.get("/api/v1/households/999999/matches", headers=as_user(KJ))
    assert missing.status_code == 404 and missing.json()["detail"] == "Household 999999 not found"
    assert client.get(f"/api/v1/households/{hid}/matches").status_code == 401


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "limit"), ({"lang": "fr"}, "lang"), ({"offset": -1}, "offset")]
)
def test_bad_match_parameters_say_what_to_fix(
    client: TestClient, session: Session, as_user: Headers, params: dict[str, Any], field: str
) -> None:
    hid = household_id(session, "kebon_jayanti_age35_culinary")
    response = client.get(f"/api/v1/households/{hid}/matches", params=params, headers=as_user(KJ))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


# --- screening ------------------------------------------------------------------------------------


def caseload_ids(session: Session, username: str) -> list[int]:
    user = session.exec(select(User).where(User.username == username)).one()
    return list(
        session.exec(select(Household.id).where(Household.facilitator_id == user.facilitator_id).order_by(Household.id))
    )


def test_screening_the_whole_caseload_agrees_with_each_familys_matches(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    response = client.post("/api/v1/screenings", json={"region": "32.73.16.1002"}, headers=as_user(KJ))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["screened"] == len(caseload_ids(session, KJ)) == 350 and body["left_out"] == 0
    by_id = {h["household_id"]: h for h in body["households"]}
    for case in ("kebon_jayanti_age35_culinary", "kebon_jayanti_age43_culinary", "kebon_jayanti_prse_woman"):
        hid = household_id(session, case)
        listed = matches(client, as_user(KJ), hid)["matches"]
        for status in ("eligible", "unknown"):
            assert {m["program_id"] for m in listed if m["status"] == status} <= set(by_id[hid][status])
    pena = next(p for p in body["programs"] if p["program_name"] == PENA_BERDIKARI)
    assert pena["eligible"] == sum(pena["program_id"] in h["eligible"] for h in body["households"]) > 0


def test_screening_with_a_business_filter(client: TestClient, session: Session, as_user: Headers) -> None:
    body = client.post("/api/v1/screenings", json={"has_business": True}, headers=as_user(KJ)).json()
    own = set(caseload_ids(session, KJ))
    with_business = set(session.exec(select(Business.household_id).where(Business.household_id.in_(own))))  # type: ignore[attr-defined]
    assert {h["household_id"] for h in body["households"]} == with_business
    assert body["screened"] == len(with_business) == 80


def test_screening_other_peoples_households_only_says_how_many_were_left_out(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    own = caseload_ids(session, KJ)[:3]
    others = caseload_ids(session, JAKTIM)[:2]
    response = client.post("/api/v1/screenings", json={"household_ids": own + others + [999999]}, headers=as_user(KJ))
    assert response.status_code == 200
    body = response.json()
    assert sorted(h["household_id"] for h in body["households"]) == own
    assert body["left_out"] == 3 and body["screened"] == 3


def test_agencies_and_organisers_cannot_screen_households(client: TestClient, as_user: Headers) -> None:
    for user in ("dinsos.bandung", "forum.bandung"):
        response = client.post("/api/v1/screenings", json={"has_business": True}, headers=as_user(user))
        assert response.status_code == 403, user


def test_a_screening_needs_a_selection_and_real_regions(client: TestClient, as_user: Headers) -> None:
    empty = client.post("/api/v1/screenings", json={}, headers=as_user(KJ))
    assert empty.status_code == 422 and "household_ids" in empty.json()["detail"][0]["msg"]
    unknown = client.post("/api/v1/screenings", json={"region": "99.99"}, headers=as_user(KJ))
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "region"]


# --- rule preview (agencies, organisers) ----------------------------------------------------------


def test_agency_previews_a_draft_rule_as_counts_only(client: TestClient, session: Session, as_user: Headers) -> None:
    rule = {"all": [{"field": "business.sector", "op": "eq", "value": "culinary"}]}
    response = client.post(
        "/api/v1/programs/preview",
        json={"eligibility": rule, "service_area": ["32.73"]},
        headers=as_user("dinsos.bandung"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "households_in_area",
        "eligible",
        "unknown",
        "ineligible",
        "withheld_below",
        "rounded_to",
        "withheld_reason",
    }
    in_area = session.exec(select(Household).where(within(Household.village_code, "32.73"))).all()
    culinary = {
        b.household_id
        for b in session.exec(select(Business).where(Business.household_id.in_([h.id for h in in_area])))  # type: ignore[attr-defined]
        if b.sector == "culinary"
    }
    # Shown rounded to multiples of 5 (issue 15 #1).
    assert body["households_in_area"] == withhold(len(in_area)) and body["rounded_to"] == 5
    assert body["eligible"] == withhold(len(culinary)) > 0
    assert abs(body["eligible"] + body["unknown"] + body["ineligible"] - len(in_area)) <= 6


def test_preview_rejects_a_bad_rule_at_its_path_and_facilitators(client: TestClient, as_user: Headers) -> None:
    bad = {"all": [{"field": "head.age", "op": "between", "value": [20]}]}
    response = client.post(
        "/api/v1/programs/preview",
        json={"eligibility": bad, "service_area": ["32.73"]},
        headers=as_user("forum.bandung"),
    )
    assert response.status_code == 422
    assert "eligibility.all[0].value" in response.json()["detail"][0]["msg"]
    rule = {"field": "head.age", "op": "ge", "value": 20}
    denied = client.post(
        "/api/v1/programs/preview", json={"eligibility": rule, "service_area": ["32.73"]}, headers=as_user(KJ)
    )
    assert denied.status_code == 403


def test_preview_withholds_counts_that_could_single_out_a_family(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    # Only the demo's 35-year-old culinary case in Kebon Jayanti is exactly 35 with 24 months of business.
    rule = {
        "all": [
            {"field": "head.age", "op": "eq", "value": 35},
            {"field": "business.age_months", "op": "eq", "value": 24},
            {"field": "business.sector", "op": "eq", "value": "culinary"},
        ]
    }
    body = {"eligibility": rule, "service_area": ["32.73.16.1002"]}
    admin = client.post("/api/v1/programs/preview", json=body, headers=as_user("admin")).json()
    assert 1 <= admin["eligible"] < 5, admin
    for user in ("dinsos.bandung", "forum.bandung"):
        seen = client.post("/api/v1/programs/preview", json=body, headers=as_user(user)).json()
        assert seen["households_in_area"] == admin["households_in_area"] == 350
        assert seen["eligible"] is None and seen["withheld_below"] == 5
        shown = [seen[k] for k in ("eligible", "unknown", "ineligible") if seen[k] is not None]
        assert len(shown) <= 1, "two shown counts and the total would give the withheld one away"


def test_a_page_can_keep_only_the_closest_misses(session: Session) -> None:
    household = session.get(Household, household_id(session, "kebon_jayanti_non_prse_woman"))
    assert household is not None
    today = settings_for("sqlite://").today()
    everything = svc.find_matches(session, household, today=today, lang="id")
    closest = svc.find_matches(session, household, today=today, lang="id", max_ineligible=2)
    assert everything.counts == closest.counts and everything.counts["ineligible"] > 2
    assert [m["program_id"] for m in closest.items] == [m["program_id"] for m in everything.items][: len(closest.items)]
    assert sum(m["status"] == "ineligible" for m in closest.items) == 2
