"""Consent and referral endpoints. Views are shaped by who asks: agency staff see only what the
referral needs of a family (name, village, phone if the family agreed, business summary, the
match reasons), never its NIK, PKH id, address or coordinates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from models.households import Business, Facilitator, Household
from models.organizations import Organization, Program
from models.referrals import Consent, ConsentPurpose, DeclineReason, Referral, ReferralEvent, ReferralStatus
from models.types import utcnow
from models.users import Role
from service import referrals as svc
from service.api.params import Limit, Offset
from service.core.paging import Page, paginate
from service.core.regions import region_names
from service.core.scope import Scope
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.errors import Forbidden
from service.matching import months_between

router = APIRouter(tags=["referrals"])


# --- consent --------------------------------------------------------------------------------------


class ConsentCreate(BaseModel):
    organization_id: int
    purpose: ConsentPurpose = ConsentPurpose.referral
    share_phone: bool = Field(default=False, description="The family agrees that the organisation sees its phone")


class ConsentPublic(BaseModel):
    id: int
    household_id: int
    organization_id: int
    purpose: ConsentPurpose
    share_phone: bool
    recorded_by_user_id: int | None
    recorded_at: datetime
    withdrawn_at: datetime | None


class Withdrawal(BaseModel):
    consent: ConsentPublic
    closed_referral_ids: list[int]


def _consent(c: Consent) -> ConsentPublic:
    return ConsentPublic.model_validate(c, from_attributes=True)


@router.post("/households/{household_id}/consents", response_model=ConsentPublic, status_code=201)
def record_consent(
    household_id: int, body: ConsentCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> ConsentPublic:
    """Record the family's consent to share its data with an organisation (the family's facilitator)."""
    consent = svc.record_consent(
        session,
        scope,
        household_id=household_id,
        organization_id=body.organization_id,
        purpose=body.purpose,
        share_phone=body.share_phone,
        request_id=request_id(request),
    )
    return _consent(consent)


@router.get("/households/{household_id}/consents", response_model=list[ConsentPublic])
def list_consents(household_id: int, session: SessionDep, scope: ScopeDep) -> list[ConsentPublic]:
    """The family's consents, withdrawn ones included."""
    return [_consent(c) for c in svc.list_consents(session, scope, household_id)]


@router.delete("/households/{household_id}/consents/{consent_id}", response_model=Withdrawal)
def withdraw_consent(
    household_id: int, consent_id: int, request: Request, session: SessionDep, scope: ScopeDep
) -> Withdrawal:
    """Withdraw a consent; the family's open referrals to that organisation are closed."""
    closed = svc.withdraw_consent(
        session, scope, household_id=household_id, consent_id=consent_id, request_id=request_id(request)
    )
    consent = session.get(Consent, consent_id)
    assert consent is not None
    return Withdrawal(consent=_consent(consent), closed_referral_ids=[r.id for r in closed if r.id is not None])


# --- referrals ------------------------------------------------------------------------------------


class ReferralCreate(BaseModel):
    household_id: int
    program_id: int
    note: str | None = Field(default=None, max_length=2000)


class ReferralMove(BaseModel):
    status: ReferralStatus
    note: str | None = Field(default=None, max_length=2000)
    reason: DeclineReason | None = Field(default=None, description="Required when declining")
    outcome: svc.Outcome | None = Field(default=None, description="Required when completing")


class BusinessSummary(BaseModel):
    sector: str
    months_running: int | None
    needs: list[str]
    sales_channels: list[str]


class FamilySummary(BaseModel):
    """What either side of a referral sees of the family; agencies get no identifiers."""

    head_name: str
    village_code: str
    village_name: str | None
    phone: str | None = Field(description="Only when the family agreed to share it (agencies)")
    businesses: list[BusinessSummary]
    household_id: int | None = Field(default=None, description="Facilitators and admins only")
    pkh_id: str | None = Field(default=None, description="Facilitators and admins only")


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
    version: int
    events: list[EventPublic] | None = None


def referral_views(
    session: Session, scope: Scope, referrals: Sequence[Referral], *, today: Any, with_events: bool = False
) -> list[ReferralPublic]:
    """The referrals as the caller may see them (a few queries for the whole page)."""
    if not referrals:
        return []
    household_ids = {r.household_id for r in referrals}
    households = {h.id: h for h in session.exec(select(Household).where(Household.id.in_(household_ids)))}  # type: ignore[union-attr]
    programs = {
        p.id: (p, name)
        for p, name in session.exec(
            select(Program, Organization.name)
            .join(Organization, Organization.id == Program.organization_id)
            .where(Program.id.in_({r.program_id for r in referrals}))  # type: ignore[union-attr]
        )
    }
    facilitators = dict(
        session.exec(
            select(Facilitator.id, Facilitator.name).where(
                Facilitator.id.in_({r.facilitator_id for r in referrals if r.facilitator_id})  # type: ignore[union-attr]
            )
        ).all()
    )
    consents = {
        c.id: c
        for c in session.exec(
            select(Consent).where(Consent.id.in_({r.consent_id for r in referrals if r.consent_id}))  # type: ignore[union-attr]
        )
    }
    businesses: dict[int, list[Business]] = defaultdict(list)
    for b in session.exec(
        select(Business).where(Business.household_id.in_(household_ids)).order_by(Business.id)  # type: ignore[attr-defined]
    ):
        businesses[b.household_id].append(b)
    villages = region_names(session, [h.village_code for h in households.values()])
    events: dict[int, list[ReferralEvent]] = defaultdict(list)
    if with_events:
        for e in session.exec(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id.in_([r.id for r in referrals]))  # type: ignore[attr-defined]
            .order_by(ReferralEvent.id)
        ):
            events[e.referral_id].append(e)
    full = scope.is_admin or scope.role is Role.facilitator
    out = []
    for r in referrals:
        h = households[r.household_id]
        program, org_name = programs[r.program_id]
        consent = consents.get(r.consent_id) if r.consent_id else None
        family = FamilySummary(
            head_name=h.head_name,
            village_code=h.village_code,
            village_name=villages.get(h.village_code),
            phone=h.phone
            if full or (consent is not None and consent.share_phone and consent.withdrawn_at is None)
            else None,
            businesses=[
                BusinessSummary(
                    sector=b.sector,
                    months_running=months_between(b.started_on, today) if b.started_on else None,
                    needs=list(b.needs or []),
                    sales_channels=list(b.sales_channels or []),
                )
                for b in businesses[h.id or 0]
            ],
            household_id=h.id if full else None,
            pkh_id=h.pkh_id if full else None,
        )
        assert r.id is not None and program.id is not None
        out.append(
            ReferralPublic(
                id=r.id,
                status=r.status,
                family=family,
                program=ProgramRef(
                    id=program.id,
                    name=program.name,
                    organization_id=program.organization_id,
                    organization_name=org_name,
                ),
                facilitator_name=facilitators.get(r.facilitator_id) if r.facilitator_id else None,
                note=r.note,
                decline_reason=r.decline_reason,
                outcome=r.outcome,
                match=r.match,
                sent_at=r.sent_at,
                status_changed_at=r.status_changed_at,
                days_in_status=max(0, (utcnow() - r.status_changed_at).days),
                version=r.version,
                events=[EventPublic.model_validate(e, from_attributes=True) for e in events[r.id]]
                if with_events
                else None,
            )
        )
    return out


@router.post("/referrals", response_model=ReferralPublic, status_code=201)
def create_referral(
    body: ReferralCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=100, alias="Idempotency-Key")] = None,
) -> ReferralPublic:
    """Refer a family in your care to a programme it qualifies for (or may); its consent comes first.

    Send an ``Idempotency-Key`` header to retry safely: the same key answers with the referral the
    first request created (200) instead of creating another.
    """
    referral, created = svc.create_referral(
        session,
        scope,
        household_id=body.household_id,
        program_id=body.program_id,
        note=body.note,
        idempotency_key=idempotency_key,
        today=settings.today(),
        request_id=request_id(request),
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]


@router.get("/referrals", response_model=Page[ReferralPublic])
def list_referrals(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    referral_status: Annotated[ReferralStatus | None, Query(alias="status")] = None,
    program_id: int | None = None,
    order: Literal["recent", "oldest"] = "recent",
) -> Page[ReferralPublic]:
    """Your referrals (facilitators), or those to your organisation's programmes (agency staff)."""
    if scope.role is Role.forum_organizer:
        raise Forbidden("Forum organisers see referral counts, not single referrals")
    stmt = select(Referral).where(svc.referral_filter(scope))
    if referral_status is not None:
        stmt = stmt.where(Referral.status == referral_status)  # type: ignore[arg-type]
    if program_id is not None:
        stmt = stmt.where(Referral.program_id == program_id)  # type: ignore[arg-type]
    by = Referral.status_changed_at.desc() if order == "recent" else Referral.status_changed_at.asc()  # type: ignore[attr-defined]
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=(by, Referral.id))
    return Page(
        items=referral_views(session, scope, rows, today=settings.today()), total=total, limit=limit, offset=offset
    )


@router.get("/referrals/{referral_id}", response_model=ReferralPublic)
def get_referral(referral_id: int, session: SessionDep, scope: ScopeDep, settings: SettingsDep) -> ReferralPublic:
    """One referral with its whole history."""
    referral = svc.get_referral(session, scope, referral_id)
    return referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]


@router.patch("/referrals/{referral_id}", response_model=ReferralPublic)
def move_referral(
    referral_id: int, body: ReferralMove, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> ReferralPublic:
    """Move a referral: the receiving organisation accepts, declines (with a reason), enrols,
    completes (with the outcome) or drops; the facilitator withdraws before enrolment."""
    referral = svc.move_referral(
        session,
        scope,
        referral_id=referral_id,
        move=svc.Move(status=body.status, note=body.note, reason=body.reason, outcome=body.outcome),
        request_id=request_id(request),
    )
    return referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]
