"""Facilitator endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from models.households import FacilitatorCreate, FacilitatorPublic, FacilitatorUpdate
from models.types import RegionCode
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, Limit, Offset, TextQuery
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, request_id
from service.people import facilitators
from service.people.transfer import CaseloadTransfer, CaseloadTransferRequest, transfer_caseload

router = APIRouter(prefix="/facilitators", tags=["facilitators"])


@router.get("", response_model=Page[FacilitatorPublic])
def list_facilitators(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    region: Annotated[RegionCode | None, Query(description="Facilitators serving villages in this region")] = None,
    q: TextQuery = None,
) -> Page[FacilitatorPublic]:
    """List the facilitators you may see (yourself; your forum's region; all for admins)."""
    return facilitators.list_facilitators(session, scope, region=region, q=q, limit=limit, offset=offset)


@router.post("", response_model=FacilitatorPublic, status_code=status.HTTP_201_CREATED)
def create_facilitator(
    data: FacilitatorCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> FacilitatorPublic:
    """Register a facilitator (admins)."""
    return facilitators.create_facilitator(session, data=data, scope=scope, request_id=request_id(request))


@router.get("/{facilitator_id}", response_model=FacilitatorPublic)
def get_facilitator(
    facilitator_id: IdPath, response: Response, session: SessionDep, scope: ScopeDep
) -> FacilitatorPublic:
    """One facilitator (with its ``ETag``)."""
    facilitator = facilitators.get_facilitator(session, scope, facilitator_id)
    with_etag(response, "facilitator", facilitator.id, facilitator.version)
    return facilitator


@router.patch("/{facilitator_id}", response_model=FacilitatorPublic, responses=PRECONDITION)
def update_facilitator(
    facilitator_id: IdPath,
    data: FacilitatorUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> FacilitatorPublic:
    """Change a facilitator (admins). Send the ``version`` you read, or its ETag in ``If-Match``."""
    data.version = expected_version(if_match, data.version, kind="facilitator", record_id=facilitator_id)
    with precondition(if_match):
        facilitator = facilitators.update_facilitator(
            session, facilitator_id=facilitator_id, data=data, scope=scope, request_id=request_id(request)
        )
    with_etag(response, "facilitator", facilitator.id, facilitator.version)
    return facilitator


@router.post("/{facilitator_id}/transfer", response_model=CaseloadTransfer)
def transfer_facilitator_caseload(
    facilitator_id: IdPath, data: CaseloadTransferRequest, request: Request, session: SessionDep, scope: ScopeDep
) -> CaseloadTransfer:
    """Move this facilitator's households (all, or ``household_ids``) to another facilitator (admins)."""
    return transfer_caseload(
        session,
        scope,
        from_facilitator_id=facilitator_id,
        to_facilitator_id=data.to_facilitator_id,
        household_ids=data.household_ids,
        request_id=request_id(request),
    )
