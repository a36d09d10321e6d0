"""SQL of the catalogue: list filters and pages, programme links (service area, locations),
ownership lookups, revisions, and the bulk deletes behind removals."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.organizations import (
    Location,
    Organization,
    Program,
    ProgramLocation,
    ProgramRevision,
    ProgramServiceArea,
)
from models.referrals import Referral, ReferralStatus
from models.users import User
from service.core.paging import paginate
from service.core.scope import Scope, overlaps, within

# --- organisations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationFilter:
    """What the organisation list is narrowed to (all optional)."""

    kind: str | None = None
    region: str | None = None
    q: str | None = None
    verified: bool | None = None


def organization_clauses(f: OrganizationFilter) -> list[Any]:
    """SQL filters of the organisation list."""
    clauses: list[Any] = []
    if f.kind:
        clauses.append(col(Organization.kind) == f.kind)
    if f.region:
        clauses.append(within(Organization.region_code, f.region))
    if f.q:
        clauses.append(sa.func.lower(Organization.name).like(f"%{f.q.lower()}%"))
    if f.verified is not None:
        verified_at = col(Organization.verified_at)
        clauses.append(verified_at.is_not(None) if f.verified else verified_at.is_(None))
    return clauses


def organization_page(
    session: Session, scope: Scope, f: OrganizationFilter, *, limit: int, offset: int
) -> tuple[list[Organization], int]:
    """One page of the organisations the caller may see that pass ``f``, and how many pass."""
    stmt = sa.select(Organization).where(scope.where(Organization), *organization_clauses(f))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=col(Organization.id))


def organizations_by_name(session: Session, scope: Scope) -> list[Organization]:
    """Every organisation the caller may see, by name."""
    return list(session.exec(select(Organization).where(scope.where(Organization)).order_by(col(Organization.name))))


def organization_named(session: Session, name: str, region_code: str) -> int | None:
    """The id of the organisation of that name in that region, if one is registered."""
    return session.exec(
        select(Organization.id).where(Organization.name == name, Organization.region_code == region_code)
    ).first()


def organization_names(session: Session, organization_ids: Collection[int]) -> dict[int, str]:
    if not organization_ids:
        return {}
    rows = session.exec(
        select(Organization.id, Organization.name).where(col(Organization.id).in_(list(organization_ids)))
    )
    return {oid: name for oid, name in rows if oid is not None}


def has_programs(session: Session, organization_id: int) -> bool:
    """Whether the organisation offers any programme, drafts and closed ones included."""
    found = session.exec(select(Program.id).where(Program.organization_id == organization_id)).first()
    return found is not None


# --- locations --------------------------------------------------------------------------------


def locations_of(session: Session, organization_id: int, *, by_name: bool = False) -> list[Location]:
    """The organisation's service points, by id (or by name)."""
    order = col(Location.name) if by_name else col(Location.id)
    return list(session.exec(select(Location).where(Location.organization_id == organization_id).order_by(order)))


def own_location_ids(session: Session, organization_id: int, location_ids: Sequence[int]) -> set[int]:
    """Those of ``location_ids`` that are service points of the organisation."""
    if not location_ids:
        return set()
    rows = session.exec(
        select(Location.id).where(col(Location.id).in_(list(location_ids)), Location.organization_id == organization_id)
    )
    return {lid for lid in rows if lid is not None}


def closed_location_ids(session: Session, location_ids: Sequence[int]) -> set[int]:
    """Those of ``location_ids`` that are closed service points."""
    if not location_ids:
        return set()
    rows = session.exec(
        select(Location.id).where(col(Location.id).in_(list(location_ids)), col(Location.closed_on).is_not(None))
    )
    return {lid for lid in rows if lid is not None}


def delete_locations(session: Session, organization_id: int) -> None:
    session.execute(sa.delete(Location).where(col(Location.organization_id) == organization_id))


# --- programmes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramFilter:
    """What the programme list is narrowed to (all optional)."""

    organization_id: int | None = None
    kind: str | None = None
    status: str | None = None
    region: str | None = None
    sector: str | None = None
    q: str | None = None


def program_clauses(f: ProgramFilter) -> list[Any]:
    """SQL filters of the programme list."""
    clauses: list[Any] = []
    if f.organization_id is not None:
        clauses.append(col(Program.organization_id) == f.organization_id)
    if f.kind:
        clauses.append(col(Program.kind) == f.kind)
    if f.status:
        clauses.append(col(Program.status) == f.status)
    if f.region:
        serving = select(ProgramServiceArea.program_id).where(overlaps(ProgramServiceArea.region_code, f.region))
        clauses.append(col(Program.id).in_(serving))
    if f.sector:
        # JSON lists are compared as text: sector names are plain lowercase words.
        clauses.append(sa.cast(col(Program.sectors), sa.Text).like(f'%"{f.sector}"%'))
    if f.q:
        clauses.append(sa.func.lower(Program.name).like(f"%{f.q.lower()}%"))
    return clauses


def program_page(
    session: Session, scope: Scope, f: ProgramFilter, *, limit: int, offset: int
) -> tuple[list[Program], int]:
    """One page of the programmes the caller may see that pass ``f``, and how many pass."""
    stmt = sa.select(Program).where(scope.where(Program), *program_clauses(f))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=col(Program.id))


def programs_of(session: Session, organization_id: int) -> list[Program]:
    """All the organisation's programmes, drafts included, by name."""
    return list(
        session.exec(select(Program).where(Program.organization_id == organization_id).order_by(col(Program.name)))
    )


def service_areas(session: Session, program_ids: Sequence[int]) -> dict[int, list[str]]:
    """The region codes each programme serves, in code order."""
    out: dict[int, list[str]] = {pid: [] for pid in program_ids}
    if not program_ids:
        return out
    rows = session.exec(
        select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)
        .where(col(ProgramServiceArea.program_id).in_(list(program_ids)))
        .order_by(col(ProgramServiceArea.region_code))
    )
    for pid, code in rows:
        out[pid].append(code)
    return out


def program_location_ids(session: Session, program_ids: Sequence[int]) -> dict[int, list[int]]:
    """The service points each programme is offered at, in id order."""
    out: dict[int, list[int]] = {pid: [] for pid in program_ids}
    if not program_ids:
        return out
    rows = session.exec(
        select(ProgramLocation.program_id, ProgramLocation.location_id)
        .where(col(ProgramLocation.program_id).in_(list(program_ids)))
        .order_by(col(ProgramLocation.location_id))
    )
    for pid, lid in rows:
        out[pid].append(lid)
    return out


def replace_service_area(session: Session, program_id: int, codes: Sequence[str]) -> None:
    """The programme now serves ``codes`` (repeats dropped) and nothing else; the areas it kept
    keep their approval."""
    wanted = list(dict.fromkeys(codes))
    session.execute(
        sa.delete(ProgramServiceArea).where(
            col(ProgramServiceArea.program_id) == program_id, col(ProgramServiceArea.region_code).not_in(wanted)
        )
    )
    kept = set(
        session.exec(select(ProgramServiceArea.region_code).where(ProgramServiceArea.program_id == program_id)).all()
    )
    for code in wanted:
        if code not in kept:
            session.add(ProgramServiceArea(program_id=program_id, region_code=code))


def unapproved_areas(session: Session, program_ids: Sequence[int]) -> dict[int, list[tuple[str, str | None]]]:
    """Per programme: its service areas no admin approved, each with its organisation's region."""
    out: dict[int, list[tuple[str, str | None]]] = {pid: [] for pid in program_ids}
    if not program_ids:
        return out
    rows = session.exec(
        select(ProgramServiceArea.program_id, ProgramServiceArea.region_code, Organization.region_code)
        .join(Program, col(Program.id) == col(ProgramServiceArea.program_id))
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(col(ProgramServiceArea.program_id).in_(list(program_ids)), col(ProgramServiceArea.approved_at).is_(None))
        .order_by(col(ProgramServiceArea.region_code))
    )
    for pid, code, home in rows:
        out[pid].append((code, home))
    return out


def service_area_row(session: Session, program_id: int, region_code: str) -> ProgramServiceArea | None:
    """One service area of a programme, or None."""
    return session.get(ProgramServiceArea, (program_id, region_code))


def replace_locations(session: Session, program_id: int, location_ids: Sequence[int]) -> None:
    """The programme is now offered at ``location_ids`` (repeats dropped) and nowhere else."""
    session.execute(sa.delete(ProgramLocation).where(col(ProgramLocation.program_id) == program_id))
    for lid in dict.fromkeys(location_ids):
        session.add(ProgramLocation(program_id=program_id, location_id=lid))


def delete_program_links(session: Session, program_id: int) -> None:
    """Remove the programme's service area and locations."""
    session.execute(sa.delete(ProgramServiceArea).where(col(ProgramServiceArea.program_id) == program_id))
    session.execute(sa.delete(ProgramLocation).where(col(ProgramLocation.program_id) == program_id))


def places_held(session: Session, program_id: int) -> int:
    """How many families are enrolled in the programme now (each holds one of its places)."""
    held = session.scalar(
        sa.select(sa.func.count())
        .select_from(Referral)
        .where(col(Referral.program_id) == program_id, col(Referral.status) == ReferralStatus.enrolled)
    )
    return int(held or 0)


def has_referrals(session: Session, program_id: int) -> bool:
    """Whether any family was ever referred to the programme."""
    return session.exec(select(Referral.id).where(Referral.program_id == program_id)).first() is not None


# --- revisions --------------------------------------------------------------------------------


def revisions_of(session: Session, program_id: int) -> list[ProgramRevision]:
    """The programme's revisions, oldest first."""
    return list(
        session.exec(
            select(ProgramRevision).where(ProgramRevision.program_id == program_id).order_by(col(ProgramRevision.id))
        )
    )


def usernames(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """The usernames of ``user_ids`` (who made a revision)."""
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.username).where(col(User.id).in_(list(user_ids))))
    return {uid: name for uid, name in rows if uid is not None}
