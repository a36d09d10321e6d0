"""The graduation record (date, type, reason) that sets the family's ``pkh_status``, and the alerts
for families near the 5-year mark in PKH with no pathway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session, col

from mapping.graduation import NEAR_FIVE_YEARS, in_follow_up, near_five_years
from models.graduation import Graduation, GraduationCreate, GraduationPublic
from models.households import Household, PkhStatus
from models.users import Role
from service.core.audit import record_event
from service.core.records import update_versioned
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput
from service.graduation import queries


def record_graduation(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    data: GraduationCreate,
    today: date,
    request_id: str | None = None,
) -> GraduationPublic:
    """Record the graduation of a family in the caller's care (404 otherwise; 409 when it already
    left PKH): sets ``pkh_status`` and ``exited_on``; audited. Check-ins go on for 12 months."""
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if scope.role not in (Role.admin, Role.facilitator):
        raise Forbidden("Only administrators and the family's facilitator record a graduation")
    if household.pkh_status is not PkhStatus.active or queries.graduation_of(session, household_id) is not None:
        raise Conflict(f"household {household_id} already left PKH ({household.pkh_status.value})")
    if data.graduated_on > today:
        raise InvalidInput(
            f"graduated_on {data.graduated_on.isoformat()} lies in the future (today is {today.isoformat()})",
            loc=("body", "graduated_on"),
            kind="future_date",
        )
    if household.pkh_joined_year is not None and data.graduated_on.year < household.pkh_joined_year:
        raise InvalidInput(
            f"graduated_on {data.graduated_on.isoformat()} is before the family joined PKH "
            f"({household.pkh_joined_year})",
            loc=("body", "graduated_on"),
            kind="before_joining",
        )
    record = Graduation(
        household_id=household_id,
        graduated_on=data.graduated_on,
        type=data.type,
        reason=data.reason or None,
        recorded_by_user_id=scope.user_id,
    )
    session.add(record)
    update_versioned(
        session,
        household,
        {"pkh_status": PkhStatus(data.type.value), "exited_on": data.graduated_on},
        expected_version=household.version,
        what="Household",
    )
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="graduation",
        entity_id=record.id,
        request_id=request_id,
        detail={"household_id": household_id, "type": data.type.value},
    )
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="household",
        entity_id=household_id,
        request_id=request_id,
        fields=["pkh_status"],
        detail={"from": "graduation"},
    )
    session.commit()
    return public(record, household)


def public(record: Graduation, household: Household) -> GraduationPublic:
    return GraduationPublic.model_validate({**record.model_dump(), "pkh_status": household.pkh_status.value})


def followed_up(household: Household, today: date) -> bool:
    """Whether the family still gets business check-ins: active, or within 12 months of leaving PKH."""
    return household.pkh_status is PkhStatus.active or in_follow_up(household.exited_on, today)


@dataclass(frozen=True)
class GraduationState:
    """What the family's graduation page shows besides the readiness."""

    household: Household
    record: Graduation | None
    followed_up: bool  # check-ins still go on (active, or within 12 months of graduating)


def graduation_state(session: Session, scope: Scope, *, household_id: int, today: date) -> GraduationState:
    """A family in the caller's care, its graduation record if any, and whether it is still followed."""
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    record = queries.graduation_of(session, household_id)
    return GraduationState(household=household, record=record, followed_up=followed_up(household, today))


@dataclass(frozen=True)
class FiveYearAlert:
    household_id: int
    pkh_id: str
    head_name: str
    years: int
    facilitator_id: int | None = None


def five_year_alerts(session: Session, scope: Scope, *, today: date) -> list[FiveYearAlert]:
    """The caller's active families near (or past) the 5-year mark in PKH with no pathway: no
    completed or open referral stands in for a pathway until pathways land."""
    return near_mark(session, [scope.where(Household)], today=today)


def near_mark(session: Session, where: list[Any], *, today: date) -> list[FiveYearAlert]:
    """The active families passing ``where`` near the 5-year mark with no pathway, longest first."""
    where = [
        *where,
        col(Household.pkh_status) == PkhStatus.active,
        col(Household.pkh_joined_year) <= today.year - NEAR_FIVE_YEARS,
    ]
    families = queries.family_frame(session, where)
    if families.empty:
        return []
    joined = families["pkh_joined_year"].astype("float64").to_numpy()
    near = near_five_years(joined, today)
    ids = [int(i) for i in families["id"].to_numpy()[near]]
    covered = queries.with_pathway(session, ids)
    alerts = [
        FiveYearAlert(
            household_id=int(row.id),
            pkh_id=str(row.pkh_id),
            head_name=str(row.head_name),
            years=today.year - int(row.pkh_joined_year),
            facilitator_id=None if pd.isna(row.facilitator_id) else int(row.facilitator_id),
        )
        for row in families[near].itertuples()
        if int(row.id) not in covered
    ]
    alerts.sort(key=lambda a: (-a.years, a.household_id))
    return alerts
