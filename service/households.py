"""Households (KPM) and their businesses: reading in scope, writing with checks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from models.households import (
    Business,
    BusinessCreate,
    BusinessPublic,
    BusinessUpdate,
    Facilitator,
    Household,
    HouseholdCreate,
    HouseholdPublic,
    HouseholdUpdate,
    KpmGroup,
)
from models.protection import mask_nik, nik_hash
from models.referrals import Referral
from models.users import Role
from service.core.audit import record_event
from service.core.records import require_row, update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope, within
from service.errors import Conflict, Forbidden, InvalidInput, NotFound


def household_public(household: Household, businesses: list[Business]) -> HouseholdPublic:
    """The household as its facilitator sees it: NIK masked, businesses attached."""
    data = household.model_dump()
    data["businesses"] = [BusinessPublic.model_validate(b.model_dump()) for b in businesses]
    return HouseholdPublic.model_validate(data)


def businesses_by_household(session: Session, household_ids: list[int]) -> dict[int, list[Business]]:
    """All businesses of the given households, in one query."""
    out: dict[int, list[Business]] = {hid: [] for hid in household_ids}
    if not household_ids:
        return out
    rows = session.exec(
        select(Business).where(Business.household_id.in_(household_ids)).order_by(Business.id)  # type: ignore[attr-defined]
    )
    for b in rows:
        out[b.household_id].append(b)
    return out


def household_filters(
    *,
    region: str | None = None,
    group_id: int | None = None,
    facilitator_id: int | None = None,
    pkh_status: str | None = None,
    has_business: bool | None = None,
    q: str | None = None,
    nik_digest: str | None = None,
) -> list[Any]:
    """SQL filters for the household list."""
    clauses: list[Any] = []
    if region:
        clauses.append(within(Household.village_code, region))
    if group_id is not None:
        clauses.append(Household.group_id == group_id)
    if facilitator_id is not None:
        clauses.append(Household.facilitator_id == facilitator_id)
    if pkh_status:
        clauses.append(Household.pkh_status == pkh_status)
    if has_business is not None:
        exists = sa.exists().where(Business.household_id == Household.id)
        clauses.append(exists if has_business else ~exists)
    if q:
        pattern = f"%{q.lower()}%"
        clauses.append(
            sa.or_(sa.func.lower(Household.head_name).like(pattern), sa.func.lower(Household.pkh_id).like(pattern))
        )
    if nik_digest:
        clauses.append(Household.nik_hash == nik_digest)
    return clauses


def _check_references(session: Session, data: dict[str, Any], village_code: str) -> None:
    if "village_code" in data:
        require_regions(session, [data["village_code"]], loc=("body", "village_code"), level="village")
    group = require_row(session, KpmGroup, data.get("group_id"), loc=("body", "group_id"), what="KPM group")
    if group is not None and group.village_code != village_code:
        raise InvalidInput(
            f"KPM group {group.id} meets in village {group.village_code}, not {village_code}",
            loc=("body", "group_id"),
        )
    require_row(session, Facilitator, data.get("facilitator_id"), loc=("body", "facilitator_id"), what="facilitator")


def _nik_taken(session: Session, digest: str, *, except_id: int | None = None) -> bool:
    stmt = select(Household.id).where(Household.nik_hash == digest)
    if except_id is not None:
        stmt = stmt.where(Household.id != except_id)
    return session.exec(stmt).first() is not None


def create_household(
    session: Session, *, data: HouseholdCreate, scope: Scope, nik_key: bytes, request_id: str | None
) -> Household:
    """Register a household; the NIK is hashed and masked, never stored in clear."""
    if not scope.is_admin:
        raise Forbidden("Only administrators register households")
    fields = data.model_dump(exclude={"nik"})
    _check_references(session, fields, data.village_code)
    digest = nik_hash(data.nik, key=nik_key)
    if _nik_taken(session, digest):
        raise Conflict("A household with this NIK is already registered")
    if session.exec(select(Household.id).where(Household.pkh_id == data.pkh_id)).first():
        raise Conflict(f"A household with PKH id {data.pkh_id} is already registered")
    household = Household(**fields, nik_hash=digest, nik_masked=mask_nik(data.nik))
    session.add(household)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="household",
        entity_id=household.id,
        request_id=request_id,
    )
    session.commit()
    return household


def update_household(
    session: Session,
    *,
    household_id: int,
    data: HouseholdUpdate,
    scope: Scope,
    nik_key: bytes,
    request_id: str | None,
) -> Household:
    """Change a household the caller may edit (admins; its own facilitator)."""
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if scope.role not in (Role.admin, Role.facilitator):
        raise Forbidden("Only administrators and the household's facilitator edit households")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if (
        scope.role is Role.facilitator
        and "facilitator_id" in changes
        and changes["facilitator_id"] != household.facilitator_id
    ):
        raise Forbidden("Only administrators move a household to another facilitator")
    if "nik" in changes:
        nik = changes.pop("nik")
        if nik is None:
            raise InvalidInput("nik cannot be removed", loc=("body", "nik"))
        digest = nik_hash(nik, key=nik_key)
        if _nik_taken(session, digest, except_id=household.id):
            raise Conflict("A household with this NIK is already registered")
        changes["nik_hash"] = digest
        changes["nik_masked"] = mask_nik(nik)
    for required in ("head_name", "village_code", "pkh_status"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    _check_references(session, changes, changes.get("village_code", household.village_code))
    if "village_code" in changes and "group_id" not in changes and household.group_id is not None:
        group = session.get(KpmGroup, household.group_id)
        if group is not None and group.village_code != changes["village_code"]:
            raise InvalidInput(
                "the household's KPM group meets in another village; send a group_id of the new village (or null)",
                loc=("body", "group_id"),
            )
    update_versioned(session, household, changes, expected_version=data.version, what="Household")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="household",
        entity_id=household.id,
        request_id=request_id,
        fields=["nik" if k.startswith("nik_") else k for k in changes],
    )
    session.commit()
    return household


def delete_household(session: Session, *, household_id: int, scope: Scope, request_id: str | None) -> None:
    """Remove a household with no referrals (those are history and are kept)."""
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if not scope.is_admin:
        raise Forbidden("Only administrators delete households")
    if session.exec(select(Referral.id).where(Referral.household_id == household_id)).first():
        raise Conflict("This household has referrals, which are kept as history; set pkh_status to exited instead")
    session.execute(
        sa.update(KpmGroup).where(KpmGroup.leader_household_id == household_id).values(leader_household_id=None)
    )
    session.execute(sa.delete(Business).where(Business.household_id == household_id))  # type: ignore[arg-type]
    session.delete(household)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="delete",
        entity="household",
        entity_id=household_id,
        request_id=request_id,
    )
    session.commit()


def _require_household_editor(session: Session, scope: Scope, household_id: int) -> Household:
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if scope.role not in (Role.admin, Role.facilitator):
        raise Forbidden("Only administrators and the household's facilitator edit businesses")
    return household


def add_business(
    session: Session, *, household_id: int, data: BusinessCreate, scope: Scope, request_id: str | None
) -> Business:
    """Record a micro-business of a household in the caller's care."""
    _require_household_editor(session, scope, household_id)
    business = Business(household_id=household_id, **data.model_dump())
    session.add(business)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="business",
        entity_id=business.id,
        request_id=request_id,
    )
    session.commit()
    return business


def _business_in(session: Session, household_id: int, business_id: int) -> Business:
    business = session.get(Business, business_id)
    if business is None or business.household_id != household_id:
        raise NotFound(f"Business {business_id} not found")
    return business


def update_business(
    session: Session,
    *,
    household_id: int,
    business_id: int,
    data: BusinessUpdate,
    scope: Scope,
    request_id: str | None,
) -> Business:
    """Change a business of a household in the caller's care."""
    _require_household_editor(session, scope, household_id)
    business = _business_in(session, household_id, business_id)
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    if "started_on" in changes:
        changes["started_on"] = data.started_on
    if "sector" in changes and changes["sector"] is None:
        raise InvalidInput("sector cannot be empty", loc=("body", "sector"))
    for listed in ("sales_channels", "needs"):
        if listed in changes and changes[listed] is None:
            changes[listed] = []
    update_versioned(session, business, changes, expected_version=data.version, what="Business")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="business",
        entity_id=business.id,
        request_id=request_id,
        fields=list(changes),
    )
    session.commit()
    return business


def delete_business(
    session: Session, *, household_id: int, business_id: int, scope: Scope, request_id: str | None
) -> None:
    """Remove a business of a household in the caller's care."""
    _require_household_editor(session, scope, household_id)
    business = _business_in(session, household_id, business_id)
    session.delete(business)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="delete",
        entity="business",
        entity_id=business_id,
        request_id=request_id,
    )
    session.commit()
