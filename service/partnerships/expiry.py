"""MoUs about to expire: found by a periodic job, told to both sides once (``expiry_noticed_at``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.network import Partnership
from models.types import utcnow
from service.core.audit import record_event
from service.jobs import periodic_job
from service.partnerships import notices, queries
from service.settings import Settings

log = logging.getLogger(__name__)

NOTICE_DAYS = 30


def expiring_partnerships(session: Session, today: date, days: int = NOTICE_DAYS) -> list[Partnership]:
    """Confirmed MoUs ending between ``today`` and ``days`` days from now (inclusive) whose expiry
    notice has not gone out yet."""
    return queries.expiring(session, today, today + timedelta(days=days))


def notice_expiring(session: Session, today: date, days: int = NOTICE_DAYS) -> list[int]:
    """Tell both sides of each expiring MoU and mark it noticed, each MoU in its own transaction;
    the ids told about. The mark is claimed with a conditional update, so two consumers running
    this at once tell each MoU once."""
    told: list[int] = []
    for tie in expiring_partnerships(session, today, days):
        assert tie.id is not None
        if not queries.claim_expiry_notice(session, tie.id, utcnow()):
            session.rollback()
            continue
        try:
            notices.expiring(session, tie)
            record_event(
                session,
                actor_user_id=None,
                action="update",
                entity="partnership",
                entity_id=tie.id,
                fields=["expiry_noticed_at"],
                detail={"notice": "expiring"},
            )
            session.commit()
        except IntegrityError:  # told at the same moment by another consumer
            session.rollback()
            continue
        told.append(tie.id)
    return told


@periodic_job("partnerships.expiry", minute="0")
def check_expiry_periodically(engine: Engine, settings: Settings) -> None:
    """Every hour (a day's check that also catches up after a pause): the MoUs ending within 30
    days are told to both sides, each once."""
    with Session(engine, expire_on_commit=False) as session:
        told = notice_expiring(session, settings.today())
    if told:
        log.info("MoU expiry notices for %d partnerships", len(told))
