"""Organisations and their service points: listing in scope, registering, editing, verifying."""

from __future__ import annotations

from sqlmodel import Session

from models.organizations import (
    Organization,
    OrganizationCreate,
    OrganizationKind,
    OrganizationPublic,
    OrganizationUpdate,
)
from models.types import code_within, utcnow
from models.users import Role
from service.catalog import queries
from service.catalog.access import require_admin, require_owner
from service.catalog.queries import OrganizationFilter
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput


def organization_public(org: Organization) -> OrganizationPublic:
    return OrganizationPublic.model_validate(org.model_dump())


NATIONAL_KINDS = frozenset({OrganizationKind.ministry_programme})


def is_national(org: Organization) -> bool:
    """A national body: a ministry's programme, or an organisation with no region."""
    return org.kind in NATIONAL_KINDS or not org.region_code


def _organization(session: Session, scope: Scope, organization_id: int) -> Organization:
    found: Organization = get_in_scope(session, scope, Organization, organization_id, "Organization")
    return found


def list_organizations(
    session: Session, scope: Scope, f: OrganizationFilter, *, limit: int, offset: int
) -> Page[OrganizationPublic]:
    """The organisations the caller may see that pass ``f``, one page, by id."""
    rows, total = queries.organization_page(session, scope, f, limit=limit, offset=offset)
    return Page(items=[organization_public(r) for r in rows], total=total, limit=limit, offset=offset)


def organization_choices(session: Session, scope: Scope) -> list[OrganizationPublic]:
    """Every organisation the caller may see, by name (an administrator choosing one)."""
    return [organization_public(r) for r in queries.organizations_by_name(session, scope)]


def get_organization(session: Session, scope: Scope, organization_id: int) -> OrganizationPublic:
    """One organisation the caller may see (404 otherwise)."""
    return organization_public(_organization(session, scope, organization_id))


def create_organization(
    session: Session, scope: Scope, *, data: OrganizationCreate, request_id: str | None
) -> OrganizationPublic:
    """Register an organisation (admins)."""
    require_admin(scope, "register organisations")
    require_regions(session, [data.region_code], loc=("body", "region_code"))
    values = data.model_dump()
    values["website"] = str(data.website) if data.website else None
    if queries.organization_named(session, data.name, data.region_code) is not None:
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
    return organization_public(org)


ADMIN_ONLY_FIELDS = ("region_code", "kind")


def _refuse_staff_moves(org: Organization, changes: dict[str, object]) -> None:
    """403 when staff change their organisation's region or kind: its region is their reach (#6),
    its kind whether it is a national body. The same value sent back (a whole form) is no change."""
    for name in ADMIN_ONLY_FIELDS:
        if name in changes and changes[name] != getattr(org, name):
            raise Forbidden(f"Only administrators change an organisation's {name}; ask an administrator to change it")


def update_organization(
    session: Session, scope: Scope, *, organization_id: int, data: OrganizationUpdate, request_id: str | None
) -> OrganizationPublic:
    """Change an organisation's profile (its own staff, admins)."""
    org = _organization(session, scope, organization_id)
    require_owner(scope, organization_id, "edit an organisation's profile", record=f"Organization {organization_id}")
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    for required in ("name", "kind", "region_code"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if not scope.is_admin:
        _refuse_staff_moves(org, changes)
    if changes.get("region_code"):
        require_regions(session, [changes["region_code"]], loc=("body", "region_code"))
    renamed = "name" in changes and changes["name"] != org.name
    update_versioned(session, org, changes, expected_version=data.version, what="Organization")
    if renamed and not scope.is_admin:
        # The mark vouches for the organisation under its name: renamed by its staff, it is checked again.
        org.verified_at = None
        org.verified_by = None
        session.add(org)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="organization",
        entity_id=org.id,
        request_id=request_id,
        fields=[*changes, "verified_at"] if renamed and not scope.is_admin else list(changes),
    )
    session.commit()
    return organization_public(org)


def delete_organization(session: Session, scope: Scope, *, organization_id: int, request_id: str | None) -> None:
    """Delete an organisation that offers no programme (admins)."""
    org = _organization(session, scope, organization_id)
    require_admin(scope, "delete organisations")
    if queries.has_programs(session, organization_id):
        raise Conflict("This organisation still has programmes; close or delete them first")
    queries.delete_locations(session, organization_id)
    session.delete(org)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="delete",
        entity="organization",
        entity_id=organization_id,
        request_id=request_id,
    )
    session.commit()


def set_verified(
    session: Session, scope: Scope, *, organization_id: int, verified: bool, request_id: str | None
) -> OrganizationPublic:
    """Mark an organisation verified (or not) after checking it: admins anywhere; forum organisers
    only organisations based in their forum's region, and never a national body (admins only)."""
    org = _organization(session, scope, organization_id)
    if not (scope.is_admin or scope.role is Role.forum_organizer):
        raise Forbidden("Only administrators and forum organisers verify organisations")
    if not scope.is_admin:
        if is_national(org):
            raise Forbidden("Only administrators verify a national body")
        if not (scope.forum_region and org.region_code and code_within(org.region_code, scope.forum_region)):
            raise Forbidden("Forum organisers verify only organisations based in their forum's region")
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
    return organization_public(org)
