"""KPM group (P2K2) endpoints: list, create, rename, choose the leader, put families in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from models.households import KpmGroupCreate, KpmGroupMembers, KpmGroupPublic, KpmGroupUpdate
from models.types import RegionCode
from service import households
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, request_id

router = APIRouter(prefix="/groups", tags=["groups"])


@router.get("", response_model=Page[KpmGroupPublic])
def list_groups(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    village_code: Annotated[RegionCode | None, Query(description="Only the groups of this village")] = None,
) -> Page[KpmGroupPublic]:
    """List your KPM groups (admins: all) with member counts and leaders."""
    return households.list_groups(
        session, scope, village_code=village_code, limit=limit, offset=offset, request_id=request_id(request)
    )


@router.post("", response_model=KpmGroupPublic, status_code=status.HTTP_201_CREATED)
def create_group(
    data: KpmGroupCreate, request: Request, response: Response, session: SessionDep, scope: ScopeDep
) -> KpmGroupPublic:
    """Create a KPM group in one of your villages (admins: any village); names are unique per village."""
    group = households.create_group(
        session,
        scope,
        name=data.name,
        village_code=data.village_code,
        facilitator_id=data.facilitator_id,
        request_id=request_id(request),
    )
    with_etag(response, "kpm_group", group.id, group.version)
    return group


@router.get("/{group_id}", response_model=KpmGroupPublic)
def get_group(
    group_id: IdPath, request: Request, response: Response, session: SessionDep, scope: ScopeDep
) -> KpmGroupPublic:
    """One of your KPM groups (and its ``ETag``); its families: ``GET /households?group_id=``."""
    group = households.get_group(session, scope, group_id, request_id=request_id(request))
    with_etag(response, "kpm_group", group.id, group.version)
    return group


@router.patch("/{group_id}", response_model=KpmGroupPublic, responses=PRECONDITION)
def update_group(
    group_id: IdPath,
    data: KpmGroupUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> KpmGroupPublic:
    """Rename a group or choose its leader (one of its families); send the ``version`` you read or its ETag."""
    data.version = expected_version(if_match, data.version, kind="kpm_group", record_id=group_id)
    with precondition(if_match):
        group = households.update_group(session, scope, group_id=group_id, data=data, request_id=request_id(request))
    with_etag(response, "kpm_group", group.id, group.version)
    return group


@router.post("/{group_id}/members", response_model=KpmGroupPublic)
def add_members(
    group_id: IdPath, data: KpmGroupMembers, request: Request, session: SessionDep, scope: ScopeDep
) -> KpmGroupPublic:
    """Put families of your caseload who live in the group's village into the group."""
    return households.move_households(
        session, scope, group_id=group_id, household_ids=data.household_ids, request_id=request_id(request)
    )


@router.delete("/{group_id}/members/{household_id}", response_model=KpmGroupPublic)
def remove_member(
    group_id: IdPath, household_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep
) -> KpmGroupPublic:
    """Take a family out of the group (a leader stops leading it)."""
    return households.remove_from_group(
        session, scope, group_id=group_id, household_ids=[household_id], request_id=request_id(request)
    )
