"""A referral's status changes: one atomic move each, its event, and the places it takes or gives back."""

from __future__ import annotations

from sqlmodel import Session

from models.referrals import Referral, ReferralEvent
from models.types import utcnow
from service.errors import Conflict
from service.referrals import queries
from service.referrals.rules import S


def change_status(session: Session, referral: Referral, to: S, *, actor_user_id: int | None, note: str | None) -> None:
    """Change status once, atomically; record the event. Capacity follows enrolment and drops."""
    current = referral.status
    now = utcnow()
    if not queries.set_status(session, referral, to, at=now):
        session.rollback()
        fresh = session.get(Referral, referral.id)
        raise Conflict(
            f"Referral {referral.id} was just changed by someone else; it is now {fresh.status if fresh else 'gone'}"
        )
    if to is S.enrolled and not queries.take_place(session, referral.program_id, at=now):
        session.rollback()
        raise Conflict("The programme has no capacity left; decline with reason no_capacity or wait for a place")
    if to is S.dropped:
        queries.give_back_place(session, referral.program_id, at=now)
    assert referral.id is not None
    session.add(
        ReferralEvent(
            referral_id=referral.id, actor_user_id=actor_user_id, from_status=current, to_status=to, note=note, at=now
        )
    )
