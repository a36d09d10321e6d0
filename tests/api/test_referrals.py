"""The referral loop: consent, referring, the agency's moves, history, capacity, privacy, retries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.organizations import Organization, Program
from models.protection import hash_password
from models.users import Role, User
from seeds.demo import DEMO_CASES
from service.matching import household_facts
from tests.conftest import settings_for

Headers = Callable[[str], dict[str, str]]
KJ, JAKTIM = "pendamping.kebonjayanti", "pendamping.jaktim"
KEMENSOS = "Kementerian Sosial Republik Indonesia"
KEMENSOS_STAFF, KEMENSOS_PASSWORD = "staf.pena", "staf-pena-uji-2026"


def household_id(session: Session, case: str) -> int:
    household = session.exec(select(Household).where(Household.pkh_id == DEMO_CASES[case])).one()
    assert household.id is not None
    return household.id


def program(session: Session, name: str) -> Program:
    return session.exec(select(Program).where(Program.name == name)).one()


@pytest.fixture
def kemensos_staff(client: TestClient, session: Session) -> dict[str, str]:
    """A PENA officer of Kemensos: agency staff of the organisation that runs PENA."""
    org = session.exec(select(Organization).where(Organization.name == KEMENSOS)).one()
    session.add(
        User(
            username=KEMENSOS_STAFF,
            full_name="Petugas PENA (uji)",
            password_hash=hash_password(KEMENSOS_PASSWORD),
            role=Role.agency_staff,
            organization_id=org.id,
        )
    )
    session.commit()
    token = client.post("/api/v1/auth/token", data={"username": KEMENSOS_STAFF, "password": KEMENSOS_PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def consent(client: TestClient, headers: dict[str, str], hid: int, org_id: int, **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/households/{hid}/consents", json={"organization_id": org_id, **extra}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def refer(client: TestClient, headers: dict[str, str], hid: int, pid: int, key: str | None = None) -> Any:
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    body = {"household_id": hid, "program_id": pid, "note": "Usaha warung nasi"}
    return client.post("/api/v1/referrals", json=body, headers=headers)


def move(client: TestClient, headers: dict[str, str], rid: int, **body: Any) -> Any:
    return client.patch(f"/api/v1/referrals/{rid}", json=body, headers=headers)


def test_a_referral_to_pena_runs_from_facilitator_to_completion(
    client: TestClient, session: Session, as_user: Headers, kemensos_staff: dict[str, str]
) -> None:
    hid = household_id(session, "kebon_jayanti_age35_culinary")
    pena = program(session, "PENA Berdikari")
    seats_before = pena.capacity_remaining
    assert seats_before is not None and seats_before > 0
    consent(client, as_user(KJ), hid, pena.organization_id, share_phone=True)

    sent = refer(client, as_user(KJ), hid, pena.id, key="ref-0001")
    assert sent.status_code == 201, sent.text
    referral = sent.json()
    assert referral["status"] == "sent" and referral["match"]["status"] == "eligible"
    assert referral["program"]["name"] == "PENA Berdikari"

    inbox = client.get("/api/v1/referrals", params={"status": "sent"}, headers=kemensos_staff).json()
    incoming = {r["id"]: r for r in inbox["items"]}
    assert referral["id"] in incoming and all(r["status"] == "sent" for r in inbox["items"])
    assert all(r["program"]["organization_name"] == KEMENSOS for r in inbox["items"])
    seen = incoming[referral["id"]]["family"]
    assert seen["head_name"] and seen["village_name"] == "Kebon Jayanti" and seen["phone"]
    assert seen["businesses"][0]["sector"] == "culinary"

    rid = referral["id"]
    assert move(client, kemensos_staff, rid, status="accepted", note="Jadwal wawancara Senin").status_code == 200
    enrolled = move(client, kemensos_staff, rid, status="enrolled")
    assert enrolled.status_code == 200, enrolled.text
    session.expire_all()
    assert program(session, "PENA Berdikari").capacity_remaining == seats_before - 1
    outcome = {"benefit_amount": 2_400_000, "training_completed": True, "note": "Bantuan modal dan pelatihan"}
    done = move(client, kemensos_staff, rid, status="completed", outcome=outcome)
    assert done.status_code == 200, done.text
    assert done.json()["outcome"]["benefit_amount"] == 2_400_000

    for headers in (as_user(KJ), kemensos_staff):
        history = client.get(f"/api/v1/referrals/{rid}", headers=headers).json()
        steps = [(e["from_status"], e["to_status"]) for e in history["events"]]
        assert steps == [(None, "sent"), ("sent", "accepted"), ("accepted", "enrolled"), ("enrolled", "completed")]
        assert history["events"][1]["note"] == "Jadwal wawancara Senin"
    # The completed programme now counts in the family's history, for rules that ask for it.
    session.expire_all()
    family = session.get(Household, hid)
    assert family is not None
    facts = household_facts(session, [family], today=settings_for("sqlite://").today())[0]
    assert pena.id in facts.completed_programs


def test_a_retried_submit_creates_one_referral(client: TestClient, session: Session, as_user: Headers) -> None:
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    first = refer(client, as_user(KJ), hid, dinsos.id, key="retry-me")
    again = refer(client, as_user(KJ), hid, dinsos.id, key="retry-me")
    assert (first.status_code, again.status_code) == (201, 201), "a retry answers as the first request did"
    assert first.json()["id"] == again.json()["id"]
    mine = client.get("/api/v1/referrals", params={"program_id": dinsos.id}, headers=as_user(KJ)).json()
    assert [r["id"] for r in mine["items"] if r["family"]["household_id"] == hid] == [first.json()["id"]]
    # Without a key, a second referral to the same programme is a conflict, not a duplicate.
    twice = refer(client, as_user(KJ), hid, dinsos.id)
    assert twice.status_code == 409 and "already has an open referral" in twice.json()["detail"]
    # The same key for another family is refused.
    other = household_id(session, "kebon_jayanti_age35_culinary")
    reused = refer(client, as_user(KJ), other, dinsos.id, key="retry-me")
    assert reused.status_code == 422 and reused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_referring_needs_consent_a_family_in_care_and_a_programme_that_fits(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid = household_id(session, "kebon_jayanti_age35_culinary")
    pena = program(session, "PENA Berdikari")
    no_consent = refer(client, as_user(KJ), hid, pena.id)
    assert no_consent.status_code == 422
    assert no_consent.json()["detail"][0]["type"] == "consent_required"
    assert "consent" in no_consent.json()["detail"][0]["msg"]

    jaktim_family = household_id(session, "jaktim_business_8_months")
    assert refer(client, as_user(KJ), jaktim_family, pena.id).status_code == 404

    older = household_id(session, "kebon_jayanti_age43_culinary")
    consent(client, as_user(KJ), older, pena.organization_id)
    too_old = refer(client, as_user(KJ), older, pena.id)
    assert too_old.status_code == 422 and "Usia kepala keluarga 43" in too_old.json()["detail"][0]["msg"]

    closed = program(session, "Jakpreneur: Bazar Ramadan")
    family = household_id(session, "jaktim_business_8_months")
    consent(client, as_user(JAKTIM), family, closed.organization_id)
    shut = refer(client, as_user(JAKTIM), family, closed.id)
    assert shut.status_code == 409 and "cannot take referrals now" in shut.json()["detail"]

    for user in ("dinsos.bandung", "forum.bandung", "admin"):
        assert refer(client, as_user(user), hid, pena.id).status_code == 403, user


def test_only_the_right_side_moves_a_referral_and_illegal_moves_name_the_status(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    rid = refer(client, as_user(KJ), hid, dinsos.id).json()["id"]
    agency = as_user("dinsos.bandung")

    assert move(client, as_user(KJ), rid, status="accepted").status_code == 403
    assert move(client, agency, rid, status="withdrawn").status_code == 403
    skipped = move(client, agency, rid, status="completed", outcome={"training_completed": True})
    assert skipped.status_code == 409 and "is sent" in skipped.json()["detail"]
    no_reason = move(client, agency, rid, status="declined")
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    bad_reason = move(client, agency, rid, status="declined", reason="too_busy")
    assert bad_reason.status_code == 422

    assert move(client, agency, rid, status="accepted").status_code == 200
    assert move(client, agency, rid, status="enrolled").status_code == 200
    late = move(client, as_user(KJ), rid, status="withdrawn")
    assert late.status_code == 409 and "is enrolled" in late.json()["detail"]
    empty = move(client, agency, rid, status="completed", outcome={})
    assert empty.status_code == 422
    assert move(client, agency, rid, status="dropped", note="Pindah domisili").status_code == 200
    again = move(client, agency, rid, status="dropped")
    assert again.status_code == 409 and "is dropped" in again.json()["detail"]

    # Another agency, and organisers, do not see it at all.
    assert client.get(f"/api/v1/referrals/{rid}", headers=as_user("forum.bandung")).status_code == 403
    assert client.get("/api/v1/referrals", headers=as_user("forum.bandung")).status_code == 403
    assert client.get(f"/api/v1/referrals/{rid}", headers=as_user(JAKTIM)).status_code == 404


def test_capacity_is_taken_on_enrolment_and_given_back_on_a_drop(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    dinsos = program(session, "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
    assert dinsos.id is not None
    session.exec(select(Program).where(Program.id == dinsos.id)).one().capacity_remaining = 1
    session.commit()
    agency = as_user("dinsos.bandung")
    hid = household_id(session, "kebon_jayanti_prse_woman")
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    rid = refer(client, as_user(KJ), hid, dinsos.id).json()["id"]
    move(client, agency, rid, status="accepted")
    assert move(client, agency, rid, status="enrolled").status_code == 200
    session.expire_all()
    assert session.get(Program, dinsos.id).capacity_remaining == 0  # type: ignore[union-attr]
    # Full now: the programme is out of reach for the next family, with the reason.
    matches = client.get(f"/api/v1/households/{hid}/matches", headers=as_user(KJ)).json()["matches"]
    full = next(m for m in matches if m["program_id"] == dinsos.id)
    assert full["status"] == "ineligible" and any(r["field"] == "program.capacity" for r in full["reasons"])
    assert move(client, agency, rid, status="dropped").status_code == 200
    session.expire_all()
    assert session.get(Program, dinsos.id).capacity_remaining == 1  # type: ignore[union-attr]


def test_agency_views_never_carry_nik_pkh_id_address_or_coordinates(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid = household_id(session, "kebon_jayanti_prse_woman")
    household = session.get(Household, hid)
    assert household is not None and household.latitude is not None
    dinsos = program(session, "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
    consent(client, as_user(KJ), hid, dinsos.organization_id, share_phone=False)
    rid = refer(client, as_user(KJ), hid, dinsos.id).json()["id"]
    agency = as_user("dinsos.bandung")
    for url in (f"/api/v1/referrals/{rid}", "/api/v1/referrals"):
        text = client.get(url, headers=agency).text
        body = json.loads(text)
        assert household.head_name in text
        for secret in (household.nik_masked, household.pkh_id, str(household.latitude), str(household.longitude)):
            assert secret not in text, secret
        if household.address:
            assert household.address not in text
        if household.phone:
            assert household.phone not in text, "the family did not agree to share its phone"
        assert "nik" not in json.dumps(body).lower()


def test_withdrawing_consent_closes_the_open_referrals(client: TestClient, session: Session, as_user: Headers) -> None:
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
    given = consent(client, as_user(KJ), hid, dinsos.organization_id)
    rid = refer(client, as_user(KJ), hid, dinsos.id).json()["id"]
    gone = client.delete(f"/api/v1/households/{hid}/consents/{given['id']}", headers=as_user(KJ))
    assert gone.status_code == 200, gone.text
    assert gone.json()["closed_referral_ids"] == [rid] and gone.json()["consent"]["withdrawn_at"]
    referral = client.get(f"/api/v1/referrals/{rid}", headers=as_user(KJ)).json()
    assert referral["status"] == "withdrawn" and referral["events"][-1]["note"] == "consent withdrawn"
    assert client.delete(f"/api/v1/households/{hid}/consents/{given['id']}", headers=as_user(KJ)).status_code == 409
    # And a new referral needs a new consent.
    assert refer(client, as_user(KJ), hid, dinsos.id).status_code == 422
    assert client.post(
        f"/api/v1/households/{hid}/consents", json={"organization_id": dinsos.organization_id}, headers=as_user(JAKTIM)
    ).status_code in (403, 404)
