"""Business check-ins: a facilitator's dated visit to a family's business, its history, and the
business's current facts kept equal to its latest check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from mapping.monitoring import LineChart, is_due, line_chart, revenue_change, revenue_series
from models.households import Business, Household
from models.monitoring import (
    CERTIFICATE_FACTS,
    BusinessCheckin,
    BusinessCheckinCreate,
    BusinessCheckinPublic,
)
from models.users import Role
from service.core.audit import audited_read, record_event
from service.core.paging import Page
from service.core.records import update_versioned
from service.core.scope import Scope, get_in_scope
from service.errors import Forbidden, InvalidInput, NotFound
from service.households import queries

JUMP_FACTOR = 100
"""A revenue more than this many times the previous check-in's is asked to be confirmed."""
CHART_POINTS = 24


def _in_care(session: Session, scope: Scope, household_id: int, business_id: int) -> tuple[Household, Business]:
    """The household in the caller's care and its business (404 for either otherwise)."""
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    business = session.get(Business, business_id)
    if business is None or business.household_id != household_id:
        raise NotFound(f"Business {business_id} not found")
    return household, business


def _check(session: Session, business: Business, data: BusinessCheckinCreate, *, today: date) -> None:
    """Refuse a check-in whose facts cannot be true (422 naming the field)."""
    if data.checked_on > today:
        raise InvalidInput(
            f"checked_on {data.checked_on.isoformat()} lies in the future (today is {today.isoformat()})",
            loc=("body", "checked_on"),
            kind="future_date",
        )
    if business.started_on is not None and data.checked_on < business.started_on:
        raise InvalidInput(
            f"checked_on {data.checked_on.isoformat()} is before the business started "
            f"({business.started_on.isoformat()})",
            loc=("body", "checked_on"),
            kind="before_start",
        )
    for name in ("monthly_revenue", "monthly_costs"):
        value = getattr(data, name)
        if value is not None and value < 0:
            raise InvalidInput(f"{name} tidak boleh negatif (cannot be negative)", loc=("body", name), kind="negative")
    if data.loan_status is not None and not queries.completed_loan(session, business.household_id):
        raise InvalidInput(
            "loan_status applies only where the family completed a loan programme; leave it out",
            loc=("body", "loan_status"),
            kind="no_loan",
        )
    assert business.id is not None
    before = queries.latest_checkin(session, business.id, on_or_before=data.checked_on)
    last = before.monthly_revenue if before is not None else business.monthly_revenue
    if not data.confirm_jump and last and data.monthly_revenue > JUMP_FACTOR * last:
        raise InvalidInput(
            f"monthly_revenue {data.monthly_revenue:,} is more than {JUMP_FACTOR} times the last one ({last:,}); "
            'check it, and send it again with "confirm_jump": true if it is right',
            loc=("body", "monthly_revenue"),
            kind="confirm_jump",
        )


def _facts(data: BusinessCheckinCreate) -> dict[str, Any]:
    """The business's facts a check-in sets (lists left out keep the business's own)."""
    facts: dict[str, Any] = {"monthly_revenue": data.monthly_revenue}
    if data.workers is not None:
        facts["workers"] = data.workers
    if data.sales_channels is not None:
        facts["sales_channels"] = [c.value for c in dict.fromkeys(data.sales_channels)]
    if data.certifications is not None:
        held = set(data.certifications)
        facts |= {fact: cert in held for cert, fact in CERTIFICATE_FACTS.items()}
    return facts


def record_checkin(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    business_id: int,
    data: BusinessCheckinCreate,
    today: date,
    request_id: str | None = None,
) -> BusinessCheckinPublic:
    """Record a check-in of a business of a family in the caller's care; the latest check-in's
    facts become the business's (in the same transaction); audited."""
    _, business = _in_care(session, scope, household_id, business_id)
    checkin = store_checkin(session, scope, business=business, data=data, today=today, request_id=request_id)
    session.commit()
    return BusinessCheckinPublic.model_validate(checkin.model_dump())


def store_checkin(
    session: Session,
    scope: Scope,
    *,
    business: Business,
    data: BusinessCheckinCreate,
    today: date,
    request_id: str | None = None,
) -> BusinessCheckin:
    """The rules of every check-in (the form, the API, the import): check, store, audit, and move
    the business's facts when it is the latest. The caller found ``business`` in its care and commits."""
    if scope.role not in (Role.admin, Role.facilitator):
        raise Forbidden("Only administrators and the family's facilitator record check-ins")
    _check(session, business, data, today=today)
    assert business.id is not None
    newest = queries.latest_checkin(session, business.id)
    checkin = BusinessCheckin(
        business_id=business.id,
        household_id=business.household_id,
        checked_on=data.checked_on,
        monthly_revenue=data.monthly_revenue,
        monthly_costs=data.monthly_costs,
        workers=data.workers,
        sales_channels=[c.value for c in dict.fromkeys(data.sales_channels or [])]
        if data.sales_channels is not None
        else list(business.sales_channels),
        certifications=sorted({c.value for c in data.certifications})
        if data.certifications is not None
        else [c.value for c, fact in CERTIFICATE_FACTS.items() if getattr(business, fact)],
        loan_status=data.loan_status,
        note=data.note or None,
        recorded_by_user_id=scope.user_id,
    )
    session.add(checkin)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="business_checkin",
        entity_id=checkin.id,
        request_id=request_id,
    )
    if newest is None or data.checked_on >= newest.checked_on:  # an older visit leaves newer facts alone
        changes = {k: v for k, v in _facts(data).items() if getattr(business, k) != v}
        if changes:
            update_versioned(session, business, changes, expected_version=business.version, what="Business")
            record_event(
                session,
                actor_user_id=scope.user_id,
                action="update",
                entity="business",
                entity_id=business.id,
                request_id=request_id,
                fields=list(changes),
                detail={"from": "checkin"},
            )
    return checkin


def checkin_history(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    business_id: int,
    limit: int,
    offset: int,
    request_id: str | None = None,
) -> Page[BusinessCheckinPublic]:
    """A business's check-ins, newest first, for a family in the caller's care; audited."""
    with audited_read(session, scope, entity="business_checkin", entity_id=business_id, request_id=request_id):
        _in_care(session, scope, household_id, business_id)
        rows, total = queries.checkin_page(session, business_id, limit=limit, offset=offset)
        page: Page[BusinessCheckinPublic] = Page(
            items=[BusinessCheckinPublic.model_validate(r.model_dump()) for r in rows],
            total=total,
            limit=limit,
            offset=offset,
        )
    return page


@dataclass(frozen=True)
class CheckinForm:
    """What the check-in form shows: the family, the business, its last check-in, whether a loan applies."""

    household: Household
    business: Business
    last: BusinessCheckin | None
    loan_applies: bool


def checkin_form(
    session: Session, scope: Scope, *, household_id: int, business_id: int, request_id: str | None = None
) -> CheckinForm:
    """The check-in form's facts for a business of a family in the caller's care; audited."""
    with audited_read(session, scope, entity="business", entity_id=business_id, request_id=request_id):
        household, business = _in_care(session, scope, household_id, business_id)
        if scope.role not in (Role.admin, Role.facilitator):
            raise Forbidden("Only administrators and the family's facilitator record check-ins")
        form = CheckinForm(
            household=household,
            business=business,
            last=queries.latest_checkin(session, business_id),
            loan_applies=queries.completed_loan(session, household_id),
        )
    return form


@dataclass(frozen=True)
class BusinessMonitor:
    """A business's check-ins as the family page shows them."""

    series: list[tuple[date, int]]
    chart: LineChart | None
    change: float | None
    due: bool

    @property
    def last(self) -> tuple[date, int] | None:
        return self.series[-1] if self.series else None


def business_monitors(session: Session, business_ids: list[int], *, today: date) -> dict[int, BusinessMonitor]:
    """Each business's revenue series, chart and whether a check-in is due (the caller checked the scope)."""
    out: dict[int, BusinessMonitor] = {}
    for bid, checkins in queries.checkin_revenues(session, business_ids).items():
        series = revenue_series(checkins, limit=CHART_POINTS)
        out[bid] = BusinessMonitor(
            series=series,
            chart=line_chart([v for _, v in series]),
            change=revenue_change(series),
            due=is_due(checkins[-1][0] if checkins else None, today),
        )
    return out


def households_due(session: Session, household_ids: list[int], *, today: date) -> set[int]:
    """The households with a business due a check-in (the caller checked the scope)."""
    last = queries.last_checked_by_household(session, household_ids)
    return {hid for hid, businesses in last.items() if any(is_due(d, today) for d in businesses.values())}
