"""Forums, their members, work plan, meetings and commitments.

Reach: admins all forums; an organiser their own forum; facilitators and agency staff read the
forums they (their organisation) belong to. A forum out of reach is 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from models.forums import (
    CommitmentCreate,
    CommitmentPublic,
    CommitmentUpdate,
    ForumCreate,
    ForumDetail,
    ForumMemberCreate,
    ForumMemberPublic,
    ForumMemberUpdate,
    ForumUpdate,
    MeetingCreate,
    MeetingPublic,
    MeetingSummary,
    MemberKind,
    WorkItemCreate,
    WorkItemPublic,
    WorkItemUpdate,
)
from service import forums
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/forums", tags=["forums"])
meetings = APIRouter(prefix="/meetings", tags=["forums"])
commitments = APIRouter(prefix="/commitments", tags=["forums"])


# --- forums -------------------------------------------------------------------------------------


@router.get("", response_model=Page[ForumDetail])
def list_forums(session: SessionDep, scope: ScopeDep, limit: Limit = 50, offset: Offset = 0) -> Page[ForumDetail]:
    """The forums you reach: all (admins), your own (organisers), those you belong to (members)."""
    return forums.list_forums(session, scope, limit=limit, offset=offset)


@router.post("", response_model=ForumDetail, status_code=status.HTTP_201_CREATED)
def create_forum(data: ForumCreate, request: Request, session: SessionDep, scope: ScopeDep) -> ForumDetail:
    """Start a forum (admins); ``organizer_user_ids`` names the forum organisers' accounts that run it."""
    return forums.create_forum(session, scope, data=data, request_id=request_id(request))


@router.get("/{forum_id}", response_model=ForumDetail)
def get_forum(forum_id: IdPath, response: Response, session: SessionDep, scope: ScopeDep) -> ForumDetail:
    """One forum (with its ``ETag``)."""
    found = forums.get_forum(session, scope, forum_id)
    with_etag(response, "forum", found.id, found.version)
    return found


@router.patch("/{forum_id}", response_model=ForumDetail, responses=PRECONDITION)
def update_forum(
    forum_id: IdPath,
    data: ForumUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> ForumDetail:
    """Change a forum (its organisers: name, description; admins also region and
    ``organizer_user_ids``, which replaces its organisers). Send the ``version`` you read."""
    data.version = expected_version(if_match, data.version, kind="forum", record_id=forum_id)
    with precondition(if_match):
        found = forums.update_forum(session, scope, forum_id=forum_id, data=data, request_id=request_id(request))
    with_etag(response, "forum", found.id, found.version)
    return found


# --- members ------------------------------------------------------------------------------------


@router.get("/{forum_id}/members", response_model=Page[ForumMemberPublic])
def list_members(
    forum_id: IdPath, session: SessionDep, scope: ScopeDep, limit: Limit = 100, offset: Offset = 0
) -> Page[ForumMemberPublic]:
    """A forum's members: current ones first, by role, with their joined and left dates."""
    return forums.list_members(session, scope, forum_id=forum_id, limit=limit, offset=offset)


@router.post("/{forum_id}/members", response_model=ForumMemberPublic, status_code=status.HTTP_201_CREATED)
def add_member(
    forum_id: IdPath, data: ForumMemberCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> ForumMemberPublic:
    """Add an organisation or facilitator as a member (the forum's organisers, admins); 409 if it already is."""
    return forums.add_member(session, scope, forum_id=forum_id, data=data, request_id=request_id(request))


@router.patch("/{forum_id}/members/{member_kind}/{member_id}", response_model=ForumMemberPublic)
def update_member(
    forum_id: IdPath,
    member_kind: MemberKind,
    member_id: IdPath,
    data: ForumMemberUpdate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
) -> ForumMemberPublic:
    """Change a member's role or dates; ``left_on`` records that it left the forum."""
    return forums.update_member(
        session,
        scope,
        forum_id=forum_id,
        member_kind=member_kind,
        member_id=member_id,
        data=data,
        request_id=request_id(request),
    )


# --- the work plan ------------------------------------------------------------------------------


@router.get("/{forum_id}/plan", response_model=Page[WorkItemPublic])
def list_plan(
    forum_id: IdPath, session: SessionDep, scope: ScopeDep, limit: Limit = 100, offset: Offset = 0
) -> Page[WorkItemPublic]:
    """A forum's work plan, soonest due first."""
    return forums.list_work_items(session, scope, forum_id=forum_id, limit=limit, offset=offset)


@router.post("/{forum_id}/plan", response_model=WorkItemPublic, status_code=status.HTTP_201_CREATED)
def add_plan_item(
    forum_id: IdPath, data: WorkItemCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> WorkItemPublic:
    """Add a work plan item: a title, an owner (organisation or facilitator), a due date, a status."""
    return forums.add_work_item(session, scope, forum_id=forum_id, data=data, request_id=request_id(request))


@router.patch("/{forum_id}/plan/{item_id}", response_model=WorkItemPublic, responses=PRECONDITION)
def update_plan_item(
    forum_id: IdPath,
    item_id: IdPath,
    data: WorkItemUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> WorkItemPublic:
    """Change a work plan item (status, owner, due date ...); send the ``version`` you read."""
    data.version = expected_version(if_match, data.version, kind="workitem", record_id=item_id)
    with precondition(if_match):
        item = forums.update_work_item(
            session, scope, forum_id=forum_id, item_id=item_id, data=data, request_id=request_id(request)
        )
    with_etag(response, "workitem", item.id, item.version)
    return item


@router.delete("/{forum_id}/plan/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_plan_item(
    forum_id: IdPath, item_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep
) -> Response:
    """Take an item out of the work plan."""
    forums.delete_work_item(session, scope, forum_id=forum_id, item_id=item_id, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- meetings and commitments -------------------------------------------------------------------


@router.get("/{forum_id}/meetings", response_model=Page[MeetingSummary])
def list_meetings(
    forum_id: IdPath, session: SessionDep, scope: ScopeDep, limit: Limit = 50, offset: Offset = 0
) -> Page[MeetingSummary]:
    """A forum's meetings, newest first."""
    return forums.list_meetings(session, scope, forum_id=forum_id, limit=limit, offset=offset)


@router.post("/{forum_id}/meetings", response_model=MeetingPublic, status_code=status.HTTP_201_CREATED)
def create_meeting(
    forum_id: IdPath,
    data: MeetingCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> MeetingPublic:
    """Record a meeting with its attendance (members only) and commitments (organisers, admins); a
    meeting today or later is announced to the members' accounts (``forum.meeting_scheduled``)."""
    return forums.create_meeting(
        session, scope, forum_id=forum_id, data=data, today=settings.today(), request_id=request_id(request)
    )


@meetings.get("/{meeting_id}", response_model=MeetingPublic)
def get_meeting(meeting_id: IdPath, session: SessionDep, scope: ScopeDep) -> MeetingPublic:
    """One meeting: minutes, attendance with roles, commitments with their follow-ups."""
    return forums.get_meeting(session, scope, meeting_id)


@meetings.post("/{meeting_id}/commitments", response_model=CommitmentPublic, status_code=status.HTTP_201_CREATED)
def add_commitment(
    meeting_id: IdPath, data: CommitmentCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> CommitmentPublic:
    """Add a commitment to a recorded meeting (organisers, admins)."""
    return forums.add_commitment(session, scope, meeting_id=meeting_id, data=data, request_id=request_id(request))


@commitments.get("/{commitment_id}", response_model=CommitmentPublic)
def get_commitment(commitment_id: IdPath, session: SessionDep, scope: ScopeDep) -> CommitmentPublic:
    """One commitment with its follow-up history."""
    return forums.get_commitment(session, scope, commitment_id)


@commitments.patch("/{commitment_id}", response_model=CommitmentPublic)
def update_commitment(
    commitment_id: IdPath, data: CommitmentUpdate, request: Request, session: SessionDep, scope: ScopeDep
) -> CommitmentPublic:
    """Follow a commitment up: ``status`` open, done or dropped, and a ``note`` (kept in its history).
    The forum's organisers and admins, and the party that made it."""
    return forums.update_commitment(
        session, scope, commitment_id=commitment_id, data=data, request_id=request_id(request)
    )
