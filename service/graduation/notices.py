"""Notices of graduation: a facilitator is told once about each family of theirs near the 5-year
mark in PKH with no pathway (no completed or open referral, until pathways land)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from mapping.graduation import FIVE_YEARS
from service.graduation.records import near_mark
from service.jobs import periodic_job
from service.notifications import notify
from service.settings import Settings

log = logging.getLogger(__name__)


def five_year_key(household_id: int) -> str:
    return f"graduation.five_years:{household_id}"


def notify_five_years(session: Session, *, today: date) -> int:
    """Tell each facilitator about their families near the 5-year mark with no pathway, once per
    family (``once_key``); returns how many families were told about."""
    told = 0
    for alert in near_mark(session, [], today=today):
        if alert.facilitator_id is None:
            continue
        try:
            notify(
                session,
                event="graduation.five_years",
                to_facilitator=alert.facilitator_id,
                text_key="notice.graduation.five_years",
                params={"pkh_id": alert.pkh_id, "years": alert.years, "mark": FIVE_YEARS},
                url=f"/kpm/{alert.household_id}/lulus",
                once_key=five_year_key(alert.household_id),
            )
            session.commit()
        except IntegrityError:  # another consumer told them at the same moment
            session.rollback()
            continue
        told += 1
    return told


@periodic_job("graduation.five_years", minute="23")
def check_five_years_periodically(engine: Engine, settings: Settings) -> None:
    """Every hour: the 5-year notices."""
    with Session(engine, expire_on_commit=False) as session:
        told = notify_five_years(session, today=settings.today())
    if told:
        log.info("five-year notices for %d families", told)
