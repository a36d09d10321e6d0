"""MoUs about to expire: found once a day by a periodic job, told to both sides once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from models.network import Partnership
from models.types import utcnow
from service.core.audit import record_event
from service.partnerships import notices, queries

NOTICE_DAYS = 30


def expiring_partnerships(session: Session, today: date, days: int = NOTICE_DAYS) -> list[Partnership]:
    """Confirmed MoUs ending between today and ``days`` days from now whose expiry notice has not
    gone out yet (``expiry_noticed_at`` is empty)."""
    return queries.expiring(session, today, today + timedelta(days=days))


def notice_expiring(session: Session, today: date, days: int = NOTICE_DAYS) -> list[int]:
    """Tell both sides of each expiring MoU, mark it noticed (so it fires once) and commit; the
    ids of the partnerships noticed. The daily periodic job runs this."""
    ties = expiring_partnerships(session, today, days)
    now = utcnow()
    for tie in ties:
        tie.expiry_noticed_at = now
        session.add(tie)
        notices.expiring(session, tie)
        record_event(
            session,
            actor_user_id=None,
            role="system",
            action="update",
            entity="partnership",
            entity_id=tie.id,
            fields=["expiry_noticed_at"],
        )
    session.commit()
    return [t.id for t in ties if t.id is not None]
