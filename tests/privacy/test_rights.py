"""UU PDP rights through the API: access, correction, restriction, erasure, consent withdrawal;
who may ask (the family's facilitator and admins; anyone else gets 404)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household
from models.organizations import Program
from models.privacy import DataSubjectRequest
from models.referrals import Referral
from models.users import User
from tests.conftest import DEMO_PASSWORDS, login_form

Headers = Callable[[str], dict[str, str]]
FACILITATOR = "pendamping.kebonjayanti"


def family_of(session: Session, username: str = FACILITATOR, *, with_referrals: bool = False) -> Household:
    """A household in the demo facilitator's care (one with referrals when asked)."""
    user = session.exec(select(User).where(User.username == username)).one()
    query = select(Household).where(Household.facilitator_id == user.facilitator_id).order_by(col(Household.id))
    if with_referrals:
        query = query.where(col(Household.id).in_(select(Referral.household_id)))
    household = session.exec(query).first()
    assert household is not None and household.id is not None
    return household


def url(household_id: int, what: str = "") -> str:
    return f"/api/v1/households/{household_id}/data-requests" + (f"/{what}" if what else "")


def eligible_unreferred_program(
    client: TestClient, session: Session, headers: dict[str, str], hid: int
) -> dict[str, Any]:
    matches = client.get(f"/api/v1/households/{hid}/matches", headers=headers)
    assert matches.status_code == 200, matches.text
    referred = {r.program_id for r in session.exec(select(Referral).where(Referral.household_id == hid))}
    for m in matches.json()["matches"]:
        if m["status"] == "eligible" and m["program_id"] not in referred:
            return dict(m)
    pytest.fail("no eligible programme left to refer the demo family to")


def test_access_export_gives_the_familys_data_sharing_consents_and_processing_log(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    household = family_of(session, with_referrals=True)
    hid = household.id
    assert hid is not None
    me = as_user(FACILITATOR)
    seen = client.get(f"/api/v1/households/{hid}", headers=me).json()
    changed = client.patch(f"/api/v1/households/{hid}", json={"version": seen["version"], "phone": "0812"}, headers=me)
    assert changed.status_code == 200, changed.text

    response = client.post(url(hid, "access"), json={"note": "asked at the group meeting"}, headers=me)
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["household"]["id"] == hid and export["household"]["head_name"] == household.head_name
    assert "nik_hash" not in export["household"] and "nik" not in export["household"]
    referral_count = len(session.exec(select(Referral).where(Referral.household_id == hid)).all())
    assert len(export["shared_with"]) == referral_count > 0
    assert all(s["organization_name"] and s["history"] for s in export["shared_with"])
    assert all(c["organization_name"] for c in export["consents"])
    updates = [e for e in export["processing_log"] if e["entity"] == "household" and e["action"] == "update"]
    assert updates and updates[-1]["actor_username"] == FACILITATOR and updates[-1]["actor_role"] == "facilitator"
    (request,) = export["requests"]
    assert request["kind"] == "access" and request["status"] == "completed"
    asked = datetime.fromisoformat(request["requested_at"])
    assert datetime.fromisoformat(request["due_at"]) - asked == timedelta(hours=72)
    facilitator_user = session.exec(select(User).where(User.username == FACILITATOR)).one()
    assert request["handled_by_user_id"] == facilitator_user.id

    listed = client.get(url(hid), headers=as_user("admin"))
    assert listed.status_code == 200 and [r["kind"] for r in listed.json()] == ["access"]


def test_a_request_made_yesterday_is_due_three_days_after_it_was_made(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    hid = family_of(session).id
    assert hid is not None
    asked = "2026-12-01T09:00:00+07:00"
    response = client.post(url(hid, "access"), json={"requested_at": asked}, headers=as_user("admin"))
    assert response.status_code == 200, response.text
    (request,) = response.json()["requests"]
    assert datetime.fromisoformat(request["due_at"]) == datetime.fromisoformat("2026-12-04T02:00:00+00:00")
    future = client.post(
        url(hid, "access"),
        json={"requested_at": "2999-01-01T00:00:00+00:00"},
        headers=as_user("admin"),
    )
    assert future.status_code == 422 and "future" in future.text


@pytest.mark.parametrize("who", ["pendamping.jaktim", "dinsos.bandung", "forum.bandung"])
def test_data_requests_of_a_family_outside_ones_care_answer_404(
    client: TestClient, as_user: Headers, session: Session, who: str
) -> None:
    household = family_of(session)
    hid = household.id
    assert hid is not None
    headers = as_user(who)
    assert client.get(url(hid), headers=headers).status_code == 404
    for what in ("access", "restriction", "lift-restriction", "erasure"):
        assert client.post(url(hid, what), json={}, headers=headers).status_code == 404, what
    correction = {"changes": {"version": household.version, "phone": "0"}}
    assert client.post(url(hid, "correction"), json=correction, headers=headers).status_code == 404
    assert session.exec(select(DataSubjectRequest)).all() == []
    session.refresh(household)
    assert household.anonymised_at is None and household.restricted_at is None


def test_correction_changes_the_record_and_is_recorded(client: TestClient, as_user: Headers, session: Session) -> None:
    household = family_of(session)
    hid = household.id
    assert hid is not None
    body = {
        "changes": {"version": household.version, "head_name": "Siti Corrected"},
        "note": "name misspelt",
    }
    response = client.post(url(hid, "correction"), json=body, headers=as_user(FACILITATOR))
    assert response.status_code == 200, response.text
    assert response.json()["head_name"] == "Siti Corrected"
    assert client.get(f"/api/v1/households/{hid}", headers=as_user(FACILITATOR)).json()["head_name"] == "Siti Corrected"
    (request,) = client.get(url(hid), headers=as_user(FACILITATOR)).json()
    assert request["kind"] == "correction" and request["note"] == "name misspelt"
    stale = client.post(url(hid, "correction"), json=body, headers=as_user(FACILITATOR))
    assert stale.status_code == 409
    assert len(client.get(url(hid), headers=as_user(FACILITATOR)).json()) == 1


def test_restriction_stops_matching_screening_plans_and_referrals_until_lifted(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    hid = family_of(session).id
    assert hid is not None
    me = as_user(FACILITATOR)
    program = eligible_unreferred_program(client, session, me, hid)
    org = session.exec(select(Program).where(Program.id == program["program_id"])).one().organization_id
    consent = client.post(f"/api/v1/households/{hid}/consents", json={"organization_id": org}, headers=me)
    assert consent.status_code == 201, consent.text

    restricted = client.post(url(hid, "restriction"), json={"note": "family objects"}, headers=me)
    assert restricted.status_code == 201, restricted.text
    assert client.post(url(hid, "restriction"), json={}, headers=me).status_code == 409
    matches = client.get(f"/api/v1/households/{hid}/matches", headers=me)
    assert matches.status_code == 409 and "restricted" in matches.json()["detail"]
    refer = client.post(
        "/api/v1/referrals",
        json={"household_id": hid, "program_id": program["program_id"]},
        headers=me,
    )
    assert refer.status_code == 409 and "restricted" in refer.json()["detail"]
    screening = client.post("/api/v1/screenings", json={"household_ids": [hid]}, headers=me)
    assert screening.status_code == 200 and screening.json()["households"] == []
    signed_in = client.post(
        "/login", data={"username": FACILITATOR, "password": DEMO_PASSWORDS[FACILITATOR], **login_form(client)}
    )
    assert signed_in.status_code == 200
    family_page = client.get(f"/kpm/{hid}")  # the family page opens, without matches
    assert family_page.status_code == 200 and "pembatasan pemrosesan datanya" in family_page.text
    assert client.get(f"/api/v1/households/{hid}", headers=me).status_code == 200  # still in the caseload

    lifted = client.post(url(hid, "lift-restriction"), json={}, headers=me)
    assert lifted.status_code == 201, lifted.text
    assert client.get(f"/api/v1/households/{hid}/matches", headers=me).status_code == 200
    screening = client.post("/api/v1/screenings", json={"household_ids": [hid]}, headers=me)
    assert [h["household_id"] for h in screening.json()["households"]] == [hid]
    refer = client.post(
        "/api/v1/referrals",
        json={"household_id": hid, "program_id": program["program_id"]},
        headers=me,
    )
    assert refer.status_code == 201, refer.text
    kinds = [r["kind"] for r in client.get(url(hid), headers=me).json()]
    assert kinds == ["restriction", "lift_restriction"]


def test_consent_withdrawal_stops_new_referrals_to_that_organisation(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    hid = family_of(session).id
    assert hid is not None
    me = as_user(FACILITATOR)
    program = eligible_unreferred_program(client, session, me, hid)
    org = session.exec(select(Program).where(Program.id == program["program_id"])).one().organization_id
    consent = client.post(f"/api/v1/households/{hid}/consents", json={"organization_id": org}, headers=me).json()
    withdrawn = client.delete(f"/api/v1/households/{hid}/consents/{consent['id']}", headers=me)
    assert withdrawn.status_code == 200, withdrawn.text
    refer = client.post(
        "/api/v1/referrals",
        json={"household_id": hid, "program_id": program["program_id"]},
        headers=me,
    )
    assert refer.status_code == 422 and refer.json()["detail"][0]["type"] == "consent_required"


def test_erasure_anonymises_the_family_and_no_one_reads_it_again(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    household = family_of(session, with_referrals=True)
    hid = household.id
    assert hid is not None
    name, nik_hash = household.head_name, household.nik_hash
    me = as_user(FACILITATOR)
    before = client.get("/api/v1/households?limit=200", headers=me).json()["total"]
    response = client.post(url(hid, "erasure"), json={"note": "family asked"}, headers=me)
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "erasure" and response.json()["status"] == "completed"

    for who in (FACILITATOR, "admin"):
        assert client.get(f"/api/v1/households/{hid}", headers=as_user(who)).status_code == 404
        assert client.get(f"/api/v1/households/{hid}/matches", headers=as_user(who)).status_code == 404
        assert client.post(url(hid, "access"), json={}, headers=as_user(who)).status_code == 404
    assert client.get("/api/v1/households?limit=200", headers=me).json()["total"] == before - 1

    session.expire_all()
    row = session.get(Household, hid)
    assert row is not None and row.anonymised_at is not None
    assert row.head_name != name and row.phone is None and row.address is None
    assert row.latitude is None and row.nik_masked == "****" and row.nik_hash != nik_hash
    kept = session.exec(select(Referral).where(Referral.household_id == hid)).all()
    assert kept and all(r.note is None and r.match is None for r in kept)
    assert all(r.status not in ("sent", "accepted", "enrolled") for r in kept)
    assert (
        session.exec(select(DataSubjectRequest).where(DataSubjectRequest.household_id == hid)).one().kind == "erasure"
    )
