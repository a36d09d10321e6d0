"""Programmes: the catalogue in scope, and their owners registering, changing, publishing and
removing them.

A programme an organisation's staff register starts as ``draft``: facilitators see it once its
owner publishes it (status ``active``). Staff changes to a published programme put it back to
``draft`` unless they set the status in the same change; every change is kept as a revision.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlmodel import Session

from models.eligibility import region_codes_in
from models.organizations import (
    Organization,
    Program,
    ProgramCreate,
    ProgramPublic,
    ProgramStatus,
    ProgramUpdate,
    check_program_ranges,
)
from models.types import utcnow
from service.catalog import queries
from service.catalog.access import require_admin, require_owner
from service.catalog.queries import ProgramFilter
from service.catalog.revisions import plain, record_revision
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import require_row, require_version, update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope, widens_reach
from service.errors import Conflict, InvalidInput, NotFound

PUBLISHED_STATUSES = (ProgramStatus.active, ProgramStatus.paused)
DATE_FIELDS = ("opens_on", "closes_on", "valid_from", "valid_to")


class PlacesHeld(InvalidInput):
    """A change would leave fewer places than the families enrolled now hold (422 at ``field``)."""

    def __init__(self, field: str, *, held: int, capacity: int) -> None:
        if field == "capacity":
            message = f"the capacity cannot be less than {held}: the places held by families enrolled now"
        else:
            message = (
                f"at most {capacity - held} can remain: families enrolled now hold {held} of the capacity of {capacity}"
            )
        super().__init__(message, loc=("body", field), kind="capacity_held")
        self.field, self.held, self.capacity = field, held, capacity


def check_places_held(session: Session, program_id: int, merged: dict[str, Any]) -> None:
    """Refuse a capacity below the families enrolled now, or more places left than it leaves free."""
    capacity, remaining = merged.get("capacity"), merged.get("capacity_remaining")
    if capacity is None:
        return
    held = queries.places_held(session, program_id)
    if capacity < held:
        raise PlacesHeld("capacity", held=held, capacity=capacity)
    if remaining is not None and remaining > capacity - held:
        raise PlacesHeld("capacity_remaining", held=held, capacity=capacity)


def programs_public(session: Session, programs: Sequence[Program]) -> list[ProgramPublic]:
    """Programmes with their organisation's name, service area and locations, in three queries."""
    ids = [p.id for p in programs if p.id is not None]
    if not ids:
        return []
    areas = queries.service_areas(session, ids)
    waiting = queries.unapproved_areas(session, ids)
    locations = queries.program_location_ids(session, ids)
    names = queries.organization_names(session, {p.organization_id for p in programs})
    out = []
    for p in programs:
        assert p.id is not None
        data = p.model_dump()
        data.update(
            organization_name=names.get(p.organization_id, ""),
            service_area=areas[p.id],
            service_area_unapproved=[code for code, home in waiting[p.id] if not widens_reach(code, home, False)],
            location_ids=locations[p.id],
        )
        out.append(ProgramPublic.model_validate(data))
    return out


def _public(session: Session, program: Program) -> ProgramPublic:
    return programs_public(session, [program])[0]


def _program(session: Session, scope: Scope, program_id: int) -> Program:
    found: Program = get_in_scope(session, scope, Program, program_id, "Program")
    return found


# --- reading ----------------------------------------------------------------------------------


def list_programs(session: Session, scope: Scope, f: ProgramFilter, *, limit: int, offset: int) -> Page[ProgramPublic]:
    """The programmes the caller may see (published ones; their own drafts too) that pass ``f``."""
    rows, total = queries.program_page(session, scope, f, limit=limit, offset=offset)
    return Page(items=programs_public(session, rows), total=total, limit=limit, offset=offset)


def get_program(session: Session, scope: Scope, program_id: int) -> ProgramPublic:
    """One programme the caller may see (404 otherwise)."""
    return _public(session, _program(session, scope, program_id))


def own_program(session: Session, scope: Scope, program_id: int) -> ProgramPublic:
    """A programme of the caller's organisation (admins: any), drafts included; 404 for any other."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(f"Program {program_id} not found")
    require_owner(scope, program.organization_id, "edit programmes", record=f"Program {program_id}")
    return _public(session, program)


def organization_programs(session: Session, scope: Scope, *, organization_id: int) -> list[ProgramPublic]:
    """All of an organisation's programmes, drafts included, by name (its own staff, admins)."""
    require_owner(scope, organization_id, "see an organisation's drafts", record=f"Organization {organization_id}")
    return programs_public(session, queries.programs_of(session, organization_id))


# --- writing ----------------------------------------------------------------------------------


def _check_links(
    session: Session,
    *,
    organization_id: int,
    service_area: list[str] | None,
    location_ids: list[int] | None,
    eligibility: dict[str, Any] | None,
    linked: Collection[int] = (),
) -> None:
    """422 for an unknown region, another organisation's service point, or a closed one not
    ``linked`` already (a programme keeps the closed points it named; it gains no new one)."""
    if service_area:
        require_regions(session, service_area, loc=("body", "service_area"))
    if eligibility:
        require_regions(session, region_codes_in(eligibility), loc=("body", "eligibility"))
    if location_ids:
        own = queries.own_location_ids(session, organization_id, location_ids)
        for lid in location_ids:
            if lid not in own:
                raise InvalidInput(
                    f"location {lid} is not a location of organisation {organization_id}",
                    loc=("body", "location_ids"),
                )
        closed = sorted(queries.closed_location_ids(session, location_ids) - set(linked))
        if closed:
            raise InvalidInput(
                f"location {closed[0]} is closed; reopen it or choose an open one", loc=("body", "location_ids")
            )


def create_program(session: Session, scope: Scope, *, data: ProgramCreate, request_id: str | None) -> ProgramPublic:
    """Register a programme with its service area and locations (the organisation's staff, admins).

    A programme an organisation's staff register starts as ``draft``: facilitators see it once
    its owner publishes it (status ``active``).
    """
    require_owner(scope, data.organization_id, "register programmes", record=f"Organization {data.organization_id}")
    require_row(session, Organization, data.organization_id, loc=("body", "organization_id"), what="organisation")
    _check_links(
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
    for key in DATE_FIELDS:
        setattr(program, key, getattr(data, key))
    session.add(program)
    session.flush()
    assert program.id is not None
    queries.replace_service_area(session, program.id, data.service_area)
    queries.replace_locations(session, program.id, data.location_ids)
    created = {k: (None, v) for k, v in values.items() if v not in (None, [], {})}
    created.update({"service_area": (None, data.service_area), "location_ids": (None, data.location_ids)})
    record_revision(session, program, action="create", changes=created, actor=scope.user_id)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="program",
        entity_id=program.id,
        request_id=request_id,
    )
    session.commit()
    return _public(session, program)


def create_program_as(
    session: Session, scope: Scope, *, data: ProgramCreate, status: ProgramStatus, request_id: str | None
) -> ProgramPublic:
    """Register a programme and bring it to ``status``: a staff programme starts as a draft, so
    publishing it is a second change (a ``publish`` revision)."""
    program = create_program(session, scope, data=data, request_id=request_id)
    if program.status == status:
        return program
    update = ProgramUpdate(version=program.version, status=status)
    return update_program(session, scope, program_id=program.id, data=update, request_id=request_id)


def update_program(
    session: Session, scope: Scope, *, program_id: int, data: ProgramUpdate, request_id: str | None
) -> ProgramPublic:
    """Change a programme (the organisation's staff, admins). Fields left out stay as they are.

    When its staff change a published programme without also setting its status, it goes back
    to ``draft`` until they publish it again; every change is kept as a revision.
    """
    program = _program(session, scope, program_id)
    require_owner(scope, program.organization_id, "edit programmes", record=f"Program {program_id}")
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"version", "service_area", "location_ids"})
    for key in DATE_FIELDS:
        if key in changes:
            changes[key] = getattr(data, key)
    for required in ("name", "kind", "status", "capacity_unit"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if "sectors" in changes and changes["sectors"] is None:
        changes["sectors"] = []
    merged = {**program.model_dump(), **changes}
    try:
        check_program_ranges(merged)
    except ValueError as exc:
        raise InvalidInput(str(exc), loc=("body",)) from exc
    if {"capacity", "capacity_remaining"} & set(changes):
        require_version(program, data.version, what="Program")  # a stale form is a conflict first
        check_places_held(session, program_id, merged)
    new_area = data.service_area if "service_area" in data.model_fields_set else None
    new_locations = data.location_ids if "location_ids" in data.model_fields_set else None
    _check_links(
        session,
        organization_id=program.organization_id,
        service_area=new_area,
        location_ids=new_locations,
        eligibility=changes.get("eligibility"),
        linked=queries.program_location_ids(session, [program_id])[program_id] if new_locations else (),
    )
    edits_content = bool(set(changes) - {"status"}) or new_area is not None or new_locations is not None
    if not scope.is_admin and edits_content and "status" not in changes and program.status in PUBLISHED_STATUSES:
        changes["status"] = ProgramStatus.draft.value
    before = {k: getattr(program, k) for k in changes}
    old_area = queries.service_areas(session, [program_id])[program_id]
    old_locations = queries.program_location_ids(session, [program_id])[program_id]
    update_versioned(session, program, changes, expected_version=data.version, what="Program")
    diff = {k: (before[k], v) for k, v in changes.items() if plain(before[k]) != plain(v)}
    if new_area is not None:
        queries.replace_service_area(session, program_id, new_area)
        if sorted(old_area) != sorted(new_area):
            diff["service_area"] = (sorted(old_area), sorted(new_area))
    if new_locations is not None:
        queries.replace_locations(session, program_id, new_locations)
        if sorted(old_locations) != sorted(new_locations):
            diff["location_ids"] = (sorted(old_locations), sorted(new_locations))
    published = diff.get("status", (None, None))[1] in PUBLISHED_STATUSES and len(diff) == 1
    record_revision(session, program, action="publish" if published else "update", changes=diff, actor=scope.user_id)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="program",
        entity_id=program_id,
        request_id=request_id,
        fields=list(diff),
    )
    session.commit()
    return _public(session, program)


def delete_program(session: Session, scope: Scope, *, program_id: int, request_id: str | None) -> None:
    """Delete a programme nobody was referred to (its organisation's staff, admins); otherwise close it."""
    program = _program(session, scope, program_id)
    require_owner(scope, program.organization_id, "delete programmes", record=f"Program {program_id}")
    if queries.has_referrals(session, program_id):
        raise Conflict("Families were referred to this programme; set its status to closed instead")
    queries.delete_program_links(session, program_id)
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


def approve_service_area(
    session: Session, scope: Scope, *, program_id: int, region_code: str, approved: bool, request_id: str | None
) -> ProgramPublic:
    """Approve (or withdraw the approval of) one service area of a programme (admins only): an
    area beyond the organisation's own region widens its staff's reach only once approved."""
    require_admin(scope, "approve service areas")
    program = _program(session, scope, program_id)
    row = queries.service_area_row(session, program_id, region_code)
    if row is None:
        raise NotFound(f"Program {program_id} does not serve region {region_code}")
    row.approved_at = utcnow() if approved else None
    row.approved_by = scope.user_id if approved else None
    session.add(row)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="approve_area" if approved else "unapprove_area",
        entity="program",
        entity_id=program_id,
        request_id=request_id,
        fields=[region_code],
    )
    session.commit()
    return _public(session, program)
