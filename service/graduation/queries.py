"""SQL of graduation: a caseload's facts for the readiness pass, the rule sets, and the indicator
counts (aggregated in the database, one statement each)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from mapping.graduation import REVENUE_WINDOWS, WINDOW_DAYS, Rule
from models.graduation import Graduation, ReadinessIndicatorName, ReadinessRule
from models.households import Business, Facilitator, Household, PkhStatus
from models.monitoring import BusinessCheckin
from models.referrals import OPEN_STATUSES, Referral, ReferralStatus
from service.core.scope import in_processing, within

FAMILY_COLUMNS = (
    "id",
    "pkh_id",
    "head_name",
    "village_code",
    "facilitator_id",
    "pkh_status",
    "school_age_children",
    "agreed_to_graduate",
    "pkh_joined_year",
)


def family_frame(session: Session, where: Sequence[Any]) -> pd.DataFrame:
    """The families passing ``where`` (the caller's scope first) with their facts, one row each,
    and the start of their oldest business (``started_on``)."""
    oldest = (
        select(Business.household_id, sa.func.min(Business.started_on).label("started_on"))
        .group_by(col(Business.household_id))
        .subquery()
    )
    statement = (
        sa.select(*[getattr(Household, c) for c in FAMILY_COLUMNS], oldest.c.started_on)
        .join(oldest, oldest.c.household_id == col(Household.id), isouter=True)
        .where(*where, in_processing())
        .order_by(col(Household.id))
    )
    rows = session.execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[*FAMILY_COLUMNS, "started_on"])


def recent_checkins(session: Session, where: Sequence[Any], today: date) -> pd.DataFrame:
    """The check-ins of the last three 30-day windows of the families passing ``where``."""
    since = today - timedelta(days=REVENUE_WINDOWS * WINDOW_DAYS - 1)
    statement = (
        sa.select(
            col(BusinessCheckin.household_id),
            col(BusinessCheckin.business_id),
            col(BusinessCheckin.checked_on),
            col(BusinessCheckin.monthly_revenue),
        )
        .join(Household, col(Household.id) == col(BusinessCheckin.household_id))
        .where(*where, in_processing(), col(BusinessCheckin.checked_on) >= since)
    )
    rows = session.execute(statement).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["household_id", "business_id", "checked_on", "monthly_revenue"]
    )


def rule_sets(session: Session) -> dict[str | None, list[Rule]]:
    """Every stored rule set by region (``None``: the national default)."""
    out: dict[str | None, list[Rule]] = {}
    for r in session.exec(select(ReadinessRule).order_by(col(ReadinessRule.id))).all():
        out.setdefault(r.region_code, []).append(Rule(str(r.indicator), r.weight, r.threshold))
    return out


def replace_rules(session: Session, region_code: str | None, rules: Sequence[Rule]) -> None:
    """Put ``rules`` in place of the rule set of ``region_code`` (uncommitted)."""
    same = (
        col(ReadinessRule.region_code).is_(None)
        if region_code is None
        else col(ReadinessRule.region_code) == region_code
    )
    session.execute(sa.delete(ReadinessRule).where(same))
    for r in rules:
        session.add(
            ReadinessRule(
                region_code=region_code,
                indicator=ReadinessIndicatorName(r.indicator),
                weight=r.weight,
                threshold=r.threshold,
            )
        )


def graduation_of(session: Session, household_id: int) -> Graduation | None:
    return session.exec(select(Graduation).where(Graduation.household_id == household_id)).first()


def with_pathway(session: Session, household_ids: Sequence[int]) -> set[int]:
    """The families with a completed or open referral (standing in for a pathway until pathways land)."""
    if not household_ids:
        return set()
    statement = select(Referral.household_id).where(
        col(Referral.household_id).in_(household_ids),
        col(Referral.status).in_([*OPEN_STATUSES, ReferralStatus.completed]),
    )
    return set(session.exec(statement.distinct()).all())


# --- indicators -----------------------------------------------------------------------------------


def indicator_counts(
    session: Session, where: Sequence[Any], *, year: int, today: date, by: str
) -> list[dict[str, Any]]:
    """Per village (``by="village"``) or facilitator (``by="facilitator"``): graduations of each type
    in ``year``, the active caseload, the business-owning active families and those with a check-in
    in the last 30 days. One aggregate statement."""
    key = col(Household.village_code) if by == "village" else col(Household.facilitator_id)
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_year = sa.and_(col(Household.exited_on) >= start, col(Household.exited_on) <= end)
    active = col(Household.pkh_status) == PkhStatus.active
    owns = sa.exists().where(col(Business.household_id) == col(Household.id))
    checked = sa.exists().where(
        col(BusinessCheckin.household_id) == col(Household.id),
        col(BusinessCheckin.checked_on) > today - timedelta(days=WINDOW_DAYS),
        col(BusinessCheckin.checked_on) <= today,
    )

    def count_if(*cond: Any) -> Any:
        return sa.func.sum(sa.case((sa.and_(*cond), 1), else_=0))

    statement = (
        sa.select(
            key.label("key"),
            count_if(col(Household.pkh_status) == PkhStatus.graduated_self_sufficient, in_year).label("ss"),
            count_if(col(Household.pkh_status) == PkhStatus.graduated_natural, in_year).label("nat"),
            count_if(active).label("caseload"),
            count_if(active, owns).label("owners"),
            count_if(active, owns, checked).label("covered"),
        )
        .where(*where, col(Household.anonymised_at).is_(None), key.is_not(None))
        .group_by(key)
        .order_by(key)
    )
    return [
        {
            "key": r.key,
            "graduated_self_sufficient": int(r.ss or 0),
            "graduated_natural": int(r.nat or 0),
            "caseload": int(r.caseload or 0),
            "owners": int(r.owners or 0),
            "covered": int(r.covered or 0),
        }
        for r in session.execute(statement).all()
    ]


def region_clause(region: str | None) -> list[Any]:
    return [within(Household.village_code, region)] if region else []


def facilitator_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Facilitator.id, Facilitator.name).where(col(Facilitator.id).in_(ids))).all()
    return {int(i): n for i, n in rows if i is not None}
