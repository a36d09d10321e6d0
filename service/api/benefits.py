"""A family's benefit record: what each completed programme gave it, benefits received outside
Jejaring, and the facilitator's confirmation of the certificates a programme gave. The family's
facilitator and admins only; anyone else gets 404, as for the family itself."""

from __future__ import annotations

from fastapi import APIRouter, Request

from models.benefits import BenefitConfirm, BenefitCreate, BenefitPublic
from service import benefits
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id

router = APIRouter(tags=["benefits"])


@router.get("/households/{household_id}/benefits", response_model=Page[BenefitPublic])
def benefit_record(
    household_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep, limit: Limit = 50, offset: Offset = 0
) -> Page[BenefitPublic]:
    """The family's benefit record, newest first: kind, need, rupiah, date, giver, the referral it came from."""
    return benefits.benefit_record(
        session, scope, household_id, limit=limit, offset=offset, request_id=request_id(request)
    )


@router.post("/households/{household_id}/benefits", response_model=BenefitPublic, status_code=201)
def record_benefit(
    household_id: IdPath,
    body: BenefitCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> BenefitPublic:
    """Record a benefit the family received outside Jejaring or before it (PENA, a CSR grant...)."""
    return benefits.record_benefit(
        session, scope, household_id=household_id, data=body, today=settings.today(), request_id=request_id(request)
    )


@router.post("/households/{household_id}/benefits/{benefit_id}/confirm", response_model=BenefitPublic)
def confirm_certificates(
    household_id: IdPath, benefit_id: IdPath, body: BenefitConfirm, request: Request, session: SessionDep,
    scope: ScopeDep,
) -> BenefitPublic:  # fmt: skip
    """Confirm the certificates (NIB, PIRT, halal) a completed programme gave: the business now holds them."""
    return benefits.confirm_certificates(
        session, scope, household_id=household_id, benefit_id=benefit_id, data=body, request_id=request_id(request)
    )
