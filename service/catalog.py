"""The resource catalogue: organisations, their locations and their programmes."""

from __future__ import annotations

from datetime import date
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
    ProgramRevision,
    ProgramServiceArea,
    ProgramStatus,
    ProgramUpdate,
    check_program_ranges,
)
from models.referrals import Referral
from models.types import utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.records import require_row, update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, overlaps, within
from service.errors import Conflict, Forbidden, InvalidInput, NotFound


def _require_admin(scope: Scope, what: str) -> None:
    if not scope.is_admin:
        raise Forbidden(f"Only administrators {what}")


def _require_owner(scope: Scope, organization_id: int, what: str, *, record: str) -> None:
    """Admins, or the organisation's own staff; another organisation's record answers 404 (``record``)."""
    if scope.is_admin:
        return
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        if scope.organization_id != organization_id:
            raise NotFound(f"{record} not found")
        return
    raise Forbidden(f"Only the organisation's staff and administrators {what}")


def _plain(value: Any) -> Any:
    """A JSON-ready form of a field value, for programme revisions."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value"):
        return value.value
    return value


def _revision(
    session: Session, program: Program, *, action: str, changes: dict[str, tuple[Any, Any]], actor: int
) -> None:
    assert program.id is not None
    session.add(
        ProgramRevision(
            program_id=program.id,
            version=program.version,
            actor_user_id=actor,
            action=action,
            changes={k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()},
        )
    )


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
    """Change an organisation's profile (its own staff, admins)."""
    assert org.id is not None
    _require_owner(scope, org.id, "edit an organisation's profile", record=f"Organization {org.id}")
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
    """Add a service point to an organisation (its own staff, admins)."""
    assert org.id is not None
    _require_owner(scope, org.id, "add locations", record=f"Organization {org.id}")
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
    """Register a programme with its service area and locations (the organisation's staff, admins).

    A programme an organisation's staff register starts as ``draft``: facilitators see it once
    its owner publishes it (status ``active``).
    """
    _require_owner(scope, data.organization_id, "register programmes", record=f"Organization {data.organization_id}")
    require_row(session, Organization, data.organization_id, loc=("body", "organization_id"), what="organisation")
    _check_program_links(
        session,
        organization_id=data.organization_id,
        service_area=data.service_area,
        location_ids=data.location_ids,
        eligibility=data.eligibility,
    )
    values = data.model_dump(mode="json", exclude={"service_area", "location_ids"})
    if not scope.is_admin:
        values["status"] = ProgramStatus.draft
    program = Program.model_validate(values)
    for key in ("opens_on", "closes_on", "valid_from", "valid_to"):
        setattr(program, key, getattr(data, key))
    session.add(program)
    session.flush()
    assert program.id is not None
    _replace_links(session, program.id, data.service_area, data.location_ids)
    created = {k: (None, v) for k, v in values.items() if v not in (None, [], {})}
    created.update({"service_area": (None, data.service_area), "location_ids": (None, data.location_ids)})
    _revision(session, program, action="create", changes=created, actor=scope.user_id)
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


PUBLISHED_STATUSES = (ProgramStatus.active, ProgramStatus.paused)


def update_program(
    session: Session, *, program: Program, data: ProgramUpdate, scope: Scope, request_id: str | None
) -> Program:
    """Change a programme (the organisation's staff, admins). Fields left out stay as they are.

    When its staff change a published programme without also setting its status, it goes back
    to ``draft`` until they publish it again; every change is kept as a revision.
    """
    assert program.id is not None
    _require_owner(scope, program.organization_id, "edit programmes", record=f"Program {program.id}")
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
    new_area = data.service_area if "service_area" in data.model_fields_set else None
    new_locations = data.location_ids if "location_ids" in data.model_fields_set else None
    _check_program_links(
        session,
        organization_id=program.organization_id,
        service_area=new_area,
        location_ids=new_locations,
        eligibility=changes.get("eligibility"),
    )
    edits_content = bool(set(changes) - {"status"}) or new_area is not None or new_locations is not None
    if not scope.is_admin and edits_content and "status" not in changes and program.status in PUBLISHED_STATUSES:
        changes["status"] = ProgramStatus.draft.value
    before = {k: getattr(program, k) for k in changes}
    old_area, old_locations = _links_of(session, program.id)
    update_versioned(session, program, changes, expected_version=data.version, what="Program")
    diff = {k: (before[k], v) for k, v in changes.items() if _plain(before[k]) != _plain(v)}
    if new_area is not None:
        _replace_links(session, program.id, new_area, None)
        if sorted(old_area) != sorted(new_area):
            diff["service_area"] = (sorted(old_area), sorted(new_area))
    if new_locations is not None:
        _replace_links(session, program.id, None, new_locations)
        if sorted(old_locations) != sorted(new_locations):
            diff["location_ids"] = (sorted(old_locations), sorted(new_locations))
    published = diff.get("status", (None, None))[1] in PUBLISHED_STATUSES and len(diff) == 1
    _revision(session, program, action="publish" if published else "update", changes=diff, actor=scope.user_id)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="program",
        entity_id=program.id,
        request_id=request_id,
        fields=list(diff),
    )
    session.commit()
    return program


def _links_of(session: Session, program_id: int) -> tuple[list[str], list[int]]:
    area = list(session.exec(select(ProgramServiceArea.region_code).where(ProgramServiceArea.program_id == program_id)))
    locations = list(session.exec(select(ProgramLocation.location_id).where(ProgramLocation.program_id == program_id)))
    return area, locations


def program_revisions(session: Session, program_id: int) -> list[ProgramRevision]:
    """The programme's changes, oldest first (who, when, which version, old and new values)."""
    return list(
        session.exec(
            select(ProgramRevision).where(ProgramRevision.program_id == program_id).order_by(ProgramRevision.id)
        )
    )


def set_verified(
    session: Session, *, org: Organization, verified: bool, scope: Scope, request_id: str | None
) -> Organization:
    """Mark an organisation verified (or not) after checking it: admins and forum organisers."""
    if not (scope.is_admin or scope.role is Role.forum_organizer):
        raise Forbidden("Only administrators and forum organisers verify organisations")
    org.verified_at = utcnow() if verified else None
    org.verified_by = scope.user_id if verified else None
    session.add(org)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="verify" if verified else "unverify",
        entity="organization",
        entity_id=org.id,
        request_id=request_id,
    )
    session.commit()
    session.refresh(org)
    return org


def delete_program(session: Session, *, program: Program, scope: Scope, request_id: str | None) -> None:
    """Delete a programme nobody was referred to (its organisation's staff, admins); otherwise close it."""
    assert program.id is not None
    _require_owner(scope, program.organization_id, "delete programmes", record=f"Program {program.id}")
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
