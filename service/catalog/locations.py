"""An organisation's service points: listing, adding, editing, closing and reopening them.

A closed service point (``closed_on`` set, today or earlier) stays on record, with the programmes
that were offered there, but is no longer published (HSDS) nor offered for new programmes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from models.organizations import (
    Location,
    LocationClose,
    LocationCreate,
    LocationPublic,
    LocationUpdate,
    Organization,
)
from service.catalog import queries
from service.catalog.access import require_owner
from service.core.audit import record_event
from service.core.records import update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, InvalidInput, NotFound


def location_public(location: Location) -> LocationPublic:
    """The API's form of a service point (``is_open``: not closed)."""
    return LocationPublic.model_validate({**location.model_dump(), "is_open": location.closed_on is None})


def _organization_id(session: Session, scope: Scope, organization_id: int) -> int:
    org: Organization = get_in_scope(session, scope, Organization, organization_id, "Organization")
    assert org.id is not None
    return org.id


def _location(session: Session, scope: Scope, organization_id: int, location_id: int) -> Location:
    """The organisation's service point ``location_id`` if the caller may see both (404 otherwise)."""
    _organization_id(session, scope, organization_id)
    location: Location = get_in_scope(session, scope, Location, location_id, "Location")
    if location.organization_id != organization_id:
        raise NotFound(f"Location {location_id} not found")
    return location


def list_locations(
    session: Session, scope: Scope, *, organization_id: int, by_name: bool = False, open_only: bool = False
) -> list[LocationPublic]:
    """An organisation's service points, by id (or by name), if the caller may see it
    (``open_only``: without the closed ones)."""
    _organization_id(session, scope, organization_id)
    rows = queries.locations_of(session, organization_id, by_name=by_name)
    return [location_public(r) for r in rows if not (open_only and r.closed_on is not None)]


def get_location(
    session: Session, scope: Scope, *, location_id: int, organization_id: int | None = None
) -> LocationPublic:
    """One service point the caller may see (of the organisation ``organization_id``, when given)."""
    if organization_id is not None:
        return location_public(_location(session, scope, organization_id, location_id))
    found: Location = get_in_scope(session, scope, Location, location_id, "Location")
    return location_public(found)


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as the table keeps them: the week's hours as plain dicts, e-mail as text."""
    out = dict(values)
    if out.get("opening_hours") is not None:
        out["opening_hours"] = [
            {"day": str(h["day"]), "opens": h["opens"], "closes": h["closes"]} for h in out["opening_hours"]
        ]
    return out


def add_location(
    session: Session, scope: Scope, *, org: int, data: LocationCreate, request_id: str | None
) -> LocationPublic:
    """Add a service point to the organisation ``org`` (its own staff, admins)."""
    org_id = _organization_id(session, scope, org)
    require_owner(scope, org_id, "add locations", record=f"Organization {org_id}")
    require_regions(session, [data.region_code], loc=("body", "region_code"))
    location = Location(organization_id=org_id, **_stored(data.model_dump(mode="json")))
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
    return location_public(location)


def _check_closing(day: date | None, today: date) -> None:
    if day is not None and day > today:
        raise InvalidInput(
            f"closed_on: a service point is closed from today ({today.isoformat()}) or an earlier day, "
            "not a day to come",
            loc=("body", "closed_on"),
        )


def update_location(
    session: Session,
    scope: Scope,
    *,
    organization_id: int,
    location_id: int,
    data: LocationUpdate,
    today: date,
    request_id: str | None,
) -> LocationPublic:
    """Change a service point: name, place, contact, opening hours; ``closed_on`` closes it
    (or, null, reopens it). Its organisation's staff and admins; send the version you read."""
    location = _location(session, scope, organization_id, location_id)
    require_owner(scope, organization_id, "change locations", record=f"Location {location_id}")
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    for required in ("name", "region_code"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if changes.get("region_code"):
        require_regions(session, [changes["region_code"]], loc=("body", "region_code"))
    if "closed_on" in changes:
        _check_closing(data.closed_on, today)
        changes["closed_on"] = data.closed_on
    update_versioned(session, location, _stored(changes), expected_version=data.version, what="Location")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="location",
        entity_id=location.id,
        request_id=request_id,
        fields=sorted(changes),
    )
    session.commit()
    return location_public(location)


def close_location(
    session: Session,
    scope: Scope,
    *,
    organization_id: int,
    location_id: int,
    data: LocationClose,
    today: date,
    request_id: str | None,
) -> LocationPublic:
    """Close a service point from ``closed_on`` (default today); 409 when it is closed already."""
    location = _location(session, scope, organization_id, location_id)
    require_owner(scope, organization_id, "close locations", record=f"Location {location_id}")
    if location.closed_on is not None:
        raise Conflict(f"Location {location_id} is closed already (since {location.closed_on.isoformat()})")
    day = data.closed_on or today
    _check_closing(day, today)
    version = location.version if data.version is None else data.version
    update_versioned(session, location, {"closed_on": day}, expected_version=version, what="Location")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="close",
        entity="location",
        entity_id=location.id,
        request_id=request_id,
        fields=["closed_on"],
    )
    session.commit()
    return location_public(location)
