"""Factories: each builds one record (and what it cannot exist without) with synthetic defaults,
so a test writes down only what it is about.

Every factory takes the session first and keyword arguments for anything the test cares about;
it flushes (so ids exist) but does not commit: the test commits when it wants the records seen by
the app (``world.commit()``). Names and numbers are synthetic (``Keluarga Uji 3``, NIK
``3273160101900003``), never a real person's. Use them on ``bare_session`` (regions only, no
demo) to build a small world from nothing, or on ``session`` to add to the demo.

    hh = household(session, village_code=KEBON_JAYANTI, head_birth_date=date(1990, 1, 1))
    business(session, hh, sector="culinary", needs=["capital"])
    org = organization(session)
    prog = program(session, org, kind="capital_grant", eligibility={...}, service_area=[KEBON_JAYANTI])
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlmodel import Session

from models.households import Business, Facilitator, FacilitatorVillage, Household, KpmGroup
from models.network import Forum
from models.organizations import (
    Location,
    Organization,
    OrganizationKind,
    Program,
    ProgramKind,
    ProgramLocation,
    ProgramServiceArea,
    ProgramStatus,
)
from models.protection import hash_password, mask_nik, nik_hash
from models.referrals import Consent, ConsentPurpose, Referral, ReferralEvent, ReferralStatus
from models.types import utcnow
from models.users import Role, User
from tests.conftest import TEST_SECRET, settings_for

KEBON_JAYANTI = "32.73.16.1002"  # a kelurahan of Kota Bandung (Kiaracondong)
KOTA_BANDUNG = "32.73"
PASSWORD = "factory-password-2026"

_serial = itertools.count(1)
_NIK_KEY = settings_for("sqlite://").nik_hash_key
assert TEST_SECRET  # the NIK key above derives from the test secret, as the app's does


def _n() -> int:
    return next(_serial)


def synthetic_nik(n: int, village_code: str = KEBON_JAYANTI, born: date = date(1990, 1, 1)) -> str:
    """A 16-digit NIK shaped like a real one (district, birth date, serial) for a made-up person."""
    district = village_code.replace(".", "")[:6]
    return f"{district}{born.day:02d}{born.month:02d}{born.year % 100:02d}{n % 10000:04d}"


def facilitator(
    session: Session, *, name: str | None = None, villages: tuple[str, ...] = (KEBON_JAYANTI,), **fields: Any
) -> Facilitator:
    """A pendamping serving ``villages``."""
    n = _n()
    f = Facilitator(name=name or f"Pendamping Uji {n}", education_background="social_work", **fields)
    session.add(f)
    session.flush()
    assert f.id is not None
    for code in villages:
        session.add(FacilitatorVillage(facilitator_id=f.id, village_code=code))
    session.flush()
    return f


def group(session: Session, *, village_code: str = KEBON_JAYANTI, name: str | None = None, **fields: Any) -> KpmGroup:
    """A KPM group meeting in ``village_code``."""
    g = KpmGroup(name=name or f"Kelompok Uji {_n()}", village_code=village_code, **fields)
    session.add(g)
    session.flush()
    return g


def household(
    session: Session,
    *,
    village_code: str = KEBON_JAYANTI,
    facilitator: Facilitator | None = None,
    head_name: str | None = None,
    nik: str | None = None,
    **fields: Any,
) -> Household:
    """A KPM family with a synthetic NIK (stored as its keyed hash and mask), active in PKH."""
    n = _n()
    nik = nik or synthetic_nik(n, village_code)
    h = Household(
        pkh_id=f"UJI-{n:06d}",
        head_name=head_name or f"Keluarga Uji {n}",
        village_code=village_code,
        facilitator_id=facilitator.id if facilitator else None,
        nik_hash=nik_hash(nik, key=_NIK_KEY),
        nik_masked=mask_nik(nik),
        **fields,
    )
    session.add(h)
    session.flush()
    return h


def business(
    session: Session,
    owner: Household,
    *,
    sector: str = "culinary",
    needs: list[str] | None = None,
    sales_channels: list[str] | None = None,
    **fields: Any,
) -> Business:
    """A micro-business of ``owner``."""
    assert owner.id is not None
    b = Business(
        household_id=owner.id,
        sector=sector,
        needs=list(needs or []),
        sales_channels=list(sales_channels or []),
        **fields,
    )
    session.add(b)
    session.flush()
    return b


def organization(
    session: Session,
    *,
    name: str | None = None,
    kind: str = OrganizationKind.government_agency,
    region_code: str = KOTA_BANDUNG,
    verified: bool = False,
    **fields: Any,
) -> Organization:
    """An agency (a Dinas by default) based in ``region_code``."""
    o = Organization(
        name=name or f"Lembaga Uji {_n()}",
        kind=kind,
        region_code=region_code,
        verified_at=utcnow() if verified else None,
        **fields,
    )
    session.add(o)
    session.flush()
    return o


def location(
    session: Session,
    org: Organization,
    *,
    region_code: str = KEBON_JAYANTI,
    latitude: float | None = -6.9175,
    longitude: float | None = 107.6452,
    **fields: Any,
) -> Location:
    """A service point of ``org``."""
    assert org.id is not None
    loc = Location(
        organization_id=org.id,
        name=f"Kantor Uji {_n()}",
        region_code=region_code,
        latitude=latitude,
        longitude=longitude,
        **fields,
    )
    session.add(loc)
    session.flush()
    return loc


def program(
    session: Session,
    org: Organization,
    *,
    name: str | None = None,
    kind: str = ProgramKind.training,
    status: str = ProgramStatus.active,
    eligibility: dict[str, Any] | None = None,
    service_area: tuple[str, ...] | list[str] = (KOTA_BANDUNG,),
    locations: tuple[Location, ...] = (),
    sectors: list[str] | None = None,
    **fields: Any,
) -> Program:
    """A programme of ``org`` (published by default) serving ``service_area``."""
    assert org.id is not None
    p = Program(
        name=name or f"Program Uji {_n()}",
        kind=kind,
        status=status,
        organization_id=org.id,
        eligibility=eligibility,
        sectors=list(sectors or []),
        **fields,
    )
    session.add(p)
    session.flush()
    assert p.id is not None
    for code in service_area:
        session.add(ProgramServiceArea(program_id=p.id, region_code=code))
    for loc in locations:
        assert loc.id is not None
        session.add(ProgramLocation(program_id=p.id, location_id=loc.id))
    session.flush()
    return p


def consent(
    session: Session, family: Household, org: Organization, *, share_phone: bool = False, by: User | None = None
) -> Consent:
    """The family's consent to share its data with ``org`` for referrals."""
    assert family.id is not None and org.id is not None
    c = Consent(
        household_id=family.id,
        organization_id=org.id,
        purpose=ConsentPurpose.referral,
        share_phone=share_phone,
        recorded_by_user_id=by.id if by else None,
    )
    session.add(c)
    session.flush()
    return c


def referral(
    session: Session,
    family: Household,
    prog: Program,
    *,
    status: ReferralStatus = ReferralStatus.sent,
    by: Facilitator | None = None,
    with_consent: bool = True,
    **fields: Any,
) -> Referral:
    """A referral of ``family`` to ``prog`` in ``status``, with its consent and its history's first event."""
    assert family.id is not None and prog.id is not None
    c = None
    if with_consent:
        org = session.get(Organization, prog.organization_id)
        assert org is not None
        c = consent(session, family, org)
    r = Referral(
        household_id=family.id,
        program_id=prog.id,
        facilitator_id=(by.id if by else family.facilitator_id),
        status=status,
        consent_id=c.id if c else None,
        **fields,
    )
    session.add(r)
    session.flush()
    assert r.id is not None
    session.add(ReferralEvent(referral_id=r.id, to_status=ReferralStatus.sent))
    session.flush()
    return r


def forum(session: Session, *, region_code: str = KOTA_BANDUNG, name: str | None = None, **fields: Any) -> Forum:
    """A forum for the region."""
    f = Forum(name=name or f"Forum Uji {_n()}", region_code=region_code, **fields)
    session.add(f)
    session.flush()
    return f


def user(
    session: Session,
    role: Role,
    *,
    username: str | None = None,
    password: str = PASSWORD,
    facilitator: Facilitator | None = None,
    organization: Organization | None = None,
    forum: Forum | None = None,
) -> User:
    """An account of ``role`` linked to what it acts for; it signs in with ``password``."""
    u = User(
        username=username or f"uji.{role.value}.{_n()}",
        password_hash=hash_password(password),
        role=role,
        facilitator_id=facilitator.id if facilitator else None,
        organization_id=organization.id if organization else None,
        forum_id=forum.id if forum else None,
    )
    session.add(u)
    session.flush()
    return u
