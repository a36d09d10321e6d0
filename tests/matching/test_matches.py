"""A family's matches, built from factories on a database holding only the regions."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.users import Role
from tests.conftest import sign_in
from tests.factories import PASSWORD, business, facilitator, household, organization, program, user

AGE_30_TO_50 = {"field": "head.age", "op": "between", "value": [30, 50]}
DECILE_UP_TO_4 = {"field": "household.dtsen_decile", "op": "le", "value": 4}
HAS_NIB = {"field": "business.has_nib", "op": "eq", "value": True}


def test_list_matches_puts_eligible_first_then_unknown_then_near_misses(
    bare_session: Session, bare_client: TestClient
) -> None:
    session = bare_session
    pendamping = facilitator(session)
    family = household(session, facilitator=pendamping, head_birth_date=date(1985, 6, 1))  # no DTSEN decile
    business(session, family, sector="culinary", needs=["capital"], has_nib=False)
    org = organization(session)
    fits = program(session, org, name="Modal Usaha", kind="capital_grant", eligibility={"all": [AGE_30_TO_50]})
    maybe = program(session, org, name="Pelatihan Desil", eligibility={"all": [AGE_30_TO_50, DECILE_UP_TO_4]})
    misses = program(session, org, name="Sertifikasi", kind="certification", eligibility={"all": [HAS_NIB]})
    program(session, org, name="Program Jakarta", service_area=["31.75"])  # another regency: never listed
    account = user(session, Role.facilitator, facilitator=pendamping)
    session.commit()

    headers = sign_in(bare_client, account.username, PASSWORD)
    body = bare_client.get(f"/api/v1/households/{family.id}/matches?lang=en", headers=headers).json()

    assert [m["program_id"] for m in body["matches"]] == [fits.id, maybe.id, misses.id]
    assert [m["status"] for m in body["matches"]] == ["eligible", "unknown", "ineligible"]
    assert body["counts"] == {"eligible": 1, "unknown": 1, "ineligible": 1}
    unknown = next(r for r in body["matches"][1]["reasons"] if r["result"] == "unknown")
    assert unknown["field"] == "household.dtsen_decile"
    failing = next(r for r in body["matches"][2]["reasons"] if r["result"] == "fail")
    assert failing["field"] == "business.has_nib"


def test_matches_of_another_facilitators_family_answer_404(bare_session: Session, bare_client: TestClient) -> None:
    session = bare_session
    mine, theirs = facilitator(session), facilitator(session)
    their_family = household(session, facilitator=theirs)
    account = user(session, Role.facilitator, facilitator=mine)
    session.commit()

    headers = sign_in(bare_client, account.username, PASSWORD)
    response = bare_client.get(f"/api/v1/households/{their_family.id}/matches", headers=headers)

    assert response.status_code == 404
    assert response.json() == {"detail": f"Household {their_family.id} not found"}
