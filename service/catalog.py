"""The resource catalogue: organisations, their locations and their programmes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from models.eligibility import region_codes_in
from models.organizations import (
    Location,
    LocationCreate,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Program,
    ProgramCreate,
    ProgramLocation,
    ProgramPublic,
    ProgramServiceArea,
    ProgramUpdate,
    check_program_ranges,
)
from models.referrals import Referral
from service.audit import record_event
from service.errors import Conflict, Forbidden, InvalidInput
from service.records import require_regions, require_row, update_versioned
from service.scoping import Scope, overlaps, within


def _require_admin(scope: Scope, what: str) -> None:
    if not scope.is_admin:
        raise Forbidden(f"Only administrators {what}")


# --- organisations ----------------------------------------------------------------------------


def organization_filters(*, kind: str | None, region: str | None, q: str | None, verified: bool | None) -> list[Any]:
    clauses: list[Any] = []
    if kind:
        clauses.append(Organization.kind == kind)
    if region:
        clauses.append(within(Organization.region_code, region))
    if q:
        clauses.append(sa.func.lower(Organization.name).like(f"%{q.lower()}%"))
    if verified is not None:
        clauses.append(Organization.verified_at.is_not(None) if verified else Organization.verified_at.is_(None))  # type: ignore[union-attr]
    return clauses


def create_organization(
    session: Session, *, data: OrganizationCreate, scope: Scope, request_id: str | None
) -> Organization:
    """Register an organisation (admins)."""
    _require_admin(scope, "register organisations")
    require_regions(session, [data.region_code], loc=("body", "region_code"))
    values = data.model_dump()
    values["website"] = str(data.website) if data.website else None
    if session.exec(
        select(Organization.id).where(Organization.name == data.name, Organization.region_code == data.region_code)
    ).first():
        raise Conflict(f"{data.name} is already registered in region {data.region_code}")
    org = Organization(**values)
    session.add(org)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="organization",
        entity_id=org.id,
        request_id=request_id,
    )
    session.commit()
    return org


def update_organization(
    session: Session, *, org: Organization, data: OrganizationUpdate, scope: Scope, request_id: str | None
) -> Organization:
    """Change an organisation's profile (admins)."""
    _require_admin(scope, "edit organisations here")
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    for required in ("name", "kind", "region_code"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if changes.get("region_code"):
        require_regions(session, [changes["region_code"]], loc=("body", "region_code"))
    update_versioned(session, org, changes, expected_version=data.version, what="Organization")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="organization",
        entity_id=org.id,
        request_id=request_id,
        fields=list(changes),
    )
    session.commit()
    return org


def delete_organization(session: Session, *, org: Organization, scope: Scope, request_id: str | None) -> None:
    """Delete an organisation that offers no programme (admins)."""
    _require_admin(scope, "delete organisations")
    if session.exec(select(Program.id).where(Program.organization_id == org.id)).first():
        raise Conflict("This organisation still has programmes; close or delete them first")
    org_id = org.id
    session.execute(sa.delete(Location).where(Location.organization_id == org_id))  # type: ignore[arg-type]
    session.delete(org)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="delete",
        entity="organization",
        entity_id=org_id,
        request_id=request_id,
    )
    session.commit()


def add_location(
    session: Session, *, org: Organization, data: LocationCreate, scope: Scope, request_id: str | None
) -> Location:
    """Add a service point to an organisation (admins)."""
    _require_admin(scope, "add locations here")
    require_regions(session, [data.region_code], loc=("body", "region_code"))
    assert org.id is not None
    location = Location(organization_id=org.id, **data.model_dump())
    session.add(location)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="location",
        entity_id=location.id,
        request_id=request_id,
    )
    session.commit()
    return location


# --- programmes -------------------------------------------------------------------------------


def program_filters(
    *,
    organization_id: int | None,
    kind: str | None,
    status: str | None,
    region: str | None,
    sector: str | None,
    q: str | None,
) -> list[Any]:
    clauses: list[Any] = []
    if organization_id is not None:
        clauses.append(Program.organization_id == organization_id)
    if kind:
        clauses.append(Program.kind == kind)
    if status:
        clauses.append(Program.status == status)
    if region:
        clauses.append(
            Program.id.in_(  # type: ignore[union-attr]
                select(ProgramServiceArea.program_id).where(overlaps(ProgramServiceArea.region_code, region))
            )
        )
    if sector:
        # JSON lists are compared as text: sector names are plain lowercase words.
        clauses.append(sa.cast(Program.sectors, sa.Text).like(f'%"{sector}"%'))
    if q:
        clauses.append(sa.func.lower(Program.name).like(f"%{q.lower()}%"))
    return clauses


def programs_public(session: Session, programs: list[Program]) -> list[ProgramPublic]:
    """Programmes with their organisation's name, service area and locations, in three queries."""
    ids = [p.id for p in programs]
    if not ids:
        return []
    areas: dict[int, list[str]] = {i: [] for i in ids if i is not None}
    for pid, code in session.exec(
        select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)
        .where(ProgramServiceArea.program_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ProgramServiceArea.region_code)
    ):
        areas[pid].append(code)
    locations: dict[int, list[int]] = {i: [] for i in ids if i is not None}
    for pid, lid in session.exec(
        select(ProgramLocation.program_id, ProgramLocation.location_id)
        .where(ProgramLocation.program_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ProgramLocation.location_id)
    ):
        locations[pid].append(lid)
    org_ids = {p.organization_id for p in programs}
    names = dict(
        session.exec(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))).all()  # type: ignore[union-attr]
    )
    out = []
    for p in programs:
        assert p.id is not None
        data = p.model_dump()
        data.update(
            organization_name=names.get(p.organization_id, ""),
            service_area=areas[p.id],
            location_ids=locations[p.id],
        )
        out.append(ProgramPublic.model_validate(data))
    return out


def _check_program_links(
    session: Session,
    *,
    organization_id: int,
    service_area: list[str] | None,
    location_ids: list[int] | None,
    eligibility: dict[str, Any] | None,
) -> None:
    if service_area:
        require_regions(session, service_area, loc=("body", "service_area"))
    if eligibility:
        require_regions(session, region_codes_in(eligibility), loc=("body", "eligibility"))
    if location_ids:
        own = set(
            session.exec(
                select(Location.id).where(Location.id.in_(location_ids), Location.organization_id == organization_id)  # type: ignore[union-attr]
            ).all()
        )
        for lid in location_ids:
            if lid not in own:
                raise InvalidInput(
                    f"location {lid} is not a location of organisation {organization_id}",
                    loc=("body", "location_ids"),
                )


def _replace_links(
    session: Session, program_id: int, service_area: list[str] | None, location_ids: list[int] | None
) -> None:
    if service_area is not None:
        session.execute(sa.delete(ProgramServiceArea).where(ProgramServiceArea.program_id == program_id))  # type: ignore[arg-type]
        for code in dict.fromkeys(service_area):
            session.add(ProgramServiceArea(program_id=program_id, region_code=code))
    if location_ids is not None:
        session.execute(sa.delete(ProgramLocation).where(ProgramLocation.program_id == program_id))  # type: ignore[arg-type]
        for lid in dict.fromkeys(location_ids):
            session.add(ProgramLocation(program_id=program_id, location_id=lid))


def create_program(session: Session, *, data: ProgramCreate, scope: Scope, request_id: str | None) -> Program:
    """Register a programme with its service area and locations (admins)."""
    _require_admin(scope, "register programmes here")
    require_row(session, Organization, data.organization_id, loc=("body", "organization_id"), what="organisation")
    _check_program_links(
        session,
        organization_id=data.organization_id,
        service_area=data.service_area,
        location_ids=data.location_ids,
        eligibility=data.eligibility,
    )
    values = data.model_dump(mode="json", exclude={"service_area", "location_ids"})
    program = Program.model_validate(values)
    for key in ("opens_on", "closes_on", "valid_from", "valid_to"):
        setattr(program, key, getattr(data, key))
    session.add(program)
    session.flush()
    assert program.id is not None
    _replace_links(session, program.id, data.service_area, data.location_ids)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="program",
        entity_id=program.id,
        request_id=request_id,
    )
    session.commit()
    return program


def update_program(
    session: Session, *, program: Program, data: ProgramUpdate, scope: Scope, request_id: str | None
) -> Program:
    """Change a programme (admins). Fields left out stay as they are."""
    _require_admin(scope, "edit programmes here")
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"version", "service_area", "location_ids"})
    for key in ("opens_on", "closes_on", "valid_from", "valid_to"):
        if key in changes:
            changes[key] = getattr(data, key)
    for required in ("name", "kind", "status", "capacity_unit"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if "sectors" in changes and changes["sectors"] is None:
        changes["sectors"] = []
    try:
        check_program_ranges({**program.model_dump(), **changes})
    except ValueError as exc:
        raise InvalidInput(str(exc), loc=("body",)) from exc
    _check_program_links(
        session,
        organization_id=program.organization_id,
        service_area=data.service_area if "service_area" in data.model_fields_set else None,
        location_ids=data.location_ids if "location_ids" in data.model_fields_set else None,
        eligibility=changes.get("eligibility"),
    )
    update_versioned(session, program, changes, expected_version=data.version, what="Program")
    assert program.id is not None
    touched = list(changes)
    if "service_area" in data.model_fields_set:
        _replace_links(session, program.id, data.service_area or [], None)
        touched.append("service_area")
    if "location_ids" in data.model_fields_set:
        _replace_links(session, program.id, None, data.location_ids or [])
        touched.append("location_ids")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="program",
        entity_id=program.id,
        request_id=request_id,
        fields=touched,
    )
    session.commit()
    return program


def delete_program(session: Session, *, program: Program, scope: Scope, request_id: str | None) -> None:
    """Delete a programme nobody was referred to (admins); otherwise close it."""
    _require_admin(scope, "delete programmes")
    if session.exec(select(Referral.id).where(Referral.program_id == program.id)).first():
        raise Conflict("Families were referred to this programme; set its status to closed instead")
    program_id = program.id
    session.execute(sa.delete(ProgramServiceArea).where(ProgramServiceArea.program_id == program_id))  # type: ignore[arg-type]
    session.execute(sa.delete(ProgramLocation).where(ProgramLocation.program_id == program_id))  # type: ignore[arg-type]
    session.delete(program)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="delete",
        entity="program",
        entity_id=program_id,
        request_id=request_id,
    )
    session.commit()
