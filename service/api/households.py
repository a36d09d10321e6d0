"""Household (KPM) and business endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import select

from models.households import (
    BusinessCreate,
    BusinessPublic,
    BusinessUpdate,
    Household,
    HouseholdCreate,
    HouseholdPublic,
    HouseholdUpdate,
    Nik,
    PkhStatus,
)
from models.protection import nik_hash
from models.types import RegionCode
from service import households as svc
from service.api.params import Limit, Offset
from service.core.paging import Page, paginate
from service.core.scope import get_in_scope
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/households", tags=["households"])


@router.get("", response_model=Page[HouseholdPublic])
def list_households(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    region: Annotated[RegionCode | None, Query(description="Region code of any level")] = None,
    group_id: int | None = None,
    facilitator_id: int | None = None,
    pkh_status: PkhStatus | None = None,
    has_business: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the head's name or PKH id")] = None,
    nik: Annotated[Nik | None, Query(description="Exact NIK lookup (matched by its keyed hash)")] = None,
) -> Page[HouseholdPublic]:
    """List the households in your caseload (admins: all)."""
    scope.require_list(Household, "household records")
    digest = nik_hash(nik, key=settings.nik_hash_key) if nik else None
    stmt = select(Household).where(
        scope.where(Household),
        *svc.household_filters(
            region=region,
            group_id=group_id,
            facilitator_id=facilitator_id,
            pkh_status=pkh_status,
            has_business=has_business,
            q=q,
            nik_digest=digest,
        ),
    )
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=Household.id)
    businesses = svc.businesses_by_household(session, [h.id for h in rows if h.id is not None])
    items = [svc.household_public(h, businesses[h.id]) for h in rows if h.id is not None]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("", response_model=HouseholdPublic, status_code=status.HTTP_201_CREATED)
def create_household(
    data: HouseholdCreate, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> HouseholdPublic:
    """Register a household (admins)."""
    household = svc.create_household(
        session, data=data, scope=scope, nik_key=settings.nik_hash_key, request_id=request_id(request)
    )
    return svc.household_public(household, [])


@router.get("/{household_id}", response_model=HouseholdPublic)
def get_household(household_id: int, session: SessionDep, scope: ScopeDep) -> HouseholdPublic:
    """One household in your caseload, with its businesses."""
    household = get_in_scope(session, scope, Household, household_id, "Household")
    return svc.household_public(household, svc.businesses_by_household(session, [household_id])[household_id])


@router.patch("/{household_id}", response_model=HouseholdPublic)
def update_household(
    household_id: int,
    data: HouseholdUpdate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> HouseholdPublic:
    """Change a household (admins; its facilitator). Send the ``version`` you read."""
    household = svc.update_household(
        session,
        household_id=household_id,
        data=data,
        scope=scope,
        nik_key=settings.nik_hash_key,
        request_id=request_id(request),
    )
    return svc.household_public(household, svc.businesses_by_household(session, [household_id])[household_id])


@router.delete("/{household_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_household(household_id: int, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Delete a household without referrals (admins)."""
    svc.delete_household(session, household_id=household_id, scope=scope, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{household_id}/businesses", response_model=BusinessPublic, status_code=status.HTTP_201_CREATED)
def add_business(
    household_id: int, data: BusinessCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> BusinessPublic:
    """Record a micro-business of a household in your care."""
    business = svc.add_business(
        session, household_id=household_id, data=data, scope=scope, request_id=request_id(request)
    )
    return BusinessPublic.model_validate(business.model_dump())


@router.patch("/{household_id}/businesses/{business_id}", response_model=BusinessPublic)
def update_business(
    household_id: int,
    business_id: int,
    data: BusinessUpdate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
) -> BusinessPublic:
    """Change a business. Send the ``version`` you read."""
    business = svc.update_business(
        session,
        household_id=household_id,
        business_id=business_id,
        data=data,
        scope=scope,
        request_id=request_id(request),
    )
    return BusinessPublic.model_validate(business.model_dump())


@router.delete("/{household_id}/businesses/{business_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_business(
    household_id: int, business_id: int, request: Request, session: SessionDep, scope: ScopeDep
) -> Response:
    """Remove a business."""
    svc.delete_business(
        session, household_id=household_id, business_id=business_id, scope=scope, request_id=request_id(request)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
