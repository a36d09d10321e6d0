"""The HSDS domain's SQL: what the record builder loads, the read API's statements and filter
clauses, and the lookups an import matches records with."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models.organizations import (
    HsdsExternalId,
    Location,
    Organization,
    Program,
    ProgramLocation,
    ProgramServiceArea,
)
from models.regions import Region
from models.users import User
from service.core.paging import paginate
from service.core.scope import overlaps, within
from service.hsds.profile import PUBLISHED

# --- what the builder loads ------------------------------------------------------------------


def region_names(session: Session, codes: Collection[str]) -> dict[str, str]:
    """Names of the regions ``codes``, by code."""
    rows = session.exec(select(Region.code, Region.name).where(col(Region.code).in_(codes)))
    return dict(rows.all())


def published_program_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    """Names of the published programmes among ``ids``."""
    rows = session.exec(
        select(Program.id, Program.name).where(col(Program.id).in_(ids), col(Program.status).in_(PUBLISHED))
    )
    return {int(i): n for i, n in rows.all() if i is not None}


def open_location() -> ColumnElement[bool]:
    """SQL: the service point is not closed (a closed one is no longer published)."""
    return col(Location.closed_on).is_(None)


def locations_of_organizations(session: Session, org_ids: Collection[int]) -> list[Location]:
    """The locations of the organisations ``org_ids``, by id."""
    stmt = (
        select(Location).where(col(Location.organization_id).in_(org_ids), open_location()).order_by(col(Location.id))
    )
    return list(session.exec(stmt))


def published_programs_of_organizations(session: Session, org_ids: Collection[int]) -> list[Program]:
    """The published programmes of the organisations ``org_ids``, by id."""
    stmt = (
        select(Program)
        .where(col(Program.organization_id).in_(org_ids), col(Program.status).in_(PUBLISHED))
        .order_by(col(Program.id))
    )
    return list(session.exec(stmt))


def service_areas_of(session: Session, program_ids: Collection[int]) -> list[tuple[int, str]]:
    """(programme id, region code) of the programmes' service areas, in code order."""
    stmt = (
        select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)
        .where(col(ProgramServiceArea.program_id).in_(program_ids))
        .order_by(col(ProgramServiceArea.region_code))
    )
    return [(pid, code) for pid, code in session.exec(stmt)]


def organizations_by_id(session: Session, org_ids: Collection[int]) -> dict[int, Organization]:
    """The organisations ``org_ids``, by id."""
    rows = session.exec(select(Organization).where(col(Organization.id).in_(org_ids)))
    return {o.id: o for o in rows if o.id is not None}


def locations_of_programs(session: Session, program_ids: Collection[int]) -> list[tuple[int, Location]]:
    """(programme id, location) of the programmes' locations, by location id."""
    stmt = (
        select(ProgramLocation.program_id, Location)
        .join(Location, col(Location.id) == col(ProgramLocation.location_id))
        .where(col(ProgramLocation.program_id).in_(program_ids), open_location())
        .order_by(col(Location.id))
    )
    return [(pid, loc) for pid, loc in session.exec(stmt).all()]


def all_organizations(session: Session) -> list[Organization]:
    """Every organisation, by id."""
    return list(session.exec(select(Organization).order_by(col(Organization.id))))


# --- the read API ----------------------------------------------------------------------------


def published_programs() -> ColumnElement[bool]:
    """SQL: the programme is published (active or paused)."""
    return col(Program.status).in_(PUBLISHED)


def organization_ids(session: Session) -> list[int]:
    """The ids of every organisation."""
    return [i for i in session.exec(select(Organization.id)).all() if i is not None]


def published_program_ids(session: Session) -> list[int]:
    """The ids of the published programmes."""
    return [i for i in session.exec(select(Program.id).where(published_programs())).all() if i is not None]


def published_program_location_ids(session: Session) -> list[tuple[int, int]]:
    """(programme id, location id) of every published programme at each of its locations."""
    stmt = (
        select(ProgramLocation.program_id, ProgramLocation.location_id)
        .join(Program, col(Program.id) == col(ProgramLocation.program_id))
        .join(Location, col(Location.id) == col(ProgramLocation.location_id))
        .where(published_programs(), open_location())
    )
    return [(pid, lid) for pid, lid in session.exec(stmt).all()]


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def locations_near(session: Session, lat: float, lon: float, metres: float) -> list[int]:
    """Ids of the locations within ``metres`` (great-circle) of ``lat``/``lon``."""
    rows = session.exec(
        select(Location.id, Location.latitude, Location.longitude).where(
            col(Location.latitude).is_not(None),
            col(Location.longitude).is_not(None),
            open_location(),
        )
    ).all()
    return [
        int(i)
        for i, la, lo in rows
        if i is not None and la is not None and lo is not None and _distance_m(lat, lon, la, lo) <= metres
    ]


def organization_page(
    session: Session, clauses: Sequence[ColumnElement[bool]], *, limit: int, offset: int
) -> tuple[list[Organization], int]:
    """One page of the organisations matching ``clauses`` (by id), and how many match."""
    stmt = select(Organization).where(*clauses)
    return paginate(session, stmt, limit=limit, offset=offset, order_by=Organization.id)


def program_page(
    session: Session, clauses: Sequence[ColumnElement[bool]], *, limit: int, offset: int
) -> tuple[list[Program], int]:
    """One page of the programmes matching ``clauses`` (by id), and how many match."""
    return paginate(session, select(Program).where(*clauses), limit=limit, offset=offset, order_by=Program.id)


def program_location_page(
    session: Session,
    clauses: Sequence[ColumnElement[bool]],
    *,
    region: str | None,
    location_ids: list[int] | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Program, Location]], int]:
    """One page of (programme, location) pairs whose programme matches ``clauses`` and whose
    location lies in ``region`` and among ``location_ids`` (when given), and how many match."""
    stmt = (
        select(ProgramLocation)
        .join(Program, col(Program.id) == col(ProgramLocation.program_id))
        .join(Location, col(Location.id) == col(ProgramLocation.location_id))
        .where(*clauses, open_location())
        .order_by(col(ProgramLocation.program_id), col(ProgramLocation.location_id))
    )
    if region is not None:
        stmt = stmt.where(within(Location.region_code, region))
    if location_ids is not None:
        stmt = stmt.where(col(Location.id).in_(location_ids))
    links, total = paginate(
        session,
        stmt,
        limit=limit,
        offset=offset,
        order_by=ProgramLocation.program_id,  # after the statement's own (programme, location) order
    )
    return [program_and_location(session, link.program_id, link.location_id) for link in links], total


def program_and_location(session: Session, program_id: int, location_id: int) -> tuple[Program, Location]:
    """The programme ``program_id`` and the location ``location_id``."""
    program = session.get(Program, program_id)
    location = session.get(Location, location_id)
    assert program is not None and location is not None  # a link's ends exist (foreign keys)
    return program, location


# The read API's filter clauses, from checked values.


def program_search(search: str) -> ColumnElement[bool]:
    """SQL: the programme's name or description contains ``search`` (any case)."""
    like = f"%{search.lower()}%"
    return sa.or_(
        sa.func.lower(col(Program.name)).like(like),
        sa.func.lower(sa.func.coalesce(col(Program.description), "")).like(like),
    )


def program_of_organization(org_id: int | None) -> ColumnElement[bool]:
    """SQL: the programme belongs to organisation ``org_id`` (none when ``None``)."""
    return col(Program.organization_id) == org_id if org_id is not None else sa.false()


def program_of_kind(kind: str) -> ColumnElement[bool]:
    """SQL: the programme is of kind ``kind``."""
    return col(Program.kind) == kind


def program_for_sector(sector: str | None) -> ColumnElement[bool]:
    """SQL: the programme names sector ``sector`` (``None``: names any sector)."""
    pattern = '%"%' if sector is None else f'%"{sector}"%'
    return sa.cast(col(Program.sectors), sa.Text).like(pattern)


def program_of_organization_kind(kind: str) -> ColumnElement[bool]:
    """SQL: the programme's organisation is of kind ``kind``."""
    return col(Program.organization_id).in_(select(Organization.id).where(col(Organization.kind) == kind))


def program_modified_since(moment: datetime) -> ColumnElement[bool]:
    """SQL: the programme changed at or after ``moment``."""
    return col(Program.updated_at) >= moment


def program_serving(region: str) -> ColumnElement[bool]:
    """SQL: the programme's service area covers or lies within ``region``."""
    return col(Program.id).in_(
        select(ProgramServiceArea.program_id).where(overlaps(ProgramServiceArea.region_code, region))
    )


def program_at_locations(location_ids: list[int]) -> ColumnElement[bool]:
    """SQL: the programme is offered at one of ``location_ids``."""
    return col(Program.id).in_(
        select(ProgramLocation.program_id).where(col(ProgramLocation.location_id).in_(location_ids))
    )


def organization_search(search: str) -> ColumnElement[bool]:
    """SQL: the organisation's name or description contains ``search`` (any case)."""
    like = f"%{search.lower()}%"
    return sa.or_(
        sa.func.lower(col(Organization.name)).like(like),
        sa.func.lower(sa.func.coalesce(col(Organization.description), "")).like(like),
    )


def organization_within(region: str) -> ColumnElement[bool]:
    """SQL: the organisation's region lies in (or is) ``region``."""
    return within(Organization.region_code, region)


# --- what an import matches records with -----------------------------------------------------


def external_local_id(session: Session, *, source: str, entity: str, external_id: str) -> int | None:
    """The local id another publisher's ``external_id`` was imported as, if it was."""
    local = session.exec(
        select(HsdsExternalId.local_id).where(
            HsdsExternalId.source == source,
            HsdsExternalId.entity == entity,
            HsdsExternalId.external_id == external_id,
        )
    ).first()
    return None if local is None else int(local)


def regions_named(session: Session, *, level: str, names: Collection[str]) -> list[tuple[str, str | None]]:
    """(code, parent code) of the regions of ``level`` whose upper-case name is one of ``names``."""
    rows = session.exec(
        select(Region.code, Region.parent_code).where(Region.level == level, sa.func.upper(Region.name).in_(names))
    ).all()
    return [(code, parent) for code, parent in rows]


def province_named(session: Session, name: str) -> str | None:
    """The code of the province called ``name`` (any case)."""
    return session.exec(
        select(Region.code).where(Region.level == "province", sa.func.upper(Region.name) == name.upper())
    ).first()


def organization_named(session: Session, *, name: str, region: str) -> int | None:
    """The id of the organisation called ``name`` in region ``region``."""
    found = session.exec(
        select(Organization.id).where(Organization.name == name, Organization.region_code == region)
    ).first()
    return None if found is None else int(found)


def organizations_named(session: Session, name: str) -> list[int]:
    """The ids of every organisation called ``name``."""
    rows = session.exec(select(Organization.id).where(Organization.name == name)).all()
    return [int(i) for i in rows if i is not None]


def named_of_organization(
    session: Session, model: type[Location] | type[Program], *, org_id: int, name: str
) -> int | None:
    """The id of ``org_id``'s location (or programme) called ``name``."""
    found = session.exec(
        select(col(model.id)).where(col(model.organization_id) == org_id, col(model.name) == name)
    ).first()
    return None if found is None else int(found)


def named(session: Session, model: type[Location] | type[Program], name: str) -> list[int]:
    """The ids of every location (or programme) called ``name``."""
    rows = session.exec(select(col(model.id)).where(col(model.name) == name)).all()
    return [int(i) for i in rows if i is not None]


def program_ids(session: Session) -> list[int]:
    """The ids of every programme."""
    return [i for i in session.exec(select(Program.id)).all() if i is not None]


def user_named(session: Session, username: str) -> User | None:
    """The user called ``username``."""
    return session.exec(select(User).where(User.username == username)).first()
