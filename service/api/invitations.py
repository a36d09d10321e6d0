"""Forum invitation endpoints: a forum's organiser invites an organisation, its staff answer."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from models.invitations import InvitationAnswer, InvitationCreate, InvitationPublic, InvitationStatus
from service import invitations
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id

router = APIRouter(tags=["invitations"])


@router.post("/forums/{forum_id}/invitations", response_model=InvitationPublic, status_code=status.HTTP_201_CREATED)
def invite(
    forum_id: IdPath, data: InvitationCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> InvitationPublic:
    """Invite an organisation to the forum (its organisers, admins): 409 when it is a member already
    or still has an invitation waiting for its answer."""
    return invitations.invite(session, scope, forum_id=forum_id, data=data, request_id=request_id(request))


@router.get("/forums/{forum_id}/invitations", response_model=Page[InvitationPublic])
def forum_invitations(
    forum_id: IdPath,
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: InvitationStatus | None = None,
) -> Page[InvitationPublic]:
    """The forum's invitations, newest first (its organisers, admins)."""
    return invitations.list_invitations(session, scope, forum_id=forum_id, status=status, limit=limit, offset=offset)


@router.get("/invitations", response_model=Page[InvitationPublic])
def my_invitations(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: InvitationStatus | None = None,
) -> Page[InvitationPublic]:
    """Your invitations, newest first: to your organisation (agency staff), from your forum
    (organisers), all (admins)."""
    return invitations.list_invitations(session, scope, status=status, limit=limit, offset=offset)


@router.get("/invitations/{invitation_id}", response_model=InvitationPublic)
def get_invitation(invitation_id: IdPath, session: SessionDep, scope: ScopeDep) -> InvitationPublic:
    """One invitation (the invited organisation's staff, the forum's organisers, admins)."""
    return invitations.get_invitation(session, scope, invitation_id)


@router.patch("/invitations/{invitation_id}", response_model=InvitationPublic)
def answer_invitation(
    invitation_id: IdPath,
    data: InvitationAnswer,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> InvitationPublic:
    """Answer an invitation still ``sent``: ``accepted`` or ``declined`` (the invited organisation's
    staff; acceptance makes it a member of the forum from today), or ``withdrawn`` (the forum's
    organisers, admins). 409 when it was answered already."""
    return invitations.answer_invitation(
        session, scope, invitation_id=invitation_id, data=data, today=settings.today(), request_id=request_id(request)
    )
