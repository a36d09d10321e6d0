"""What each side of a referral sees of the family, built from factories."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.users import Role
from tests.conftest import sign_in
from tests.factories import PASSWORD, consent, facilitator, household, organization, program, referral, user


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
