"""Facilitator endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlmodel import select

from models.households import Facilitator, FacilitatorCreate, FacilitatorPublic, FacilitatorUpdate
from models.types import RegionCode
from service import people as svc
from service.api.params import Limit, Offset
from service.core.paging import Page, paginate
from service.core.scope import get_in_scope
from service.deps import ScopeDep, SessionDep, request_id

router = APIRouter(prefix="/facilitators", tags=["facilitators"])


@router.get("", response_model=Page[FacilitatorPublic])
def list_facilitators(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    region: Annotated[RegionCode | None, Query(description="Facilitators serving villages in this region")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[FacilitatorPublic]:
    """List the facilitators you may see (yourself; your forum's region; all for admins)."""
    scope.require_list(Facilitator, "facilitators")
    stmt = select(Facilitator).where(scope.where(Facilitator), *svc.facilitator_filters(region=region, q=q))
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=Facilitator.id)
    return Page(items=svc.facilitators_public(session, rows), total=total, limit=limit, offset=offset)


@router.post("", response_model=FacilitatorPublic, status_code=status.HTTP_201_CREATED)
def create_facilitator(
    data: FacilitatorCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> FacilitatorPublic:
    """Register a facilitator (admins)."""
    facilitator = svc.create_facilitator(session, data=data, scope=scope, request_id=request_id(request))
    return svc.facilitators_public(session, [facilitator])[0]


@router.get("/{facilitator_id}", response_model=FacilitatorPublic)
def get_facilitator(facilitator_id: int, session: SessionDep, scope: ScopeDep) -> FacilitatorPublic:
    """One facilitator."""
    facilitator = get_in_scope(session, scope, Facilitator, facilitator_id, "Facilitator")
    return svc.facilitators_public(session, [facilitator])[0]


@router.patch("/{facilitator_id}", response_model=FacilitatorPublic)
def update_facilitator(
    facilitator_id: int, data: FacilitatorUpdate, request: Request, session: SessionDep, scope: ScopeDep
) -> FacilitatorPublic:
    """Change a facilitator (admins). Send the ``version`` you read."""
    facilitator = get_in_scope(session, scope, Facilitator, facilitator_id, "Facilitator")
    facilitator = svc.update_facilitator(
        session, facilitator=facilitator, data=data, scope=scope, request_id=request_id(request)
    )
    return svc.facilitators_public(session, [facilitator])[0]
