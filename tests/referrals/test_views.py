"""What each side of a referral sees of the family, built from factories."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.users import Role
from tests.conftest import login_form, sign_in
from tests.factories import (
    PASSWORD,
    business,
    consent,
    facilitator,
    household,
    organization,
    program,
    referral,
    user,
)


def test_agency_sees_the_phone_only_when_the_family_agreed_to_share_it(
    bare_session: Session, bare_client: TestClient
) -> None:
    session = bare_session
    pendamping = facilitator(session)
    org = organization(session)
    prog = program(session, org)
    quiet = household(session, facilitator=pendamping, phone="0812-0000-1111")
    sharing = household(session, facilitator=pendamping, phone="0812-0000-2222")
    kept = referral(session, quiet, prog, with_consent=True)
    shared = referral(session, sharing, prog, with_consent=False)
    shared.consent_id = consent(session, sharing, org, share_phone=True).id
    staff = user(session, Role.agency_staff, organization=org)
    own = user(session, Role.facilitator, facilitator=pendamping)
    session.commit()

    agency = sign_in(bare_client, staff.username, PASSWORD)
    kept_view = bare_client.get(f"/api/v1/referrals/{kept.id}", headers=agency).json()["family"]
    shared_view = bare_client.get(f"/api/v1/referrals/{shared.id}", headers=agency).json()["family"]
    assert kept_view["phone"] is None and shared_view["phone"] == "0812-0000-2222"
    assert kept_view["pkh_id"] is None and kept_view["household_id"] is None

    facilitator_view = bare_client.get(
        f"/api/v1/referrals/{kept.id}", headers=sign_in(bare_client, own.username, PASSWORD)
    )
    family = facilitator_view.json()["family"]
    assert family["phone"] == "0812-0000-1111" and family["pkh_id"] == quiet.pkh_id


def _agency_world(session: Session, **referral_fields: object) -> tuple[object, object, object, object]:
    pendamping = facilitator(session)
    org = organization(session)
    prog = program(session, org)
    family = household(session, facilitator=pendamping, head_name="Ibu Sekar Withdrawn", phone="0812-0000-3333")
    business(session, family, sector="craft", needs=["capital"])
    r = referral(
        session,
        family,
        prog,
        match={"status": "eligible", "reasons": [{"result": "pass", "message": "Usaha kerajinan di Kebon Jayanti"}]},
        **referral_fields,
    )
    staff = user(session, Role.agency_staff, organization=org)
    own = user(session, Role.facilitator, facilitator=pendamping)
    session.commit()
    return family, r, staff, own


def test_after_consent_withdrawal_the_agency_sees_only_that_a_referral_existed_and_its_status(
    bare_session: Session, bare_client: TestClient
) -> None:
    family, r, staff, own = _agency_world(bare_session, note="Ibu Sekar butuh modal anyaman")
    fac = sign_in(bare_client, own.username, PASSWORD)
    gone = bare_client.delete(f"/api/v1/households/{family.id}/consents/{r.consent_id}", headers=fac)  # type: ignore[attr-defined]
    assert gone.status_code == 200, gone.text
    agency = sign_in(bare_client, staff.username, PASSWORD)
    one = bare_client.get(f"/api/v1/referrals/{r.id}", headers=agency)  # type: ignore[attr-defined]
    listed = bare_client.get("/api/v1/referrals", headers=agency)
    assert one.status_code == 200 and listed.status_code == 200
    assert one.json()["status"] == "withdrawn"
    assert [v["id"] for v in listed.json()["items"]] == [r.id]  # type: ignore[attr-defined]
    for text in (one.text, listed.text):
        for secret in ("Sekar", "Withdrawn", "Kebon Jayanti", "32.73.16.1002", "craft", "capital", "anyaman"):
            assert secret not in text, secret
    family_view = one.json()["family"]
    assert family_view["head_name"] is None and family_view["businesses"] == [] and one.json()["match"] is None
    # The page says the same.
    page_login = bare_client.post(
        "/login",
        data={"username": staff.username, "password": PASSWORD, **login_form(bare_client)},
        follow_redirects=False,  # type: ignore[attr-defined]
    )
    assert page_login.status_code == 303
    for url in (f"/rujukan/{r.id}", "/rujukan"):  # type: ignore[attr-defined]
        page = bare_client.get(url)
        assert page.status_code == 200
        for secret in ("Sekar", "Kebon Jayanti", "anyaman", "Usaha kerajinan"):
            assert secret not in page.text, (url, secret)
    # The family's own facilitator still sees everything.
    mine = bare_client.get(f"/api/v1/referrals/{r.id}", headers=fac).json()  # type: ignore[attr-defined]
    assert mine["family"]["head_name"] == "Ibu Sekar Withdrawn" and mine["match"] is not None


def test_nik_and_phone_typed_into_notes_reach_the_agency_masked(bare_session: Session, bare_client: TestClient) -> None:
    note = "NIK 3273 1612 0490 0123, hp +62 812-3456-7890, omzet Rp 5.000.000"
    _family, r, staff, own = _agency_world(bare_session, note=note)
    agency = sign_in(bare_client, staff.username, PASSWORD)
    fac = sign_in(bare_client, own.username, PASSWORD)
    moved = bare_client.patch(
        f"/api/v1/referrals/{r.id}",
        json={"status": "accepted", "note": "dihubungi di 081298765432"},
        headers=agency,  # type: ignore[attr-defined]
    )
    assert moved.status_code == 200, moved.text
    seen = bare_client.get(f"/api/v1/referrals/{r.id}", headers=agency)  # type: ignore[attr-defined]
    listed = bare_client.get("/api/v1/referrals", headers=agency)
    for text in (seen.text, listed.text):
        assert "0490" not in text and "3456" not in text and "3273" not in text
        assert "Rp 5.000.000" in text
    assert seen.json()["note"] == "NIK **** **** **** ****, hp +** ***-****-****, omzet Rp 5.000.000"
    # The facilitator (the family's side) reads the note as written.
    assert bare_client.get(f"/api/v1/referrals/{r.id}", headers=fac).json()["note"] == note  # type: ignore[attr-defined]
