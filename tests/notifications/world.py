"""A small world for the notification tests: a facilitator's family, a programme of an agency
whose staff want email, and the accounts of both sides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.households import Facilitator, Household
from models.notifications import EmailMode, NotificationSettings
from models.organizations import Organization, Program
from models.users import Role, User
from tests.factories import consent, facilitator, household, organization, program, synthetic_nik, user

FAMILY_NIK = synthetic_nik(4242)
FAMILY_ADDRESS = "Jl. Uji Rahasia No. 17, RT 03/RW 05"


@dataclass
class World:
    pendamping: Facilitator
    family: Household
    org: Organization
    prog: Program
    staff: User
    own: User


def build(
    session: Session,
    *,
    staff_email: str | None = "dinsos@example.org",
    mode: EmailMode = EmailMode.immediate,
    org_phone: str | None = "022-7271234",
    family_phone: str | None = "0812-3456-7890",
) -> World:
    pendamping = facilitator(session, phone="0813-1111-2222")
    family = household(
        session,
        facilitator=pendamping,
        nik=FAMILY_NIK,
        address=FAMILY_ADDRESS,
        latitude=-6.9123,
        longitude=107.6456,
        phone=family_phone,
    )
    org = organization(session, name="Dinas Sosial Uji", phone=org_phone)
    prog = program(session, org, name="Pelatihan Menjahit Uji")
    consent(session, family, org)
    staff = user(session, Role.agency_staff, organization=org)
    own = user(session, Role.facilitator, facilitator=pendamping)
    if staff_email is not None:
        assert staff.id is not None
        session.add(NotificationSettings(user_id=staff.id, email=staff_email, email_enabled=True, email_mode=mode))
    session.commit()
    return World(pendamping, family, org, prog, staff, own)
