"""The in-app inbox: a user's own notifications, unread first, and marking them read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from models.notifications import Notification
from models.types import utcnow
from models.users import User
from service.core.audit import record_event
from service.core.paging import Page, paginate
from service.core.scope import Scope
from service.errors import Forbidden, NotFound
from service.notifications.texts import notification_text


class NotificationPublic(BaseModel):
    id: int
    event: str = Field(description="What happened, e.g. referral.created")
    created_at: datetime
    read_at: datetime | None
    text: str = Field(description="In the language asked for")
    url: str = Field(description="Where to look: a path of this site")


def _own(scope: Scope) -> int:
    if scope.user_id is None:
        raise Forbidden("Notifications belong to a signed-in user")
    return scope.user_id


def public(n: Notification, lang: str) -> NotificationPublic:
    assert n.id is not None
    return NotificationPublic(
        id=n.id,
        event=n.event,
        created_at=n.created_at,
        read_at=n.read_at,
        text=notification_text(n.text_key, n.params or {}, lang),
        url=n.url,
    )


def list_notifications(
    session: Session, scope: Scope, *, lang: str, unread_only: bool = False, limit: int, offset: int
) -> Page[NotificationPublic]:
    """The caller's own notifications, unread first, newest first within each."""
    stmt = select(Notification).where(col(Notification.user_id) == _own(scope))
    if unread_only:
        stmt = stmt.where(col(Notification.read_at).is_(None))
    rows, total = paginate(
        session,
        stmt,
        limit=limit,
        offset=offset,
        order_by=(
            sa.case((col(Notification.read_at).is_(None), 0), else_=1),
            col(Notification.created_at).desc(),
            col(Notification.id).desc(),
        ),
    )
    return Page(items=[public(n, lang) for n in rows], total=total, limit=limit, offset=offset)


def mark_read(
    session: Session, scope: Scope, *, notification_id: int, lang: str, request_id: str | None
) -> NotificationPublic:
    """Mark one of the caller's notifications read (someone else's: 404); reading twice keeps the first time."""
    n = session.exec(
        select(Notification).where(col(Notification.id) == notification_id, col(Notification.user_id) == _own(scope))
    ).first()
    if n is None:
        raise NotFound(f"Notification {notification_id} not found")
    if n.read_at is None:
        n.read_at = utcnow()
        session.add(n)
        record_event(
            session,
            actor_user_id=scope.user_id,
            action="read",
            entity="notification",
            entity_id=notification_id,
            request_id=request_id,
        )
        session.commit()
        session.refresh(n)
    return public(n, lang)


def mark_all_read(session: Session, scope: Scope, *, request_id: str | None) -> int:
    """Mark every unread notification of the caller read; returns how many were."""
    user_id = _own(scope)
    result = session.execute(
        sa.update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    marked = int(getattr(result, "rowcount", 0) or 0)
    if marked:
        record_event(
            session,
            actor_user_id=user_id,
            action="read_all",
            entity="notification",
            request_id=request_id,
            detail={"count": marked},
        )
    session.commit()
    return marked


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread (one indexed count)."""
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        )
        or 0
    )


def unread_count_of(user: User | None) -> int | None:
    """For a page's header: the unread count of ``user`` through the session that loaded it
    (``None`` for no user, or a user no longer attached to a session)."""
    if user is None or user.id is None:
        return None
    session = object_session(user)
    if not isinstance(session, Session):
        return None
    return unread_count(session, user.id)
