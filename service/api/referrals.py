"""Consent and referral endpoints. Views are shaped by who asks (``service.referrals.views``):
agency staff see only what the referral needs of a family, never its NIK, PKH id, address or
coordinates."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field

from models.referrals import ConsentPurpose, DeclineReason, ReferralStatus
from models.types import DbId, Note, Version
from service import referrals
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, IdQuery, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.referrals import ConsentPublic, Outcome, ReferralPublic, Withdrawal

router = APIRouter(tags=["referrals"])


class ConsentCreate(BaseModel):
    organization_id: DbId
    purpose: ConsentPurpose = ConsentPurpose.referral
    share_phone: bool = Field(default=False, description="The family agrees that the organisation sees its phone")
    share_benefits: bool = Field(
        default=False,
        description="The family agrees that the organisation sees its benefit record's details (amounts, givers)",
    )


@router.post("/households/{household_id}/consents", response_model=ConsentPublic, status_code=201)
def record_consent(
    household_id: IdPath, body: ConsentCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> ConsentPublic:
    """Record the family's consent to share its data with an organisation (the family's facilitator)."""
    return referrals.record_consent(
        session,
        scope,
        household_id=household_id,
        organization_id=body.organization_id,
        purpose=body.purpose,
        share_phone=body.share_phone,
        share_benefits=body.share_benefits,
        request_id=request_id(request),
    )


@router.get("/households/{household_id}/consents", response_model=list[ConsentPublic])
def list_consents(household_id: IdPath, session: SessionDep, scope: ScopeDep) -> list[ConsentPublic]:
    """The family's consents, withdrawn ones included."""
    return referrals.list_consents(session, scope, household_id)


@router.delete("/households/{household_id}/consents/{consent_id}", response_model=Withdrawal)
def withdraw_consent(
    household_id: IdPath, consent_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep
) -> Withdrawal:
    """Withdraw a consent; the family's open referrals to that organisation are closed."""
    return referrals.withdraw_consent(
        session, scope, household_id=household_id, consent_id=consent_id, request_id=request_id(request)
    )


class ReferralCreate(BaseModel):
    household_id: DbId
    program_id: DbId
    note: Note | None = None


class ReferralMove(BaseModel):
    status: ReferralStatus
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    note: Note | None = None
    reason: DeclineReason | None = Field(default=None, description="Required when declining")
    outcome: Outcome | None = Field(default=None, description="Required when completing")


@router.post(
    "/referrals",
    response_model=ReferralPublic,
    status_code=201,
    responses={
        409: {
            "description": "The family already has an open referral to the programme, or a request with this "
            "Idempotency-Key is still being processed (then with Retry-After)"
        }
    },
)
def create_referral(
    body: ReferralCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=100, alias="Idempotency-Key")] = None,
) -> ReferralPublic:
    """Refer a family in your care to a programme it qualifies for (or may); its consent comes first.

    Send an ``Idempotency-Key`` header to retry safely (IETF httpapi Idempotency-Key draft): a
    retry with the same key and body answers as the first request did (201, the same referral),
    the same key with another body 422, a retry while the first is still processed 409 with
    ``Retry-After``. A family has at most one open referral per programme: another answers 409.
    """
    referral, _ = referrals.create_referral(
        session,
        scope,
        household_id=body.household_id,
        program_id=body.program_id,
        note=body.note,
        idempotency_key=idempotency_key,
        today=settings.today(),
        request_id=request_id(request),
    )
    return referrals.referral_views(
        session,
        scope,
        [referral],
        today=settings.today(),
        with_events=True,
        overdue_days=settings.referral_overdue_days,
        funding_months=settings.double_funding_months,
    )[0]


@router.get("/referrals", response_model=Page[ReferralPublic])
def list_referrals(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    referral_status: Annotated[ReferralStatus | None, Query(alias="status")] = None,
    program_id: IdQuery = None,
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
        overdue_days=settings.referral_overdue_days,
        funding_months=settings.double_funding_months,
    )


@router.get("/referrals/{referral_id}", response_model=ReferralPublic)
def get_referral(
    referral_id: IdPath,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> ReferralPublic:
    """One referral with its whole history (and its ``ETag``)."""
    referral = referrals.read_referral(session, scope, referral_id, request_id=request_id(request))
    view = referrals.referral_views(
        session,
        scope,
        [referral],
        today=settings.today(),
        with_events=True,
        overdue_days=settings.referral_overdue_days,
        funding_months=settings.double_funding_months,
    )[0]
    with_etag(response, "referral", view.id, view.version)
    return view


@router.patch("/referrals/{referral_id}", response_model=ReferralPublic, responses=PRECONDITION)
def move_referral(
    referral_id: IdPath,
    body: ReferralMove,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> ReferralPublic:
    """Move a referral: the receiving organisation accepts, declines (with a reason), enrols,
    completes (with the outcome) or drops; the facilitator withdraws before enrolment. Send the
    ``version`` you read or its ETag in ``If-Match`` to move it only if nobody moved it since."""
    version = expected_version(if_match, body.version, kind="referral", record_id=referral_id)
    with precondition(if_match):
        referral = referrals.move_referral(
            session,
            scope,
            referral_id=referral_id,
            move=referrals.Move(status=body.status, note=body.note, reason=body.reason, outcome=body.outcome),
            request_id=request_id(request),
            expected_version=version,
            today=settings.today(),
        )
    view = referrals.referral_views(
        session,
        scope,
        [referral],
        today=settings.today(),
        with_events=True,
        overdue_days=settings.referral_overdue_days,
        funding_months=settings.double_funding_months,
    )[0]
    with_etag(response, "referral", view.id, view.version)
    return view
