"""``notify``: tell users something happened, inside the caller's transaction.

Recipients are resolved to active accounts (an organisation's staff, a facilitator's account, a
forum's organisers, or users named directly); each gets one ``Notification`` and, when they chose
email, one pending ``NotificationDelivery``. Nothing is committed here: the caller's commit makes
them real, so a write that is rolled back tells no one. The background sender delivers them later
(``service.notifications.delivery``), so a mail server that is down never fails the request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session

from mapping.redact import mask_identifiers
from models.notifications import (
    EVENT_LENGTH,
    ONCE_KEY_LENGTH,
    TEXT_KEY_LENGTH,
    URL_LENGTH,
    EmailMode,
    Notification,
    NotificationDelivery,
)
from models.types import utcnow
from service.notifications import queries

log = logging.getLogger(__name__)

Params = dict[str, str | int]


def notify(
    session: Session,
    *,
    event: str,
    to_users: Iterable[int] = (),
    to_organization: int | None = None,
    to_facilitator: int | None = None,
    to_forum: int | None = None,
    text_key: str,
    params: Params,
    url: str,
    once_key: str | None = None,
) -> None:
    """Add a notification for every active recipient (and its email delivery) to ``session``, uncommitted.

    ``event`` names what happened (``referral.created``); ``text_key`` is an i18n key whose text
    is formatted with ``params`` in the reader's language when read (``{program}``), so params
    hold names and ids the receivers may already see, never a NIK, an address or coordinates
    (NIK- and phone-shaped numbers in them are masked all the same). ``url`` is a path of this
    site. With ``once_key``, a user who already has a notification with that key gets no other.
    """
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"notify: url must be a path of this site, not {url!r}")
    if len(event) > EVENT_LENGTH or len(text_key) > TEXT_KEY_LENGTH or len(url) > URL_LENGTH:
        raise ValueError("notify: event, text_key or url too long")
    if once_key is not None and len(once_key) > ONCE_KEY_LENGTH:
        raise ValueError("notify: once_key too long")
    user_ids = queries.recipients(
        session,
        users=list(to_users),
        organization=to_organization,
        facilitator=to_facilitator,
        forum=to_forum,
    )
    if once_key is not None:
        user_ids -= queries.users_having(session, once_key, user_ids)
    if not user_ids:
        return
    clean = {k: mask_identifiers(v) if isinstance(v, str) else v for k, v in params.items()}
    if clean != params:
        log.warning("notify %s: a NIK- or phone-shaped number in the params was masked", event)
    wants = queries.email_choices(session, user_ids)
    now = utcnow()
    added = [
        Notification(
            user_id=user_id,
            event=event,
            text_key=text_key,
            params=dict(clean),
            url=url,
            once_key=once_key,
            created_at=now,
        )
        for user_id in sorted(user_ids)
    ]
    session.add_all(added)
    if not any(n.user_id in wants for n in added):
        return
    session.flush()  # the notifications' ids, for their deliveries
    for n in added:
        mode = wants.get(n.user_id)
        if mode is None or n.id is None:
            continue
        session.add(
            NotificationDelivery(
                notification_id=n.id, user_id=n.user_id, digest=mode is EmailMode.daily, next_attempt_at=now
            )
        )
