"""Who is told what about a forum's meetings and commitments.

* A meeting recorded for today or a later day ("scheduled"): the accounts of the forum's current
  members (an organisation's staff, a facilitator) are told, inside the recording transaction.
* A commitment due within ``DUE_WITHIN_DAYS`` days, and again once it is overdue: the party that
  made it and the forum's organisers, once each (``once_key``), by the periodic job below.

The notices name the forum, the date and the commitment's words, and link to the meeting's page;
nothing about a family.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.forums import Meeting, MemberKind
from service.forums import queries
from service.forums.due import DueCommitment, commitments_due
from service.i18n import N_
from service.jobs import periodic_job
from service.notifications import notify
from service.settings import Settings

log = logging.getLogger(__name__)

SHORT = 140  # characters of a commitment's words a notice quotes


def meeting_url(meeting_id: int) -> str:
    return f"/forum/rapat/{meeting_id}"


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"


def tell_meeting_scheduled(session: Session, meeting: Meeting, *, forum_name: str, today: date) -> int:
    """A meeting on ``today`` or later: each current member's accounts are told (uncommitted).
    Returns how many members were addressed."""
    if meeting.held_on < today or meeting.id is None:
        return 0
    members = queries.members_on(session, meeting.forum_id, meeting.held_on)
    for kind, member_id in sorted(members):
        notify(
            session,
            event="forum.meeting_scheduled",
            to_organization=member_id if kind == MemberKind.organization else None,
            to_facilitator=member_id if kind == MemberKind.facilitator else None,
            text_key=N_("notice.forum.meeting_scheduled"),
            params={"forum": forum_name, "date": meeting.held_on.isoformat(), "place": meeting.place or "–"},
            url=meeting_url(meeting.id),
            once_key=f"forum.meeting:{meeting.id}",
        )
    return len(members)


def _tell_due(session: Session, due: DueCommitment, forum_name: str) -> None:
    state = "overdue" if due.overdue else "due"
    notify(
        session,
        event=f"forum.commitment_{state}",
        to_organization=due.party_id if due.party_kind == MemberKind.organization else None,
        to_facilitator=due.party_id if due.party_kind == MemberKind.facilitator else None,
        to_forum=due.forum_id,
        text_key=N_("notice.forum.commitment_overdue") if due.overdue else N_("notice.forum.commitment_due"),
        params={"forum": forum_name, "date": due.due_on.isoformat(), "text": _short(due.text)},
        url=f"{meeting_url(due.meeting_id)}#c{due.commitment_id}",
        once_key=f"forum.commitment:{due.commitment_id}:{state}:{due.due_on.isoformat()}",
    )


def notify_commitments_due(session: Session, today: date) -> int:
    """Tell the parties and organisers of every commitment due soon or overdue (once per state and
    due date) and commit; returns how many commitments were looked at."""
    due = commitments_due(session, today)
    names = queries.forum_names(session, {d.forum_id for d in due})
    for d in due:
        _tell_due(session, d, names.get(d.forum_id, "–"))
    session.commit()
    return len(due)


@periodic_job("forums.commitments_due", minute="7")
def check_commitments_periodically(engine: Engine, settings: Settings) -> None:
    """Every hour: the notices of commitments due in 7 days or overdue (each told once)."""
    with Session(engine, expire_on_commit=False) as session:
        told = notify_commitments_due(session, settings.today())
    if told:
        log.info("due commitment notices looked at %d commitments", told)
