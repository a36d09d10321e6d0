"""Pathways: define, list, read and change them; a family's next step on each.

Agency staff define pathways for their organisation, forum organisers for their forum,
administrators for either; everyone reads the pathways of their own organisation or forum and
those overlapping their reach (others: 404). A family's next steps: its own facilitator and
administrators (others: 404).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from models.pathways import NextSteps, PathwayCreate, PathwayPublic, PathwayUpdate
from models.types import RegionCode
from service import pathways
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id

router = APIRouter(tags=["pathways"])


@router.get("/pathways", response_model=Page[PathwayPublic])
def list_pathways(
    session: SessionDep,
    scope: ScopeDep,
    region: Annotated[RegionCode | None, Query(description="Pathways whose region overlaps this one")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PathwayPublic]:
    """The pathways you read: your organisation's or forum's, and those overlapping your reach."""
    return pathways.list_pathways(session, scope, region=region, limit=limit, offset=offset)


@router.post("/pathways", response_model=PathwayPublic, status_code=status.HTTP_201_CREATED)
def create_pathway(data: PathwayCreate, request: Request, session: SessionDep, scope: ScopeDep) -> PathwayPublic:
    """Define a pathway: ordered steps, each a programme (``program_id``) or a programme kind
    (``program_kind``); a step naming a programme you cannot see is refused (422 naming it)."""
    return pathways.create_pathway(session, scope, data=data, request_id=request_id(request))


@router.get("/pathways/{pathway_id}", response_model=PathwayPublic)
def get_pathway(pathway_id: IdPath, response: Response, session: SessionDep, scope: ScopeDep) -> PathwayPublic:
    """One pathway (with its ``ETag``)."""
    found = pathways.get_pathway(session, scope, pathway_id)
    with_etag(response, "pathway", found.id, found.version)
    return found


@router.patch("/pathways/{pathway_id}", response_model=PathwayPublic, responses=PRECONDITION)
def update_pathway(
    pathway_id: IdPath,
    data: PathwayUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> PathwayPublic:
    """Change a pathway of your organisation or forum; ``steps`` replaces them all. Send the ``version`` you read."""
    data.version = expected_version(if_match, data.version, kind="pathway", record_id=pathway_id)
    with precondition(if_match):
        found = pathways.update_pathway(
            session, scope, pathway_id=pathway_id, data=data, request_id=request_id(request)
        )
    with_etag(response, "pathway", found.id, found.version)
    return found


@router.get("/households/{household_id}/next-steps", response_model=NextSteps)
def household_next_steps(
    household_id: IdPath,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    lang: Annotated[Literal["id", "en"], Query()] = "id",
) -> NextSteps:
    """For each pathway serving the family's area: the next step (the first not completed), whether
    the family is eligible for it, and, when not, what it lacks (the screening's reasons)."""
    return pathways.household_next_steps(
        session, scope, household_id, today=settings.today(), lang=lang, request_id=request_id(request)
    )
