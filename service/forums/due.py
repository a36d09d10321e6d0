"""Which open commitments fall due: within ``DUE_WITHIN_DAYS`` days, or overdue (a query for the
periodic job of ``service.forums.notices``, or any other caller)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from service.forums import queries

DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class DueCommitment:
    """An open commitment due within ``DUE_WITHIN_DAYS`` days (``overdue``: its day has passed)."""

    commitment_id: int
    forum_id: int
    meeting_id: int
    party_kind: str
    party_id: int
    due_on: date
    overdue: bool
    text: str


def commitments_due(session: Session, today: date, *, within_days: int = DUE_WITHIN_DAYS) -> list[DueCommitment]:
    """Open commitments due in the next ``within_days`` days or overdue on ``today``, soonest first.

    A query only: the job that tells the parties (once per commitment and state) is the caller's.
    """
    rows = queries.open_commitments_due_by(session, today + timedelta(days=within_days))
    return [
        DueCommitment(
            commitment_id=c.id or 0,
            forum_id=c.forum_id,
            meeting_id=c.meeting_id,
            party_kind=c.party_kind.value,
            party_id=c.party_id,
            due_on=c.due_on,
            overdue=c.due_on < today,
            text=c.text,
        )
        for c in rows
        if c.due_on is not None
    ]
