"""Delivering notifications by email: the outbox the background jobs empty, with retries and a record.

``notify`` leaves a pending ``NotificationDelivery`` beside each notification for a user who wants
email. Every minute each consumer claims the due ones (one conditional ``UPDATE ... RETURNING``
that counts the attempt and leases them for a while, so two consumers never send one twice),
sends each through SMTP and records the outcome: ``sent``, or ``failed`` with the reason and the
time of the next try (the wait doubles each time) until ``notify_max_attempts``. Deliveries marked
``digest`` wait for the daily digest: one email per user per day, after ``notify_digest_hour``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.notifications import ERROR_LENGTH, DeliveryStatus, Notification, NotificationDelivery, NotificationSettings
from models.types import utcnow
from service.i18n import translator
from service.jobs.registry import periodic_job
from service.notifications import mail
from service.notifications.texts import notification_text
from service.settings import Settings

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
"""How long a claimed delivery is left to its sender before another consumer may try it."""
BATCH = 200
MAX_WAIT = timedelta(hours=12)
SETTINGS_PATH = "/pemberitahuan/pengaturan"

Sender = Callable[[Settings, EmailMessage], None]


@dataclass
class Outcome:
    """What one round of sending did: emails sent and failed, deliveries they carried."""

    sent: int = 0
    failed: int = 0
    deliveries: int = 0


def retry_wait(settings: Settings, attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: doubling, at most 12 hours."""
    return min(timedelta(seconds=settings.notify_retry_seconds * 2 ** max(0, attempts - 1)), MAX_WAIT)


def _due(settings: Settings, now: datetime, *, digest: bool) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(NotificationDelivery.status).in_([DeliveryStatus.pending, DeliveryStatus.failed]),
        col(NotificationDelivery.digest).is_(digest),
        col(NotificationDelivery.attempts) < settings.notify_max_attempts,
        col(NotificationDelivery.next_attempt_at) <= now,
    )


def _claim(session: Session, where: sa.ColumnElement[bool], now: datetime) -> list[int]:
    """Count an attempt on the due deliveries matching ``where`` and lease them; their ids."""
    batch = sa.select(col(NotificationDelivery.id)).where(where).order_by(col(NotificationDelivery.id)).limit(BATCH)
    stmt = (
        sa.update(NotificationDelivery)
        .where(col(NotificationDelivery.id).in_(batch), where)
        .values(attempts=col(NotificationDelivery.attempts) + 1, next_attempt_at=now + LEASE, updated_at=now)
        .returning(col(NotificationDelivery.id))
    )
    ids = sorted(int(i) for i in session.execute(stmt).scalars())
    session.commit()
    return ids


def _record(
    session: Session, settings: Settings, ids: Sequence[int], now: datetime, error: str | None, *, final: bool = False
) -> None:
    values: dict[str, object]
    if error is None:
        values = {"status": DeliveryStatus.sent, "sent_at": now, "last_error": None}
    else:
        reason = error if len(error) <= ERROR_LENGTH else error[: ERROR_LENGTH - 1] + "…"
        values = {"status": DeliveryStatus.failed, "last_error": reason}
        if final:
            values["attempts"] = settings.notify_max_attempts
    for delivery in session.exec(select(NotificationDelivery).where(col(NotificationDelivery.id).in_(list(ids)))):
        for name, value in values.items():
            setattr(delivery, name, value)
        if error is not None and not final:
            delivery.next_attempt_at = now + retry_wait(settings, delivery.attempts)
        delivery.updated_at = now
        session.add(delivery)
    session.commit()


def _address(session: Session, user_id: int, settings: Settings) -> tuple[str | None, str]:
    prefs = session.get(NotificationSettings, user_id)
    lang = prefs.language if prefs is not None and prefs.language in ("id", "en") else settings.default_language
    if prefs is None or not prefs.email_enabled or not prefs.email:
        return None, lang
    return prefs.email, lang


def _link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def _footer(settings: Settings, lang: str) -> str:
    return "\n\n-- \n" + translator(lang)("notice.email.footer").format(url=_link(settings, SETTINGS_PATH))


def _one_email(settings: Settings, to: str, lang: str, n: Notification) -> EmailMessage:
    text = notification_text(n.text_key, n.params or {}, lang)
    body = f"{text}\n\n{_link(settings, n.url)}" + _footer(settings, lang)
    return mail.message(settings, to=to, subject=text, body=body)


def _digest_email(settings: Settings, to: str, lang: str, items: Sequence[Notification]) -> EmailMessage:
    t = translator(lang)
    lines = [t("notice.digest.intro").format(n=len(items)), ""]
    for n in items:
        lines.append("- " + notification_text(n.text_key, n.params or {}, lang))
        lines.append("  " + _link(settings, n.url))
    body = "\n".join(lines) + _footer(settings, lang)
    return mail.message(settings, to=to, subject=t("notice.digest.subject").format(n=len(items)), body=body)


def _send(settings: Settings, sender: Sender, msg: EmailMessage) -> str | None:
    try:
        sender(settings, msg)
    except mail.MailNotSent as exc:
        return str(exc)
    return None


def send_due(
    session: Session, settings: Settings, *, now: datetime | None = None, sender: Sender = mail.send
) -> Outcome:
    """Send the due one-by-one emails (a round of at most ``BATCH``); record each attempt."""
    out = Outcome()
    if not settings.smtp_host:
        return out
    now = now or utcnow()
    for delivery_id in _claim(session, _due(settings, now, digest=False), now):
        delivery = session.get(NotificationDelivery, delivery_id)
        notification = session.get(Notification, delivery.notification_id) if delivery else None
        if delivery is None or notification is None:
            continue
        to, lang = _address(session, delivery.user_id, settings)
        out.deliveries += 1
        if to is None:
            _record(session, settings, [delivery_id], now, "email turned off by the user", final=True)
            out.failed += 1
            continue
        error = _send(settings, sender, _one_email(settings, to, lang, notification))
        _record(session, settings, [delivery_id], now, error)
        out.sent += error is None
        out.failed += error is not None
        if error is not None:
            log.warning("notification email %d not sent (attempt %d): %s", delivery_id, delivery.attempts, error)
    return out


def _sent_digest_since(session: Session, user_id: int, since: datetime) -> bool:
    return (
        session.exec(
            select(NotificationDelivery.id)
            .where(
                col(NotificationDelivery.user_id) == user_id,
                col(NotificationDelivery.digest).is_(True),
                col(NotificationDelivery.status) == DeliveryStatus.sent,
                col(NotificationDelivery.sent_at) >= since,
            )
            .limit(1)
        ).first()
        is not None
    )


def send_digests(
    session: Session, settings: Settings, *, now: datetime | None = None, sender: Sender = mail.send
) -> Outcome:
    """After the digest hour (local time), one email per user with their unsent digest items, once a day."""
    out = Outcome()
    if not settings.smtp_host:
        return out
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.hour < settings.notify_digest_hour:
        return out
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    due = _due(settings, now, digest=True)
    users = sorted(set(session.exec(select(NotificationDelivery.user_id).where(due).distinct())))
    for user_id in users:
        if _sent_digest_since(session, user_id, day_start):
            continue
        ids = _claim(session, sa.and_(due, col(NotificationDelivery.user_id) == user_id), now)
        if not ids:
            continue
        items = list(
            session.exec(
                select(Notification)
                .join(NotificationDelivery, col(NotificationDelivery.notification_id) == col(Notification.id))
                .where(col(NotificationDelivery.id).in_(ids))
                .order_by(col(Notification.created_at), col(Notification.id))
            )
        )
        out.deliveries += len(ids)
        to, lang = _address(session, user_id, settings)
        if to is None:
            _record(session, settings, ids, now, "email turned off by the user", final=True)
            out.failed += 1
            continue
        error = _send(settings, sender, _digest_email(settings, to, lang, items))
        _record(session, settings, ids, now, error)
        out.sent += error is None
        out.failed += error is not None
        if error is not None:
            log.warning("digest email of %d items not sent: %s", len(ids), error)
    return out


@periodic_job("notifications.send", minute="*")
def send_periodically(engine: Engine, settings: Settings) -> None:
    """Every minute: the due emails, then the daily digests."""
    with Session(engine, expire_on_commit=False) as session:
        done = send_due(session, settings)
        digests = send_digests(session, settings)
    if done.deliveries or digests.deliveries:
        log.info(
            "notification emails: %d sent, %d failed; digests: %d sent, %d failed",
            done.sent,
            done.failed,
            digests.sent,
            digests.failed,
        )
