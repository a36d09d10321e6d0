"""What each side of a referral sees of it.

The family's facilitator and admins see the family with its identifiers. The receiving
organisation's staff see only what the referral needs: the family's name, village, business
summary and the match reasons, and its phone only while the family's consent to share it holds;
never its NIK, PKH id, address or coordinates. Once the family withdraws its consent, the agency
sees only that the referral existed and its status. Notes reach the agency with NIK- and
phone-shaped numbers masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from mapping.benefits import funding_warnings
from mapping.redact import mask_identifiers
from models.households import Business, Household
from models.referrals import Consent, ConsentPurpose, DeclineReason, Referral, ReferralEvent, ReferralStatus
from models.types import months_between, utcnow
from models.users import Role
from service.benefits import DEFAULT_MONTHS, FundingWarningPublic, past_benefits_of, warning_views
from service.core.regions import region_names
from service.core.scope import Scope
from service.referrals import queries
from service.referrals.rules import OPEN, OVERDUE_DAYS


class ConsentPublic(BaseModel):
    id: int
    household_id: int
    organization_id: int
    purpose: ConsentPurpose
    share_phone: bool
    share_benefits: bool = False
    recorded_by_user_id: int | None
    recorded_at: datetime
    withdrawn_at: datetime | None


class Withdrawal(BaseModel):
    consent: ConsentPublic
    closed_referral_ids: list[int]


def consent_public(c: Consent) -> ConsentPublic:
    return ConsentPublic.model_validate(c, from_attributes=True)


class BusinessSummary(BaseModel):
    sector: str
    months_running: int | None
    needs: list[str]
    sales_channels: list[str]


class FamilySummary(BaseModel):
    """What either side of a referral sees of the family; agencies get no identifiers, and nothing
    at all once the family withdrew its consent (``withheld``)."""

    head_name: str | None = Field(description="None for agencies once the family withdrew its consent")
    village_code: str | None
    village_name: str | None
    phone: str | None = Field(description="Only when the family agreed to share it (agencies)")
    businesses: list[BusinessSummary]
    household_id: int | None = Field(default=None, description="Facilitators and admins only")
    pkh_id: str | None = Field(default=None, description="Facilitators and admins only")
    withheld: bool = Field(default=False, description="The family withdrew its consent: nothing of it is shown")


WITHHELD_FAMILY = FamilySummary(
    head_name=None, village_code=None, village_name=None, phone=None, businesses=[], withheld=True
)


def consent_withdrawn(consent: Consent | None) -> bool:
    """Whether the referral's consent was withdrawn (the agency then sees nothing of the family)."""
    return consent is not None and consent.withdrawn_at is not None


class ProgramRef(BaseModel):
    id: int
    name: str
    organization_id: int
    organization_name: str


class EventPublic(BaseModel):
    at: datetime
    actor_user_id: int | None
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    note: str | None


class ReferralPublic(BaseModel):
    id: int
    status: ReferralStatus
    family: FamilySummary
    program: ProgramRef
    facilitator_name: str | None
    note: str | None
    decline_reason: DeclineReason | None
    outcome: dict[str, Any] | None
    match: dict[str, Any] | None = Field(description="The match status and reasons when the family was referred")
    sent_at: datetime
    status_changed_at: datetime
    days_in_status: int
    overdue: bool = Field(
        default=False, description="Open and waiting in its status longer than the overdue limit (7 days by default)"
    )
    version: int
    warnings: list[FundingWarningPublic] = Field(
        default_factory=list,
        description="Open referrals: already_funded when the family received a grant, loan or equipment for the "
        "programme's need within the guard's period (12 months by default); the receiving organisation sees "
        "the details only with the family's consent to share its benefit record",
    )
    events: list[EventPublic] | None = None


def sees_family(scope: Scope) -> bool:
    """Whether the caller sees the family's identifiers (its facilitator's side, admins)."""
    return scope.is_admin or scope.role is Role.facilitator


def phone_shown(scope: Scope, household: Household, consent: Consent | None) -> str | None:
    """The family's phone for the caller: their own side sees it; the agency only while the
    family's consent to share it holds."""
    if sees_family(scope):
        return household.phone
    if consent is not None and consent.share_phone and consent.withdrawn_at is None:
        return household.phone
    return None


def _family(
    scope: Scope, h: Household, consent: Consent | None, businesses: list[Business], village: str | None, today: date
) -> FamilySummary:
    full = sees_family(scope)
    return FamilySummary(
        head_name=h.head_name,
        village_code=h.village_code,
        village_name=village,
        phone=phone_shown(scope, h, consent),
        businesses=[
            BusinessSummary(
                sector=b.sector,
                months_running=months_between(b.started_on, today) if b.started_on else None,
                needs=list(b.needs or []),
                sales_channels=list(b.sales_channels or []),
            )
            for b in businesses
        ],
        household_id=h.id if full else None,
        pkh_id=h.pkh_id if full else None,
    )


def _note(note: str | None, full: bool) -> str | None:
    """A note as the caller reads it: the family's side as written, others with numbers masked."""
    return note if full else mask_identifiers(note)


def _event(event: ReferralEvent, full: bool, withheld: bool) -> EventPublic:
    view = EventPublic.model_validate(event, from_attributes=True)
    view.note = None if withheld else _note(view.note, full)
    return view


def referral_views(
    session: Session,
    scope: Scope,
    referrals: Sequence[Referral],
    *,
    today: date,
    with_events: bool = False,
    overdue_days: int = OVERDUE_DAYS,
    funding_months: int = DEFAULT_MONTHS,
) -> list[ReferralPublic]:
    """The referrals as the caller may see them (a few queries for the whole page); open ones
    waiting more than ``overdue_days`` days in their status are ``overdue``, and carry the
    double-funding guard's warnings over the last ``funding_months`` months."""
    now = utcnow()
    if not referrals:
        return []
    households, programs, facilitators, consents, businesses = queries.view_rows(session, referrals)
    villages = region_names(session, [h.village_code for h in households.values()])
    events = queries.events_of(session, [r.id for r in referrals if r.id is not None]) if with_events else {}
    record = past_benefits_of(session, [r.household_id for r in referrals if r.status in OPEN])
    out = []
    for r in referrals:
        assert r.id is not None
        h = households[r.household_id]
        program, org_name = programs[r.program_id]
        assert program.id is not None
        consent = consents.get(r.consent_id) if r.consent_id else None
        full = sees_family(scope)
        withheld = not full and consent_withdrawn(consent)
        warnings = (
            funding_warnings(
                record.get(r.household_id, []),
                kind=str(program.kind),
                today=today,
                months=funding_months,
                excluding_referral=r.id,
            )
            if r.status in OPEN and not withheld
            else []
        )
        detailed = full or (consent is not None and consent.share_benefits and consent.withdrawn_at is None)
        out.append(
            ReferralPublic(
                id=r.id,
                status=r.status,
                family=WITHHELD_FAMILY
                if withheld
                else _family(
                    scope, h, consent, businesses.get(r.household_id, []), villages.get(h.village_code), today
                ),
                program=ProgramRef(
                    id=program.id,
                    name=program.name,
                    organization_id=program.organization_id,
                    organization_name=org_name,
                ),
                facilitator_name=facilitators.get(r.facilitator_id) if r.facilitator_id else None,
                note=None if withheld else _note(r.note, full),
                decline_reason=r.decline_reason,
                outcome=None if withheld else r.outcome,
                match=None if withheld else r.match,
                sent_at=r.sent_at,
                status_changed_at=r.status_changed_at,
                days_in_status=max(0, (now - r.status_changed_at).days),
                overdue=r.status in OPEN and now - r.status_changed_at > timedelta(days=overdue_days),
                version=r.version,
                warnings=warning_views(warnings, detailed=detailed),
                events=[_event(e, full, withheld) for e in events.get(r.id, [])] if with_events else None,
            )
        )
    return out
