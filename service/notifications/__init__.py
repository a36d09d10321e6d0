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

from service.notifications.notify import Params, notify

__all__ = ["Params", "notify"]
