"""The referral lists people work from: a facilitator's board by stage, an agency's inbox, the
API's pages, and the refer forms on a family's page."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlmodel import Session

from mapping.benefits import funding_warnings
from models.households import Household
from models.referrals import Consent, ReferralStatus
from models.users import Role
from service.benefits import DEFAULT_MONTHS, FundingWarningPublic, past_benefits_of, warning_views
from service.core.paging import Page
from service.core.scope import Scope
from service.errors import Forbidden
from service.referrals import queries
from service.referrals.rules import OVERDUE_DAYS, S
from service.referrals.views import ReferralPublic, referral_views

# The facilitator's board: one column a stage, the closed ones last.
BOARD: tuple[tuple[str, tuple[ReferralStatus, ...]], ...] = (
    ("sent", (S.sent,)),
    ("accepted", (S.accepted,)),
    ("enrolled", (S.enrolled,)),
    ("completed", (S.completed,)),
    ("declined", (S.declined,)),
    ("closed", (S.withdrawn, S.dropped)),
)


def list_referrals(
    session: Session,
    scope: Scope,
    *,
    status: ReferralStatus | None,
    program_id: int | None,
    order: Literal["recent", "oldest", "sent"],
    limit: int,
    offset: int,
    today: date,
    overdue_days: int = OVERDUE_DAYS,
    funding_months: int = DEFAULT_MONTHS,
) -> Page[ReferralPublic]:
    """The caller's referrals (facilitators) or those to their organisation's programmes (agency
    staff), one page of them."""
    if scope.role is Role.forum_organizer:
        raise Forbidden("Forum organisers see referral counts, not single referrals")
    rows, total = queries.referral_page(
        session, scope, status=status, program_id=program_id, newest_first_by=order, limit=limit, offset=offset
    )
    views = referral_views(session, scope, rows, today=today, overdue_days=overdue_days, funding_months=funding_months)
    return Page(items=views, total=total, limit=limit, offset=offset)


def status_counts(session: Session, scope: Scope) -> dict[str, int]:
    """The caller's referrals per status."""
    return queries.status_counts(session, scope)


@dataclass(frozen=True)
class BoardColumn:
    name: str
    statuses: tuple[ReferralStatus, ...]
    cards: list[ReferralPublic]
    total: int


def board(
    session: Session,
    scope: Scope,
    counts: dict[str, int],
    *,
    shown: int,
    today: date,
    overdue_days: int = OVERDUE_DAYS,
) -> list[BoardColumn]:
    """The facilitator's board: per stage, the ``shown`` most recently moved referrals."""
    columns = [(name, statuses, queries.latest_in(session, scope, statuses, shown)) for name, statuses in BOARD]
    shown_rows = [r for _, _, rows in columns for r in rows]
    views = {v.id: v for v in referral_views(session, scope, shown_rows, today=today, overdue_days=overdue_days)}
    return [
        BoardColumn(
            name,
            statuses,
            [views[r.id] for r in rows if r.id is not None],
            sum(counts.get(s.value, 0) for s in statuses),
        )
        for name, statuses, rows in columns
    ]


@dataclass(frozen=True)
class ReferForm:
    """What a match on the household page offers: its open referral, or a form to refer."""

    program_id: int
    organization_name: str
    consent: Consent | None  # the family's active consent for the programme's organisation
    open_id: int | None = None
    open_status: ReferralStatus | None = None
    mine: bool = False  # the open referral is the viewer's (its page opens for them)
    can_refer: bool = False
    key: str = ""  # the Idempotency-Key of this rendering of the form
    warnings: tuple[FundingWarningPublic, ...] = ()  # the double-funding guard's, with the details


def refer_forms(
    session: Session,
    scope: Scope,
    household: Household,
    matches: Sequence[dict[str, Any]],
    *,
    today: date | None = None,
    funding_months: int = DEFAULT_MONTHS,
) -> dict[int, ReferForm]:
    """Per programme of ``matches``: its open referral (any status section) or, for the family's
    facilitator and an eligible or unknown match, a form to refer (with a fresh key and, given
    ``today``, the double-funding guard's warnings)."""
    program_ids = [int(m["program_id"]) for m in matches]
    if not program_ids or household.id is None:
        return {}
    owners = queries.program_owners(session, program_ids)
    consents = queries.active_consents_by_organization(session, household.id)
    open_referrals = queries.open_referrals_by_program(session, household.id, program_ids)
    may_refer = scope.role is Role.facilitator and scope.facilitator_id is not None
    record = past_benefits_of(session, [household.id]).get(household.id, []) if today and may_refer else []
    forms: dict[int, ReferForm] = {}
    for m in matches:
        pid = int(m["program_id"])
        consent = consents.get(owners.get(pid, -1))
        existing = open_referrals.get(pid)
        if existing is not None:
            mine = existing.facilitator_id is not None and existing.facilitator_id == scope.facilitator_id
            forms[pid] = ReferForm(pid, m["organization_name"], consent, existing.id, existing.status, mine)
        elif may_refer and m["status"] in ("eligible", "unknown"):
            found = funding_warnings(record, kind=str(m["kind"]), today=today, months=funding_months) if today else []
            forms[pid] = ReferForm(
                pid,
                m["organization_name"],
                consent,
                can_refer=True,
                key=secrets.token_urlsafe(18),
                warnings=tuple(warning_views(found, detailed=True)),
            )
    return forms
