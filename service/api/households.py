"""Household (KPM) and business endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from models.households import (
    BusinessCreate,
    BusinessPublic,
    BusinessUpdate,
    HouseholdCreate,
    HouseholdPublic,
    HouseholdUpdate,
    NikLookup,
    PkhStatus,
)
from models.monitoring import BusinessCheckinCreate, BusinessCheckinPublic
from models.types import NoNul, RegionCode
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, IdQuery, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.errors import InvalidInput
from service.households import checkins
from service.households import use_cases as households
from service.households.queries import HouseholdFilter

router = APIRouter(prefix="/households", tags=["households"])

NIK_IN_QUERY = (
    "A NIK is not accepted in the address (it would be logged); "
    'send it as POST /api/v1/households/lookup with {"nik": "..."}'
)


@router.get("", response_model=Page[HouseholdPublic])
def list_households(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    region: Annotated[RegionCode | None, Query(description="Region code of any level")] = None,
    group_id: IdQuery = None,
    facilitator_id: IdQuery = None,
    pkh_status: PkhStatus | None = None,
    has_business: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the head's name or PKH id"), NoNul] = None,
) -> Page[HouseholdPublic]:
    """List the households in your caseload (admins: all). Find one by NIK with ``POST /households/lookup``."""
    if "nik" in request.query_params:
        raise InvalidInput(NIK_IN_QUERY, loc=("query", "nik"))
    f = HouseholdFilter(
        region=region,
        group_id=group_id,
        facilitator_id=facilitator_id,
        pkh_status=pkh_status,
        has_business=has_business,
        q=q,
    )
    return households.list_households(session, scope, f, limit=limit, offset=offset, request_id=request_id(request))


@router.post("/lookup", response_model=Page[HouseholdPublic])
def lookup_household(
    data: NikLookup, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> Page[HouseholdPublic]:
    """Find the household of a NIK in your caseload (admins: all); the NIK travels in the body."""
    return households.lookup_by_nik(
        session, scope, nik=data.nik, nik_key=settings.nik_hash_key, request_id=request_id(request)
    )


@router.post("", response_model=HouseholdPublic, status_code=status.HTTP_201_CREATED)
def create_household(
    data: HouseholdCreate, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> HouseholdPublic:
    """Register a household (admins)."""
    return households.create_household(
        session, data=data, scope=scope, nik_key=settings.nik_hash_key, request_id=request_id(request)
    )


@router.get("/{household_id}", response_model=HouseholdPublic)
def get_household(
    household_id: IdPath, request: Request, response: Response, session: SessionDep, scope: ScopeDep
) -> HouseholdPublic:
    """One household in your caseload, with its businesses (and its ``ETag``)."""
    household = households.get_household(session, scope, household_id, request_id=request_id(request))
    with_etag(response, "household", household.id, household.version)
    return household


@router.patch("/{household_id}", response_model=HouseholdPublic, responses=PRECONDITION)
def update_household(
    household_id: IdPath,
    data: HouseholdUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> HouseholdPublic:
    """Change a household (admins; its facilitator). Send the ``version`` you read, or its ETag in ``If-Match``."""
    data.version = expected_version(if_match, data.version, kind="household", record_id=household_id)
    with precondition(if_match):
        household = households.update_household(
            session,
            household_id=household_id,
            data=data,
            scope=scope,
            nik_key=settings.nik_hash_key,
            request_id=request_id(request),
        )
    with_etag(response, "household", household.id, household.version)
    return household


@router.delete("/{household_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_household(household_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Delete a household without referrals (admins)."""
    households.delete_household(session, household_id=household_id, scope=scope, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{household_id}/businesses", response_model=BusinessPublic, status_code=status.HTTP_201_CREATED)
def add_business(
    household_id: IdPath, data: BusinessCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> BusinessPublic:
    """Record a micro-business of a household in your care."""
    return households.add_business(
        session, household_id=household_id, data=data, scope=scope, request_id=request_id(request)
    )


@router.patch("/{household_id}/businesses/{business_id}", response_model=BusinessPublic)
def update_business(
    household_id: IdPath,
    business_id: IdPath,
    data: BusinessUpdate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
) -> BusinessPublic:
    """Change a business. Send the ``version`` you read."""
    return households.update_business(
        session,
        household_id=household_id,
        business_id=business_id,
        data=data,
        scope=scope,
        request_id=request_id(request),
    )


@router.delete("/{household_id}/businesses/{business_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_business(
    household_id: IdPath, business_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep
) -> Response:
    """Remove a business."""
    households.delete_business(
        session, household_id=household_id, business_id=business_id, scope=scope, request_id=request_id(request)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{household_id}/businesses/{business_id}/checkins",
    response_model=BusinessCheckinPublic,
    status_code=status.HTTP_201_CREATED,
)
def record_checkin(
    household_id: IdPath,
    business_id: IdPath,
    data: BusinessCheckinCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> BusinessCheckinPublic:
    """Record a check-in of a business; the latest check-in's facts become the business's."""
    return checkins.record_checkin(
        session,
        scope,
        household_id=household_id,
        business_id=business_id,
        data=data,
        today=settings.today(),
        request_id=request_id(request),
    )


@router.get("/{household_id}/businesses/{business_id}/checkins", response_model=Page[BusinessCheckinPublic])
def list_checkins(
    household_id: IdPath,
    business_id: IdPath,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BusinessCheckinPublic]:
    """A business's check-ins, newest first."""
    return checkins.checkin_history(
        session,
        scope,
        household_id=household_id,
        business_id=business_id,
        limit=limit,
        offset=offset,
        request_id=request_id(request),
    )
