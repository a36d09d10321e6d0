"""Consent and referral endpoints. Views are shaped by who asks (``service.referrals.views``):
agency staff see only what the referral needs of a family, never its NIK, PKH id, address or
coordinates."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from pydantic import BaseModel, Field

from models.referrals import ConsentPurpose, DeclineReason, ReferralStatus
from service import referrals
from service.api.params import Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.referrals import ConsentPublic, Outcome, ReferralPublic, Withdrawal

router = APIRouter(tags=["referrals"])


class ConsentCreate(BaseModel):
    organization_id: int
    purpose: ConsentPurpose = ConsentPurpose.referral
    share_phone: bool = Field(default=False, description="The family agrees that the organisation sees its phone")


@router.post("/households/{household_id}/consents", response_model=ConsentPublic, status_code=201)
def record_consent(
    household_id: int, body: ConsentCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> ConsentPublic:
    """Record the family's consent to share its data with an organisation (the family's facilitator)."""
    return referrals.record_consent(
        session,
        scope,
        household_id=household_id,
        organization_id=body.organization_id,
        purpose=body.purpose,
        share_phone=body.share_phone,
        request_id=request_id(request),
    )


@router.get("/households/{household_id}/consents", response_model=list[ConsentPublic])
def list_consents(household_id: int, session: SessionDep, scope: ScopeDep) -> list[ConsentPublic]:
    """The family's consents, withdrawn ones included."""
    return referrals.list_consents(session, scope, household_id)


@router.delete("/households/{household_id}/consents/{consent_id}", response_model=Withdrawal)
def withdraw_consent(
    household_id: int, consent_id: int, request: Request, session: SessionDep, scope: ScopeDep
) -> Withdrawal:
    """Withdraw a consent; the family's open referrals to that organisation are closed."""
    return referrals.withdraw_consent(
        session, scope, household_id=household_id, consent_id=consent_id, request_id=request_id(request)
    )


class ReferralCreate(BaseModel):
    household_id: int
    program_id: int
    note: str | None = Field(default=None, max_length=2000)


class ReferralMove(BaseModel):
    status: ReferralStatus
    note: str | None = Field(default=None, max_length=2000)
    reason: DeclineReason | None = Field(default=None, description="Required when declining")
    outcome: Outcome | None = Field(default=None, description="Required when completing")


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
    referral, created = referrals.create_referral(
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
    return referrals.referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]


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
    return referrals.list_referrals(
        session,
        scope,
        status=referral_status,
        program_id=program_id,
        order=order,
        limit=limit,
        offset=offset,
        today=settings.today(),
    )


@router.get("/referrals/{referral_id}", response_model=ReferralPublic)
def get_referral(
    referral_id: int, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> ReferralPublic:
    """One referral with its whole history."""
    referral = referrals.read_referral(session, scope, referral_id, request_id=request_id(request))
    return referrals.referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]


@router.patch("/referrals/{referral_id}", response_model=ReferralPublic)
def move_referral(
    referral_id: int, body: ReferralMove, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> ReferralPublic:
    """Move a referral: the receiving organisation accepts, declines (with a reason), enrols,
    completes (with the outcome) or drops; the facilitator withdraws before enrolment."""
    referral = referrals.move_referral(
        session,
        scope,
        referral_id=referral_id,
        move=referrals.Move(status=body.status, note=body.note, reason=body.reason, outcome=body.outcome),
        request_id=request_id(request),
    )
    return referrals.referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]
