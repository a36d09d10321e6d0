"""Use cases of forum invitations: a forum's organiser invites an organisation, its staff accept
or decline, the organiser may withdraw an invitation not yet answered. Acceptance makes the
organisation a member of the forum in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.invitations import ForumInvitation, InvitationAnswer, InvitationCreate, InvitationPublic, InvitationStatus
from models.network import Forum, ForumMember, PartyKind
from models.organizations import Organization
from models.types import utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import require_version
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.invitations import queries
from service.notifications import notify

ANSWERS = frozenset({InvitationStatus.accepted, InvitationStatus.declined})


def _public(row: queries.Listed, joined_on: date | None = None) -> InvitationPublic:
    inv, forum_name, org_name = row
    assert inv.id is not None
    return InvitationPublic(
        id=inv.id,
        forum_id=inv.forum_id,
        forum_name=forum_name,
        organization_id=inv.organization_id,
        organization_name=org_name,
        status=InvitationStatus(inv.status),
        created_at=inv.created_at,
        answered_at=inv.answered_at,
        joined_on=joined_on,
        version=inv.version,
    )


def runs_forum(scope: Scope, forum_id: int) -> bool:
    """Whether the caller runs the forum: an admin, or its organiser."""
    return scope.is_admin or (scope.role is Role.forum_organizer and scope.forum_id == forum_id)


def _forum(session: Session, scope: Scope, forum_id: int) -> Forum:
    """The forum, if the caller runs it (404 otherwise, as a forum that does not exist)."""
    forum = session.get(Forum, forum_id)
    if forum is None or not runs_forum(scope, forum_id):
        raise NotFound(f"Forum {forum_id} not found")
    return forum


def invite(
    session: Session, scope: Scope, *, forum_id: int, data: InvitationCreate, request_id: str | None
) -> InvitationPublic:
    """Invite an organisation to the forum (admins, the forum's organiser): 409 when it is a member
    already or an invitation still waits for its answer."""
    forum = _forum(session, scope, forum_id)
    org: Organization = get_in_scope(session, scope, Organization, data.organization_id, "Organization")
    assert org.id is not None and forum.id is not None
    if queries.is_active(queries.membership(session, forum.id, org.id)):
        raise Conflict(f"{org.name} is already a member of {forum.name}")
    waiting = f"{org.name} was already invited to {forum.name}; the invitation is waiting for an answer"
    if queries.pending(session, forum.id, org.id) is not None:
        raise Conflict(waiting)
    inv = ForumInvitation(forum_id=forum.id, organization_id=org.id, invited_by=scope.user_id)
    session.add(inv)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request invited it first: the index of pending ones refused this one
        session.rollback()
        raise Conflict(waiting) from None
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="forum_invitation",
        entity_id=inv.id,
        request_id=request_id,
        detail={"forum_id": forum.id, "organization_id": org.id},
    )
    # The invited organisation's staff hear of it (their home page lists it with the answer buttons).
    notify(
        session,
        event="invitation.sent",
        to_organization=org.id,
        text_key="notice.invitation.sent",
        params={"forum": forum.name},
        url="/#undangan",
    )
    session.commit()
    return _public((inv, forum.name, org.name))


def list_invitations(
    session: Session,
    scope: Scope,
    *,
    forum_id: int | None = None,
    status: InvitationStatus | None = None,
    limit: int,
    offset: int,
) -> Page[InvitationPublic]:
    """The invitations the caller may see, newest first: a forum's (its organiser, admins) or, without
    ``forum_id``, all theirs (staff: those to their organisation; organisers: their forum's)."""
    if forum_id is not None:
        _forum(session, scope, forum_id)
    elif not (scope.is_admin or scope.role in (Role.agency_staff, Role.forum_organizer)):
        raise Forbidden(f"Your role ({scope.role.value}) has no forum invitations")
    rows, total = queries.invitation_page(
        session, scope, forum_id=forum_id, status=status.value if status else None, limit=limit, offset=offset
    )
    return Page(items=[_public(r) for r in rows], total=total, limit=limit, offset=offset)


def get_invitation(session: Session, scope: Scope, invitation_id: int) -> InvitationPublic:
    """One invitation the caller may see (404 otherwise)."""
    row = queries.invitation(session, scope, invitation_id)
    if row is None:
        raise NotFound(f"Invitation {invitation_id} not found")
    return _public(row)


def _may_move(scope: Scope, inv: ForumInvitation, to: InvitationStatus) -> None:
    if to in ANSWERS:
        if not (scope.role is Role.agency_staff and scope.organization_id == inv.organization_id):
            raise Forbidden("Only the invited organisation's staff accept or decline an invitation")
    elif to is InvitationStatus.withdrawn:
        if not runs_forum(scope, inv.forum_id):
            raise Forbidden("Only the forum's organisers and administrators withdraw an invitation")
    else:
        raise InvalidInput(
            "status: send accepted or declined (the invited organisation) or withdrawn (the forum)",
            loc=("body", "status"),
        )


def answer_invitation(
    session: Session,
    scope: Scope,
    *,
    invitation_id: int,
    data: InvitationAnswer,
    today: date,
    request_id: str | None,
) -> InvitationPublic:
    """Accept or decline an invitation (the invited organisation's staff), or withdraw it (the
    forum's organiser, admins). Only an invitation still ``sent`` moves (409 otherwise); an
    accepted one makes the organisation a member from ``today`` in the same transaction."""
    row = queries.invitation(session, scope, invitation_id)
    if row is None:
        raise NotFound(f"Invitation {invitation_id} not found")
    inv, forum_name, org_name = row
    to = InvitationStatus(data.status)
    _may_move(scope, inv, to)
    if data.version is not None:
        require_version(inv, data.version, what="Invitation")
    if inv.status != InvitationStatus.sent:
        raise Conflict(f"Invitation {invitation_id} was {inv.status} already; only a sent invitation is answered")
    moved = {"status": to, "answered_at": utcnow(), "answered_by": scope.user_id}
    if not queries.answer(session, invitation_id, moved):
        session.rollback()
        raise Conflict(f"Invitation {invitation_id} was answered meanwhile; reload it")
    joined_on = None
    if to is InvitationStatus.accepted:
        joined_on = _join(session, scope, inv.forum_id, inv.organization_id, today)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action=to.value,
        entity="forum_invitation",
        entity_id=invitation_id,
        request_id=request_id,
        detail={"forum_id": inv.forum_id, "organization_id": inv.organization_id},
    )
    if to in ANSWERS:  # the forum's organisers hear the answer (a withdrawal is their own doing)
        notify(
            session,
            event=f"invitation.{to.value}",
            to_forum=inv.forum_id,
            text_key=f"notice.invitation.{to.value}",
            params={"organization": org_name, "forum": forum_name},
            url="/forum#undangan",
        )
    session.commit()
    session.refresh(inv)
    return _public((inv, forum_name, org_name), joined_on)


def _join(session: Session, scope: Scope, forum_id: int, organization_id: int, today: date) -> date:
    """Make the organisation a member of the forum from ``today`` (a current member stays as it is)."""
    member = queries.membership(session, forum_id, organization_id)
    if member is None:
        kind = PartyKind.organization
        session.add(ForumMember(forum_id=forum_id, member_kind=kind, member_id=organization_id, joined_on=today))
    elif not queries.is_active(member):
        member.joined_on = today
        setattr(member, "left_on", None)  # noqa: B010  (the column comes with the forums work; an ended membership starts again)
        session.add(member)
    else:
        return member.joined_on or today
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="forum_member",
        entity_id=f"{forum_id}:organization:{organization_id}",
    )
    session.flush()
    return today


@dataclass(frozen=True)
class InvitationState:
    """What the forum dashboard shows next to a suggested organisation."""

    id: int
    status: InvitationStatus
    version: int


def invitation_states(session: Session, scope: Scope, *, forum_id: int) -> dict[int, InvitationState]:
    """The forum's latest invitation to each organisation it invited, by organisation id (the forum's
    organiser, admins; empty for anyone else)."""
    if session.get(Forum, forum_id) is None or not runs_forum(scope, forum_id):
        return {}
    return {
        org_id: InvitationState(inv.id or 0, InvitationStatus(inv.status), inv.version)
        for org_id, inv in queries.latest_by_organization(session, forum_id).items()
    }
