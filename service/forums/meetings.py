"""A forum's meetings: who came, the minutes, and the commitments made, followed up until done or
dropped (which fall due: ``service.forums.due``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from models.forums import (
    AttendeePublic,
    Commitment,
    CommitmentCreate,
    CommitmentPublic,
    CommitmentUpdate,
    FollowUp,
    MeetingAttendance,
    MeetingCreate,
    MeetingPublic,
    MeetingSummary,
    MemberKind,
)
from models.forums import Meeting as MeetingRow
from models.types import utcnow
from service.core.audit import record_event, record_read
from service.core.paging import Page
from service.core.records import require_version, update_versioned
from service.core.regions import region_names, require_regions
from service.core.scope import Scope
from service.errors import Forbidden, InvalidInput, NotFound
from service.forums import queries
from service.forums.access import forum_to_read, forum_to_run, is_party, runs
from service.forums.notices import tell_meeting_scheduled


def _commitments_public(session: Session, rows: list[Commitment]) -> list[CommitmentPublic]:
    names = queries.party_names(session, [(c.party_kind.value, c.party_id) for c in rows])
    programs = queries.program_names(session, [c.program_id for c in rows if c.program_id])
    villages = region_names(session, [c.village_code for c in rows if c.village_code])
    return [
        CommitmentPublic(
            id=c.id or 0,
            meeting_id=c.meeting_id,
            forum_id=c.forum_id,
            party_kind=c.party_kind,
            party_id=c.party_id,
            party_name=names.get((c.party_kind.value, c.party_id), "–"),
            text=c.text,
            due_on=c.due_on,
            program_id=c.program_id,
            program_name=programs.get(c.program_id) if c.program_id else None,
            need=c.need.value if c.need else None,
            sector=c.sector.value if c.sector else None,
            village_code=c.village_code,
            village_name=villages.get(c.village_code) if c.village_code else None,
            status=c.status,
            note=c.note,
            follow_ups=[FollowUp.model_validate(f) for f in c.follow_ups or []],
            version=c.version,
        )
        for c in rows
    ]


def _meeting_public(session: Session, m: MeetingRow, forum_name: str) -> MeetingPublic:
    came = queries.attendance(session, m.id or 0)
    names = queries.party_names(session, came)
    roles = queries.roles_in(session, m.forum_id)
    attendees = sorted(
        (AttendeePublic(member_kind=MemberKind(k), member_id=i, name=names.get((k, i), "–"), role=roles.get((k, i)))
         for k, i in came),
        key=lambda a: a.name.lower(),
    )  # fmt: skip
    return MeetingPublic(
        id=m.id or 0,
        forum_id=m.forum_id,
        forum_name=forum_name,
        held_on=m.held_on,
        place=m.place,
        agenda=m.agenda,
        minutes=m.minutes,
        attendance=attendees,
        commitments=_commitments_public(session, queries.commitments_of(session, m.id or 0)),
        version=m.version,
        created_at=m.created_at,
    )


def _check_commitment(session: Session, scope: Scope, c: CommitmentCreate, loc: tuple[str | int, ...]) -> None:
    if queries.visible_party(session, scope, c.party_kind.value, c.party_id) is None:
        raise InvalidInput(f"{c.party_kind.value} {c.party_id} does not exist", loc=(*loc, "party_id"))
    if c.program_id is not None and queries.visible_program(session, scope, c.program_id) is None:
        raise InvalidInput(f"programme {c.program_id} does not exist", loc=(*loc, "program_id"))
    if c.village_code is not None:
        require_regions(session, [c.village_code], loc=(*loc, "village_code"))


def _new_commitment(meeting: MeetingRow, c: CommitmentCreate) -> Commitment:
    assert meeting.id is not None
    return Commitment(meeting_id=meeting.id, forum_id=meeting.forum_id, **c.model_dump())


def create_meeting(
    session: Session, scope: Scope, *, forum_id: int, data: MeetingCreate, today: date, request_id: str | None
) -> MeetingPublic:
    """Record a meeting (or schedule one) with its attendance and commitments (organisers, admins).

    Only the forum's members on the meeting's day can attend (422 naming ``attendance[i]``); a
    commitment's party and programme must be ones the caller sees, its village a known region.
    A meeting on ``today`` or later is announced to the members (``forum.meeting_scheduled``).
    """
    forum = forum_to_run(session, scope, forum_id, "record meetings")
    members = queries.members_on(session, forum_id, data.held_on)
    seen: set[tuple[str, int]] = set()
    for i, a in enumerate(data.attendance):
        party = (a.member_kind.value, a.member_id)
        if party not in members:
            raise InvalidInput(
                f"{a.member_kind.value} {a.member_id} was not a member of this forum on {data.held_on}",
                loc=("body", "attendance", i),
                kind="not_a_member",
            )
        if party in seen:
            raise InvalidInput(f"{a.member_kind.value} {a.member_id} is listed twice", loc=("body", "attendance", i))
        seen.add(party)
    for i, c in enumerate(data.commitments):
        _check_commitment(session, scope, c, ("body", "commitments", i))
    meeting = MeetingRow(
        forum_id=forum_id, held_on=data.held_on, place=data.place, agenda=data.agenda, minutes=data.minutes
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for kind, member_id in seen:
        session.add(MeetingAttendance(meeting_id=meeting.id, member_kind=MemberKind(kind), member_id=member_id))
    for c in data.commitments:
        session.add(_new_commitment(meeting, c))
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="forum_meeting",
        entity_id=meeting.id,
        request_id=request_id,
        detail={"attendance": len(seen), "commitments": len(data.commitments)},
    )
    tell_meeting_scheduled(session, meeting, forum_name=forum.name, today=today)
    session.commit()
    return _meeting_public(session, meeting, forum.name)


def list_meetings(session: Session, scope: Scope, *, forum_id: int, limit: int, offset: int) -> Page[MeetingSummary]:
    """A forum's meetings, newest first, with how many came and how many commitments were made."""
    forum_to_read(session, scope, forum_id)
    rows, total = queries.meeting_page(session, forum_id, limit=limit, offset=offset)
    ids = [m.id or 0 for m in rows]
    came = queries.counts_by_meeting(session, MeetingAttendance, ids)
    promised = queries.counts_by_meeting(session, Commitment, ids)
    items = [
        MeetingSummary(
            id=m.id or 0,
            forum_id=m.forum_id,
            held_on=m.held_on,
            place=m.place,
            agenda=m.agenda,
            attendees=came.get(m.id or 0, 0),
            commitments=promised.get(m.id or 0, 0),
            version=m.version,
        )
        for m in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


def _meeting(session: Session, scope: Scope, meeting_id: int) -> tuple[MeetingRow, str]:
    m = queries.meeting(session, meeting_id)
    forum = queries.forum(session, scope, m.forum_id) if m is not None else None
    if m is None or forum is None:
        raise NotFound(f"Meeting {meeting_id} not found")
    return m, forum.name


def get_meeting(session: Session, scope: Scope, meeting_id: int) -> MeetingPublic:
    """One meeting of a forum the caller reaches: minutes, attendance, commitments."""
    m, forum_name = _meeting(session, scope, meeting_id)
    return _meeting_public(session, m, forum_name)


def may_run_meeting(session: Session, scope: Scope, meeting: MeetingPublic) -> bool:
    """Whether the caller runs the meeting's forum (adds commitments, changes any)."""
    return runs(scope, forum_to_read(session, scope, meeting.forum_id))


def commitments_followed_by(session: Session, scope: Scope, meeting: MeetingPublic) -> set[int]:
    """The ids of the meeting's commitments the caller may follow up: all of them for whoever runs
    the forum, else those their organisation (or they, a facilitator) made."""
    if may_run_meeting(session, scope, meeting):
        return {c.id for c in meeting.commitments}
    return {c.id for c in meeting.commitments if is_party(scope, c.party_kind.value, c.party_id)}


def record_meeting_export(
    session: Session, scope: Scope, *, meeting_id: int, what: str, request_id: str | None
) -> None:
    """Audit a printed or exported meeting (the minutes name organisations, facilitators and their promises)."""
    record_read(session, scope, entity="forum_meeting", entity_id=f"{meeting_id}:{what}", request_id=request_id,
                action="export")  # fmt: skip


def add_commitment(
    session: Session, scope: Scope, *, meeting_id: int, data: CommitmentCreate, request_id: str | None
) -> CommitmentPublic:
    """Add a commitment to a recorded meeting (the forum's organisers, admins)."""
    m, _ = _meeting(session, scope, meeting_id)
    forum_to_run(session, scope, m.forum_id, "record commitments")
    _check_commitment(session, scope, data, ("body",))
    c = _new_commitment(m, data)
    session.add(c)
    session.flush()
    record_event(
        session, actor_user_id=scope.user_id, action="create", entity="forum_commitment", entity_id=c.id,
        request_id=request_id,
    )  # fmt: skip
    session.commit()
    return _commitments_public(session, [c])[0]


def _commitment(session: Session, scope: Scope, commitment_id: int) -> Commitment:
    c = queries.commitment(session, commitment_id)
    if c is None or queries.forum(session, scope, c.forum_id) is None:
        raise NotFound(f"Commitment {commitment_id} not found")
    return c


def get_commitment(session: Session, scope: Scope, commitment_id: int) -> CommitmentPublic:
    """One commitment of a forum the caller reaches."""
    return _commitments_public(session, [_commitment(session, scope, commitment_id)])[0]


def update_commitment(
    session: Session, scope: Scope, *, commitment_id: int, data: CommitmentUpdate, request_id: str | None
) -> CommitmentPublic:
    """Follow a commitment up: its status (open, done, dropped) and a note, kept in its history.

    The forum's organisers and admins; also the party that made it (its staff, or the facilitator).
    ``version`` is checked when sent.
    """
    c = _commitment(session, scope, commitment_id)
    forum = forum_to_read(session, scope, c.forum_id)
    if not (runs(scope, forum) or is_party(scope, c.party_kind.value, c.party_id)):
        raise Forbidden("Only the forum's organisers, administrators and the party that made it follow a commitment up")
    if data.version is not None:
        require_version(c, data.version, what="Commitment")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
    if "status" in changes and changes["status"] is None:
        raise InvalidInput("status cannot be empty", loc=("body", "status"))
    if not changes:
        raise InvalidInput("send a status, a note or a due date", loc=("body",))
    entry = {
        "at": utcnow().isoformat(),
        "status": (changes.get("status") or c.status).value,
        "note": changes.get("note"),
        "by_user_id": scope.user_id,
    }
    changes["follow_ups"] = [*(c.follow_ups or []), entry]
    update_versioned(session, c, changes, expected_version=c.version, what="Commitment")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="forum_commitment",
        entity_id=commitment_id,
        request_id=request_id,
        fields=[k for k in changes if k != "follow_ups"],
    )
    session.commit()
    return _commitments_public(session, [c])[0]
