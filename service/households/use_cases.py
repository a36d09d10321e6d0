"""Households (KPM) and their businesses: reading in scope, writing with checks."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

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
    PkhStatus,
)
from models.protection import mask_nik, nik_hash
from models.types import utcnow
from models.users import Role
from service.core.audit import audited_read, record_event
from service.core.paging import Page
from service.core.records import require_row, update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.households import queries
from service.households.queries import HouseholdFilter


def household_public(household: Household, businesses: list[Business]) -> HouseholdPublic:
    """The household as its facilitator sees it: NIK masked, businesses attached."""
    data = household.model_dump()
    data["businesses"] = [BusinessPublic.model_validate(b.model_dump()) for b in businesses]
    return HouseholdPublic.model_validate(data)


def _public(session: Session, household: Household) -> HouseholdPublic:
    assert household.id is not None
    return household_public(household, queries.businesses_by_household(session, [household.id])[household.id])


def _household_page(
    session: Session, scope: Scope, f: HouseholdFilter, *, limit: int, offset: int
) -> Page[HouseholdPublic]:
    scope.require_list(Household, "household records")
    rows, total = queries.household_page(session, scope, f, limit=limit, offset=offset)
    businesses = queries.businesses_by_household(session, [h.id for h in rows if h.id is not None])
    items = [household_public(h, businesses[h.id]) for h in rows if h.id is not None]
    return Page(items=items, total=total, limit=limit, offset=offset)


def list_households(
    session: Session, scope: Scope, f: HouseholdFilter, *, limit: int, offset: int, request_id: str | None = None
) -> Page[HouseholdPublic]:
    """The households in the caller's caseload (admins: all) that pass ``f``; audited."""
    with audited_read(session, scope, entity="household", request_id=request_id, action="list"):
        page = _household_page(session, scope, f, limit=limit, offset=offset)
    return page


def lookup_by_nik(
    session: Session, scope: Scope, *, nik: str, nik_key: bytes, request_id: str | None = None
) -> Page[HouseholdPublic]:
    """The household of ``nik`` if it is in the caller's caseload (else an empty page); audited."""
    found = _household_page(session, scope, HouseholdFilter(nik_digest=nik_hash(nik, key=nik_key)), limit=1, offset=0)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="lookup",
        entity="household",
        entity_id=found.items[0].id if found.items else None,
        request_id=request_id,
        fields=["nik"],
    )
    session.commit()
    return found


NIK_REFUSED = "This NIK cannot be used for this family; contact the administrator"


def _refuse_nik_clash(session: Session, scope: Scope, household_id: int | None, request_id: str | None) -> Conflict:
    """Audit a NIK already held by another household and answer without saying whose it is.

    Administrators see every household, so they are told the NIK is taken; anyone else gets the
    same neutral answer whether the other household is in their caseload or not.
    """
    session.rollback()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="nik_refused",
        entity="household",
        entity_id=household_id,
        request_id=request_id,
        fields=["nik"],
        outcome="denied",
    )
    session.commit()
    return Conflict("A household with this NIK is already registered" if scope.is_admin else NIK_REFUSED)


def get_household(
    session: Session, scope: Scope, household_id: int, *, request_id: str | None = None
) -> HouseholdPublic:
    """One household in the caller's caseload, with its businesses; audited (refusals too)."""
    with audited_read(session, scope, entity="household", entity_id=household_id, request_id=request_id):
        household: Household = get_in_scope(session, scope, Household, household_id, "Household")
        found = _public(session, household)
    return found


def _group_in_scope(session: Session, scope: Scope, group_id: int | None) -> KpmGroup | None:
    """The KPM group a household is put into: one the caller may see (a facilitator: their own);
    any other answers as an unknown group would (422), never confirming it exists."""
    if group_id is None:
        return None
    try:
        group: KpmGroup = get_in_scope(session, scope, KpmGroup, group_id, "KPM group")
    except NotFound:
        raise InvalidInput(
            f"KPM group {group_id} does not exist", loc=("body", "group_id"), kind="unknown_reference"
        ) from None
    return group


def _check_references(session: Session, scope: Scope, data: dict[str, Any], village_code: str) -> None:
    if "village_code" in data:
        require_regions(session, [data["village_code"]], loc=("body", "village_code"), level="village")
    group = _group_in_scope(session, scope, data.get("group_id"))
    if group is not None and group.village_code != village_code:
        raise InvalidInput(
            f"KPM group {group.id} meets in village {group.village_code}, not {village_code}",
            loc=("body", "group_id"),
        )
    require_row(session, Facilitator, data.get("facilitator_id"), loc=("body", "facilitator_id"), what="facilitator")


def create_household(
    session: Session, *, data: HouseholdCreate, scope: Scope, nik_key: bytes, request_id: str | None
) -> HouseholdPublic:
    """Register a household; the NIK is hashed and masked, never stored in clear."""
    if not scope.is_admin:
        raise Forbidden("Only administrators register households")
    fields = data.model_dump(exclude={"nik"})
    _check_references(session, scope, fields, data.village_code)
    digest = nik_hash(data.nik, key=nik_key)
    if queries.nik_taken(session, digest):
        raise Conflict("A household with this NIK is already registered")
    if queries.pkh_id_taken(session, data.pkh_id):
        raise Conflict(f"A household with PKH id {data.pkh_id} is already registered")
    household = Household(**fields, nik_hash=digest, nik_masked=mask_nik(data.nik))
    if household.pkh_status is not PkhStatus.active:
        household.exited_on = utcnow().date()
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
    return _public(session, household)


def update_household(
    session: Session,
    *,
    household_id: int,
    data: HouseholdUpdate,
    scope: Scope,
    nik_key: bytes,
    request_id: str | None,
) -> HouseholdPublic:
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
        if queries.nik_taken(session, digest, except_id=household.id):
            raise _refuse_nik_clash(session, scope, household.id, request_id)
        changes["nik_hash"] = digest
        changes["nik_masked"] = mask_nik(nik)
    for required in ("head_name", "village_code", "pkh_status"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    _check_references(session, scope, changes, changes.get("village_code", household.village_code))
    if "village_code" in changes and "group_id" not in changes and household.group_id is not None:
        group = session.get(KpmGroup, household.group_id)
        if group is not None and group.village_code != changes["village_code"]:
            raise InvalidInput(
                "the household's KPM group meets in another village; send a group_id of the new village (or null)",
                loc=("body", "group_id"),
            )
    if "group_id" in changes and changes["group_id"] != household.group_id:  # a leader who leaves stops leading
        assert household.id is not None
        queries.drop_leaders(session, queries.leaders_leaving(session, [household.id], staying_in=changes["group_id"]))
    if "pkh_status" in changes and (changes["pkh_status"] == PkhStatus.active) != (
        household.pkh_status == PkhStatus.active
    ):  # UU PDP retention counts from the day the family left PKH
        changes["exited_on"] = None if changes["pkh_status"] == PkhStatus.active else utcnow().date()
    update_versioned(session, household, changes, expected_version=data.version, what="Household")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="household",
        entity_id=household.id,
        request_id=request_id,
        fields=["nik" if k.startswith("nik_") else k for k in changes if k != "exited_on"],
    )
    session.commit()
    return _public(session, household)


def delete_household(session: Session, *, household_id: int, scope: Scope, request_id: str | None) -> None:
    """Remove a household with no referrals (those are history and are kept)."""
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if not scope.is_admin:
        raise Forbidden("Only administrators delete households")
    if queries.has_referrals(session, household_id):
        raise Conflict("This household has referrals, which are kept as history; set pkh_status to exited instead")
    queries.forget_household(session, household_id)
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
) -> BusinessPublic:
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
    return BusinessPublic.model_validate(business.model_dump())


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
) -> BusinessPublic:
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
    return BusinessPublic.model_validate(business.model_dump())


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
