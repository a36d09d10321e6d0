"""Who may see what: the one place that turns a user's role into row filters.

Every endpoint that lists or fetches records filters them through ``Scope.where``; a record
outside the caller's scope looks exactly like one that does not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel, col, select

from models.households import Business, Facilitator, FacilitatorVillage, Household, KpmGroup
from models.jobs import Job
from models.network import Forum
from models.organizations import Location, Organization, Program, ProgramServiceArea, ProgramStatus
from models.regions import Region
from models.types import code_within
from models.users import Role, User
from service.core.regions import require_regions
from service.errors import Conflict, Forbidden, NotFound

M = TypeVar("M", bound=SQLModel)


def within(column: Any, scope_code: str) -> ColumnElement[bool]:
    """SQL: the region code in ``column`` lies in (or is) ``scope_code``."""
    return sa.or_(column == scope_code, column.like(scope_code + ".%"))


def overlaps(column: Any, scope_code: str) -> ColumnElement[bool]:
    """SQL: region ``column`` and ``scope_code`` share ground (one contains the other)."""
    return sa.or_(within(column, scope_code), sa.literal(scope_code).like(column.concat(".%")))


def in_processing() -> ColumnElement[bool]:
    """SQL: households whose data may be processed (matched, planned, mapped, referred): not
    restricted by the family (UU PDP art. 11) and not anonymised."""
    return sa.and_(col(Household.restricted_at).is_(None), col(Household.anonymised_at).is_(None))


def require_in_processing(household: Household) -> None:
    """Raise 409 when the family has restricted the processing of its data."""
    if household.restricted_at is not None or household.anonymised_at is not None:
        raise Conflict(
            f"household {household.id}: the family has restricted the processing of its data (UU PDP art. 11); "
            "it is not matched, planned, mapped or referred until the restriction is lifted"
        )


@dataclass(frozen=True)
class Scope:
    """The caller's reach, derived from their role and its link."""

    user_id: int | None  # None: the service itself (a command run without an account)
    role: Role
    facilitator_id: int | None = None
    organization_id: int | None = None
    forum_id: int | None = None
    forum_region: str | None = None

    @classmethod
    def for_user(cls, session: Session, user: User) -> Scope:
        """Build the scope of ``user``; a role missing its link sees nothing."""
        forum_region = None
        if user.role is Role.forum_organizer and user.forum_id is not None:
            forum = session.get(Forum, user.forum_id)
            forum_region = forum.region_code if forum else None
        assert user.id is not None
        return cls(
            user_id=user.id,
            role=Role(user.role),
            facilitator_id=user.facilitator_id,
            organization_id=user.organization_id,
            forum_id=user.forum_id,
            forum_region=forum_region,
        )

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def linked(self) -> bool:
        """Whether the role's link exists: a facilitator record, an organisation, a forum."""
        if self.role is Role.facilitator:
            return self.facilitator_id is not None
        if self.role is Role.agency_staff:
            return self.organization_id is not None
        if self.role is Role.forum_organizer:
            return self.forum_region is not None
        return True

    # --- row filters --------------------------------------------------------------------------

    def where(self, model: type[Any]) -> ColumnElement[bool]:
        """The filter that keeps only the rows of ``model`` this caller may see."""
        method = _FILTERS.get(model)
        if method is None:
            raise TypeError(f"no scoping rule for {model.__name__}")
        clause: ColumnElement[bool] = method(self)
        return clause

    def may_list(self, model: type[Any]) -> bool:
        """Whether this role may ask for a list of ``model`` at all."""
        return self.role in _LISTERS.get(model, set(Role))

    def require_list(self, model: type[Any], what: str) -> None:
        """Raise 403 when the role may not list ``model``."""
        if not self.may_list(model):
            raise Forbidden(f"Your role ({self.role.value}) does not see {what}")

    def _households(self) -> ColumnElement[bool]:
        present = col(Household.anonymised_at).is_(None)  # an anonymised family is no one's record
        if self.is_admin:
            return present
        if self.role is Role.facilitator and self.facilitator_id is not None:
            return sa.and_(present, col(Household.facilitator_id) == self.facilitator_id)
        return sa.false()

    def _businesses(self) -> ColumnElement[bool]:
        return col(Business.household_id).in_(select(Household.id).where(self._households()))

    def _groups(self) -> ColumnElement[bool]:
        if self.is_admin:
            return sa.true()
        if self.role is Role.facilitator and self.facilitator_id is not None:
            return col(KpmGroup.facilitator_id) == self.facilitator_id
        return sa.false()

    def _organizations(self) -> ColumnElement[bool]:
        if self.role in (Role.admin, Role.facilitator):
            return sa.true()
        if self.role is Role.agency_staff and self.organization_id is not None:
            return col(Organization.id) == self.organization_id
        if self.role is Role.forum_organizer and self.forum_region:
            serving = (
                select(Program.organization_id)
                .join(ProgramServiceArea, col(ProgramServiceArea.program_id) == col(Program.id))
                .where(
                    col(Program.status) != ProgramStatus.draft,
                    overlaps(ProgramServiceArea.region_code, self.forum_region),
                )
            )
            return sa.or_(within(Organization.region_code, self.forum_region), col(Organization.id).in_(serving))
        return sa.false()

    def _locations(self) -> ColumnElement[bool]:
        if self.role in (Role.admin, Role.facilitator):
            return sa.true()
        return col(Location.organization_id).in_(select(Organization.id).where(self._organizations()))

    def _programs(self) -> ColumnElement[bool]:
        published = col(Program.status) != ProgramStatus.draft
        if self.is_admin:
            return sa.true()
        if self.role is Role.facilitator:
            return published
        if self.role is Role.agency_staff:
            if self.organization_id is None:
                return published
            return sa.or_(published, col(Program.organization_id) == self.organization_id)
        if self.role is Role.forum_organizer and self.forum_region:
            in_region_orgs = select(Organization.id).where(within(Organization.region_code, self.forum_region))
            serving = select(ProgramServiceArea.program_id).where(
                overlaps(ProgramServiceArea.region_code, self.forum_region)
            )
            return sa.and_(
                published,
                sa.or_(col(Program.organization_id).in_(in_region_orgs), col(Program.id).in_(serving)),
            )
        return sa.false()

    def _facilitators(self) -> ColumnElement[bool]:
        if self.is_admin:
            return sa.true()
        if self.role is Role.facilitator and self.facilitator_id is not None:
            return col(Facilitator.id) == self.facilitator_id
        if self.role is Role.forum_organizer and self.forum_region:
            serving = select(FacilitatorVillage.facilitator_id).where(
                within(FacilitatorVillage.village_code, self.forum_region)
            )
            return sa.or_(
                col(Facilitator.id).in_(serving),
                sa.and_(
                    col(Facilitator.region_code).is_not(None),
                    within(Facilitator.region_code, self.forum_region),
                ),
            )
        return sa.false()

    def _jobs(self) -> ColumnElement[bool]:
        if self.is_admin:
            return sa.true()
        return col(Job.owner_user_id) == self.user_id

    def _regions(self) -> ColumnElement[bool]:
        return sa.true()


_FILTERS: dict[type[Any], Callable[[Scope], ColumnElement[bool]]] = {
    Household: Scope._households,
    Business: Scope._businesses,
    KpmGroup: Scope._groups,
    Organization: Scope._organizations,
    Location: Scope._locations,
    Program: Scope._programs,
    Facilitator: Scope._facilitators,
    Region: Scope._regions,
    Job: Scope._jobs,
}

_LISTERS: dict[type[Any], set[Role]] = {
    Household: {Role.admin, Role.facilitator},
    Business: {Role.admin, Role.facilitator},
    KpmGroup: {Role.admin, Role.facilitator},
    Facilitator: {Role.admin, Role.facilitator, Role.forum_organizer},
}


def get_in_scope(session: Session, scope: Scope, model: type[M], record_id: int | str, what: str) -> M:
    """Fetch one record the caller may see, or raise 404 saying only that it was not found."""
    pk = sa.inspect(model).primary_key[0]
    row = session.exec(select(model).where(pk == record_id, scope.where(model))).first()
    if row is None:
        raise NotFound(f"{what} {record_id} not found")
    return row


def _regency(code: str) -> str:
    return ".".join(code.split(".")[:2])


def reach_of(session: Session, scope: Scope) -> list[str] | None:
    """The region codes the caller's analyses may cover (``None``: everywhere, for admins).

    A forum organiser: their forum's region; a facilitator: the regencies of their villages; an
    agency: its published programmes' service areas, those beyond its own region only once an
    admin approved them (``widens_reach``); a draft never widens it.
    """
    if scope.is_admin:
        return None
    if scope.role is Role.forum_organizer and scope.forum_region:
        return [scope.forum_region]
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        villages = session.exec(
            select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == scope.facilitator_id)
        ).all()
        return sorted({_regency(v) for v in villages})
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        rows = session.exec(
            select(ProgramServiceArea.region_code, ProgramServiceArea.approved_at, Organization.region_code)
            .join(Program, col(Program.id) == col(ProgramServiceArea.program_id))
            .join(Organization, col(Organization.id) == col(Program.organization_id))
            .where(
                Program.organization_id == scope.organization_id,
                col(Program.status).in_(REACH_STATUSES),
            )
        ).all()
        return sorted({code for code, approved_at, home in rows if widens_reach(code, home, approved_at is not None)})
    return []


# Programmes whose service areas count in their organisation's reach: published ones, not drafts
# (which anyone may write) nor closed ones.
REACH_STATUSES = (ProgramStatus.active, ProgramStatus.paused)


def widens_reach(area: str, home_region: str | None, approved: bool) -> bool:
    """Whether a published programme's service ``area`` counts in its organisation's reach: inside
    the organisation's own region (``home_region``), or approved by an admin."""
    return approved or (home_region is not None and code_within(area, home_region))


def clip_to_reach(codes: list[str], reach: list[str] | None) -> list[str]:
    """The parts of the regions ``codes`` that lie in ``reach`` (``None``: everywhere): a code inside
    a reach region is kept, a reach region inside a code is kept in its place."""
    if reach is None:
        return sorted(set(codes))
    kept = {c for c in codes if any(code_within(c, r) for r in reach)}
    kept |= {r for r in reach for c in codes if code_within(r, c)}
    return sorted(kept)


def require_region_in_reach(session: Session, scope: Scope, region: str) -> None:
    """422 for an unknown code; 404 for a region outside the caller's reach (``reach_of``)."""
    require_regions(session, [region], loc=("query", "region"))
    reach = reach_of(session, scope)
    if reach is None:
        return
    if scope.role is Role.forum_organizer:
        if any(code_within(region, r) for r in reach):
            return
    elif any(code_within(region, r) or code_within(r, region) for r in reach):
        return
    raise NotFound(f"region {region} not found")
