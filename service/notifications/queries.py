"""SQL of notifications: who receives them, the inbox, the deliveries waiting to go out."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.notifications import EmailMode, Notification, NotificationSettings
from models.users import Role, User


def recipients(
    session: Session,
    *,
    users: Collection[int],
    organization: int | None,
    facilitator: int | None,
    forum: int | None,
) -> set[int]:
    """The active accounts among ``users``, the organisation's staff, the facilitator's account(s)
    and the forum's organisers."""
    who: list[sa.ColumnElement[bool]] = []
    if users:
        who.append(col(User.id).in_(list(users)))
    if organization is not None:
        who.append(sa.and_(col(User.role) == Role.agency_staff, col(User.organization_id) == organization))
    if facilitator is not None:
        who.append(sa.and_(col(User.role) == Role.facilitator, col(User.facilitator_id) == facilitator))
    if forum is not None:
        who.append(sa.and_(col(User.role) == Role.forum_organizer, col(User.forum_id) == forum))
    if not who:
        return set()
    rows = session.exec(select(User.id).where(col(User.is_active).is_(True), sa.or_(*who)))
    return {uid for uid in rows if uid is not None}


def users_having(session: Session, once_key: str, user_ids: Collection[int]) -> set[int]:
    """Those of ``user_ids`` who already have a notification with ``once_key``."""
    rows = session.exec(
        select(Notification.user_id).where(
            col(Notification.once_key) == once_key, col(Notification.user_id).in_(list(user_ids))
        )
    )
    return set(rows)


def email_choices(session: Session, user_ids: Collection[int]) -> dict[int, EmailMode]:
    """For each of ``user_ids`` who wants email (on, with an address): at once or in the daily digest."""
    rows = session.exec(
        select(NotificationSettings.user_id, NotificationSettings.email_mode).where(
            col(NotificationSettings.user_id).in_(list(user_ids)),
            col(NotificationSettings.email_enabled).is_(True),
            col(NotificationSettings.email).is_not(None),
            col(NotificationSettings.email) != "",
        )
    )
    return {uid: EmailMode(mode) for uid, mode in rows}
