"""The forums' SQL: which forums a caller reaches, members, plan items, meetings, commitments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models.forums import Commitment, CommitmentStatus, MeetingAttendance, MemberKind, WorkItem
from models.forums import Meeting as MeetingRow
from models.households import Facilitator
from models.network import Forum, ForumMember, MemberRole, PartyKind
from models.organizations import Organization, Program
from models.regions import Region
from models.users import Role, User
from service.core.paging import paginate
from service.core.scope import Scope, within

Party = tuple[str, int]


def readable(scope: Scope) -> ColumnElement[bool]:
    """SQL: the forums the caller may read. Admins: all; an organiser: their forum; a facilitator or
    agency staff: the forums they (their organisation) are a current member of."""
    if scope.is_admin:
        return sa.true()
    if scope.role is Role.forum_organizer:
        return col(Forum.id) == scope.forum_id if scope.forum_id is not None else sa.false()
    party: Party | None = None
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        party = (PartyKind.facilitator.value, scope.facilitator_id)
    elif scope.role is Role.agency_staff and scope.organization_id is not None:
        party = (PartyKind.organization.value, scope.organization_id)
    if party is None:
        return sa.false()
    mine = select(ForumMember.forum_id).where(
        col(ForumMember.member_kind) == party[0],
        ForumMember.member_id == party[1],
        col(ForumMember.left_on).is_(None),
    )
    return col(Forum.id).in_(mine)


def forum(session: Session, scope: Scope, forum_id: int) -> Forum | None:
    return session.exec(select(Forum).where(Forum.id == forum_id, readable(scope))).first()


def forum_page(session: Session, scope: Scope, *, limit: int, offset: int) -> tuple[list[Forum], int]:
    return paginate(session, select(Forum).where(readable(scope)), limit=limit, offset=offset, order_by=col(Forum.id))


def forums_readable(session: Session, scope: Scope) -> list[Forum]:
    return list(session.exec(select(Forum).where(readable(scope)).order_by(Forum.name)).all())


def forum_names(session: Session, forum_ids: Iterable[int]) -> dict[int, str]:
    wanted = list(forum_ids)
    if not wanted:
        return {}
    return {int(i or 0): n for i, n in session.exec(select(Forum.id, Forum.name).where(col(Forum.id).in_(wanted)))}


def forum_named(session: Session, name: str) -> Forum | None:
    return session.exec(select(Forum).where(sa.func.lower(Forum.name) == name.lower())).first()


def organizer_ids(session: Session, forum_ids: Iterable[int]) -> dict[int, list[int]]:
    wanted = list(forum_ids)
    out: dict[int, list[int]] = {f: [] for f in wanted}
    if not wanted:
        return out
    rows = session.exec(
        select(User.forum_id, User.id)
        .where(col(User.forum_id).in_(wanted), User.role == Role.forum_organizer)
        .order_by(col(User.id))
    ).all()
    for forum_id, user_id in rows:
        if forum_id is not None and user_id is not None:
            out[forum_id].append(user_id)
    return out


def users(session: Session, user_ids: Iterable[int]) -> dict[int, User]:
    wanted = list(user_ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all() if u.id is not None}


def organisers_of(session: Session, forum_id: int) -> list[User]:
    return list(session.exec(select(User).where(User.forum_id == forum_id, User.role == Role.forum_organizer)).all())


def organizer_accounts(session: Session) -> list[User]:
    """Every active account of the forum_organizer role, by username (an admin naming organisers)."""
    return list(
        session.exec(
            select(User).where(User.role == Role.forum_organizer, col(User.is_active).is_(True)).order_by(User.username)
        ).all()
    )


def active_member_counts(session: Session, forum_ids: Iterable[int]) -> dict[int, int]:
    wanted = list(forum_ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(ForumMember.forum_id, sa.func.count())
        .where(col(ForumMember.forum_id).in_(wanted), col(ForumMember.left_on).is_(None))
        .group_by(col(ForumMember.forum_id))
    ).all()
    return {f: int(n) for f, n in rows}


# --- parties ------------------------------------------------------------------------------------


def party_names(session: Session, parties: Iterable[Party]) -> dict[Party, str]:
    """The names of organisations and facilitators named by (kind, id)."""
    orgs = {i for k, i in parties if k == MemberKind.organization}
    facs = {i for k, i in parties if k == MemberKind.facilitator}
    names: dict[Party, str] = {}
    if orgs:
        for i, n in session.exec(select(Organization.id, Organization.name).where(col(Organization.id).in_(orgs))):
            names[(MemberKind.organization.value, int(i or 0))] = n
    if facs:
        for i, n in session.exec(select(Facilitator.id, Facilitator.name).where(col(Facilitator.id).in_(facs))):
            names[(MemberKind.facilitator.value, int(i or 0))] = n
    return names


def visible_party(session: Session, scope: Scope, kind: str, party_id: int) -> str | None:
    """The name of the organisation or facilitator if the caller may see it, else ``None``."""
    if kind == MemberKind.organization:
        return session.exec(
            select(Organization.name).where(Organization.id == party_id, scope.where(Organization))
        ).first()
    return session.exec(select(Facilitator.name).where(Facilitator.id == party_id, scope.where(Facilitator))).first()


def party_choices(session: Session, scope: Scope) -> list[tuple[str, int, str]]:
    """(kind, id, name) of every organisation and facilitator ``scope`` sees, organisations first."""
    orgs = session.exec(
        select(Organization.id, Organization.name).where(scope.where(Organization)).order_by(Organization.name)
    ).all()
    facs = session.exec(
        select(Facilitator.id, Facilitator.name).where(scope.where(Facilitator)).order_by(Facilitator.name)
    ).all()
    return [(MemberKind.organization.value, int(i or 0), n) for i, n in orgs] + [
        (MemberKind.facilitator.value, int(i or 0), n) for i, n in facs
    ]


def visible_program(session: Session, scope: Scope, program_id: int) -> Program | None:
    return session.exec(select(Program).where(Program.id == program_id, scope.where(Program))).first()


def program_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    rows = session.exec(select(Program.id, Program.name).where(scope.where(Program)).order_by(Program.name)).all()
    return [(int(i or 0), n) for i, n in rows]


def program_names(session: Session, program_ids: Iterable[int]) -> dict[int, str]:
    wanted = list(program_ids)
    if not wanted:
        return {}
    rows = session.exec(select(Program.id, Program.name).where(col(Program.id).in_(wanted))).all()
    return {int(i or 0): n for i, n in rows}


def villages_in(session: Session, region: str, *, limit: int) -> list[tuple[str, str]]:
    """(code, name) of the villages in ``region``, at most ``limit`` of them."""
    rows = session.exec(
        select(Region.code, Region.name)
        .where(Region.level == "village", within(Region.code, region))
        .order_by(Region.name)
        .limit(limit)
    ).all()
    return [(c, n) for c, n in rows]


# --- members ------------------------------------------------------------------------------------

ROLE_ORDER = sa.case(
    {MemberRole.chair.value: 0, MemberRole.secretary.value: 1, MemberRole.treasurer.value: 2},
    value=col(ForumMember.role),
    else_=3,
)


def member(session: Session, forum_id: int, kind: str, member_id: int) -> ForumMember | None:
    return session.exec(
        select(ForumMember).where(
            ForumMember.forum_id == forum_id, col(ForumMember.member_kind) == kind, ForumMember.member_id == member_id
        )
    ).first()


def member_page(session: Session, forum_id: int, *, limit: int, offset: int) -> tuple[list[ForumMember], int]:
    stmt = select(ForumMember).where(ForumMember.forum_id == forum_id, col(ForumMember.member_kind) != PartyKind.forum)
    order = (
        col(ForumMember.left_on).is_not(None),
        ROLE_ORDER,
        col(ForumMember.member_kind),
        col(ForumMember.member_id),
    )
    return paginate(session, stmt, limit=limit, offset=offset, order_by=order)


def members_on(session: Session, forum_id: int, day: date) -> set[Party]:
    """The forum's members on ``day``: joined by then (or date unknown), not left before it."""
    rows = session.exec(
        select(ForumMember.member_kind, ForumMember.member_id).where(
            ForumMember.forum_id == forum_id,
            sa.or_(col(ForumMember.joined_on).is_(None), col(ForumMember.joined_on) <= day),
            sa.or_(col(ForumMember.left_on).is_(None), col(ForumMember.left_on) >= day),
        )
    ).all()
    return {(str(k), int(i)) for k, i in rows}


def is_current_member(session: Session, forum_id: int, party: Party) -> bool:
    return (
        session.exec(
            select(ForumMember.member_id).where(
                ForumMember.forum_id == forum_id,
                col(ForumMember.member_kind) == party[0],
                ForumMember.member_id == party[1],
                col(ForumMember.left_on).is_(None),
            )
        ).first()
        is not None
    )


# --- the work plan ------------------------------------------------------------------------------


def work_item_page(session: Session, forum_id: int, *, limit: int, offset: int) -> tuple[list[WorkItem], int]:
    stmt = select(WorkItem).where(WorkItem.forum_id == forum_id)
    order = (col(WorkItem.due_on).is_(None), col(WorkItem.due_on), col(WorkItem.id))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=order)


def work_item(session: Session, forum_id: int, item_id: int) -> WorkItem | None:
    return session.exec(select(WorkItem).where(WorkItem.id == item_id, WorkItem.forum_id == forum_id)).first()


# --- meetings and commitments -------------------------------------------------------------------


def meeting_page(session: Session, forum_id: int, *, limit: int, offset: int) -> tuple[list[MeetingRow], int]:
    stmt = select(MeetingRow).where(MeetingRow.forum_id == forum_id)
    return paginate(
        session, stmt, limit=limit, offset=offset, order_by=(col(MeetingRow.held_on).desc(), col(MeetingRow.id).desc())
    )


def meeting(session: Session, meeting_id: int) -> MeetingRow | None:
    return session.get(MeetingRow, meeting_id)


def attendance(session: Session, meeting_id: int) -> list[Party]:
    rows = session.exec(
        select(MeetingAttendance.member_kind, MeetingAttendance.member_id).where(
            MeetingAttendance.meeting_id == meeting_id
        )
    ).all()
    return [(str(k), int(i)) for k, i in rows]


def roles_in(session: Session, forum_id: int) -> dict[Party, MemberRole]:
    rows = session.exec(
        select(ForumMember.member_kind, ForumMember.member_id, ForumMember.role).where(ForumMember.forum_id == forum_id)
    ).all()
    return {(str(k), int(i)): MemberRole(r) for k, i, r in rows}


def counts_by_meeting(
    session: Session, model: type[MeetingAttendance] | type[Commitment], ids: list[int]
) -> dict[int, int]:
    if not ids:
        return {}
    meeting_col = col(model.meeting_id)
    rows = session.exec(select(meeting_col, sa.func.count()).where(meeting_col.in_(ids)).group_by(meeting_col)).all()
    return {int(m): int(n) for m, n in rows}


def commitments_of(session: Session, meeting_id: int) -> list[Commitment]:
    return list(
        session.exec(select(Commitment).where(Commitment.meeting_id == meeting_id).order_by(col(Commitment.id))).all()
    )


def commitment(session: Session, commitment_id: int) -> Commitment | None:
    return session.get(Commitment, commitment_id)


def open_commitments_due_by(session: Session, last_day: date) -> list[Commitment]:
    """Open commitments due on or before ``last_day``, soonest first."""
    return list(
        session.exec(
            select(Commitment)
            .where(
                col(Commitment.status) == CommitmentStatus.open,
                col(Commitment.due_on).is_not(None),
                col(Commitment.due_on) <= last_day,
            )
            .order_by(col(Commitment.due_on), col(Commitment.id))
        ).all()
    )
