"""SQL of forum invitations: the list a caller may see, one invitation, membership, the answer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models.invitations import ForumInvitation, InvitationStatus
from models.network import Forum, ForumMember, PartyKind
from models.organizations import Organization
from models.users import Role
from service.core.paging import paginate
from service.core.records import rows_changed
from service.core.scope import Scope

Listed = tuple[ForumInvitation, str, str]  # the invitation, its forum's name, its organisation's name


def visible(scope: Scope) -> ColumnElement[bool]:
    """SQL: the invitations the caller may see: admins all, a forum's organiser their forum's,
    an organisation's staff those sent to it; anyone else none."""
    if scope.is_admin:
        return sa.true()
    if scope.role is Role.forum_organizer and scope.forum_id is not None:
        return col(ForumInvitation.forum_id) == scope.forum_id
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        return col(ForumInvitation.organization_id) == scope.organization_id
    return sa.false()


def _listed() -> Any:
    return (
        select(ForumInvitation, Forum.name, Organization.name)
        .join(Forum, col(Forum.id) == col(ForumInvitation.forum_id))
        .join(Organization, col(Organization.id) == col(ForumInvitation.organization_id))
    )


def invitation_page(
    session: Session, scope: Scope, *, forum_id: int | None, status: str | None, limit: int, offset: int
) -> tuple[list[Listed], int]:
    """One page of the invitations the caller may see (of ``forum_id``, in ``status``): newest first."""
    ids = select(col(ForumInvitation.id)).where(visible(scope))
    if forum_id is not None:
        ids = ids.where(col(ForumInvitation.forum_id) == forum_id)
    if status is not None:
        ids = ids.where(col(ForumInvitation.status) == status)
    found: list[int | None]
    found, total = paginate(session, ids, limit=limit, offset=offset, order_by=(col(ForumInvitation.id).desc(),))
    if not found:
        return [], total
    rows = session.exec(_listed().where(col(ForumInvitation.id).in_(found))).all()
    by_id = {inv.id: (inv, forum, org) for inv, forum, org in rows}
    return [by_id[i] for i in found if i in by_id], total


def invitation(session: Session, scope: Scope, invitation_id: int) -> Listed | None:
    """One invitation the caller may see, with its forum's and organisation's names."""
    row = session.exec(_listed().where(col(ForumInvitation.id) == invitation_id, visible(scope))).first()
    return None if row is None else (row[0], row[1], row[2])


def latest_by_organization(session: Session, forum_id: int) -> dict[int, ForumInvitation]:
    """The forum's latest invitation to each organisation it invited."""
    rows = session.exec(
        select(ForumInvitation).where(ForumInvitation.forum_id == forum_id).order_by(col(ForumInvitation.id))
    ).all()
    return {inv.organization_id: inv for inv in rows}


def pending(session: Session, forum_id: int, organization_id: int) -> ForumInvitation | None:
    """The forum's invitation to the organisation still waiting for an answer, if any."""
    return session.exec(
        select(ForumInvitation).where(
            ForumInvitation.forum_id == forum_id,
            ForumInvitation.organization_id == organization_id,
            col(ForumInvitation.status) == InvitationStatus.sent,
        )
    ).first()


def membership(session: Session, forum_id: int, organization_id: int) -> ForumMember | None:
    """The organisation's membership row in the forum, if any (current or ended)."""
    return session.get(ForumMember, (forum_id, PartyKind.organization, organization_id))


def is_active(member: ForumMember | None) -> bool:
    """Whether a membership row counts now: it exists and has not ended (``left_on``, where the
    table carries it)."""
    return member is not None and getattr(member, "left_on", None) is None


def answer(session: Session, invitation_id: int, values: dict[str, Any]) -> bool:
    """Move a still-sent invitation to its answer in one statement (``False``: it was answered meanwhile)."""
    changed = rows_changed(
        session,
        sa.update(ForumInvitation)
        .where(col(ForumInvitation.id) == invitation_id, col(ForumInvitation.status) == InvitationStatus.sent)
        .values(version=ForumInvitation.version + 1, **values),
    )
    return changed == 1
