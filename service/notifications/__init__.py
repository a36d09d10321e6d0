"""Notifications: an in-app inbox for every role, email at once or in a daily digest, WhatsApp links.

A domain tells people something happened with one call inside its own transaction::

    notify(
        session,
        event="referral.created",
        to_organization=program.organization_id,
        text_key="notice.referral_created",
        params={"program": program.name, "referral": referral.id},
        url=f"/rujukan/{referral.id}",
    )
    session.commit()  # the caller's commit: a rolled-back write tells no one

The background jobs deliver the emails (``delivery``); the text is written in the reader's
language when read.
"""

from service.notifications.inbox import (
    NotificationPublic,
    list_notifications,
    mark_all_read,
    mark_read,
    unread_count,
    unread_count_of,
)
from service.notifications.notify import Params, notify
from service.notifications.preferences import (
    NotificationSettingsPublic,
    NotificationSettingsWrite,
    read_preferences,
    save_preferences,
)
from service.notifications.whatsapp import wa_link, wa_number

__all__ = [
    "NotificationPublic",
    "NotificationSettingsPublic",
    "NotificationSettingsWrite",
    "Params",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "notify",
    "read_preferences",
    "save_preferences",
    "unread_count",
    "unread_count_of",
    "wa_link",
    "wa_number",
]
