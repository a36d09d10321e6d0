"""SQL of the network domain: a region's stakeholders and ties, homes, caseloads, referral counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from mapping.network import FacilitatorRecord, ForumRecord, OrgRecord, PartnershipRecord, ProgramRecord, ReferralCount
from models.forums import Meeting
from models.households import Facilitator, FacilitatorVillage, Household
from models.network import Forum, ForumMember, Partnership, PartnershipStatus, PartyKind
from models.organizations import CapacityUnit, Organization, Program, ProgramServiceArea, ProgramStatus
from models.referrals import Referral, ReferralStatus
from service.core.scope import in_processing, overlaps, within


def _sent_between(stmt: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        stmt = stmt.where(col(Referral.sent_at) >= datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        stmt = stmt.where(col(Referral.sent_at) <= datetime.combine(until, time.max, tzinfo=UTC))
    return stmt


def region_programs(session: Session, region: str) -> list[ProgramRecord]:
    """Published programmes serving ``region`` or offered by an organisation in it, with their areas."""
    serving = select(ProgramServiceArea.program_id).where(overlaps(ProgramServiceArea.region_code, region))
    org_in = select(Organization.id).where(within(Organization.region_code, region))
    programs = session.exec(
        select(Program).where(
            col(Program.status) != ProgramStatus.draft,
            sa.or_(col(Program.id).in_(serving), col(Program.organization_id).in_(org_in)),
        )
    ).all()
    areas = service_areas(session, [p.id for p in programs if p.id is not None])
    return [
        ProgramRecord(
            p.id or 0, p.name, p.organization_id, str(p.kind), str(p.status), tuple(sorted(areas.get(p.id or 0, [])))
        )
        for p in programs
    ]


def service_areas(session: Session, program_ids: Sequence[int]) -> dict[int, list[str]]:
    """The region codes each programme serves."""
    out: dict[int, list[str]] = {}
    if program_ids:
        rows = session.exec(
            select(ProgramServiceArea.program_id, ProgramServiceArea.region_code).where(
                col(ProgramServiceArea.program_id).in_(list(program_ids))
            )
        )
        for pid, code in rows:
            out.setdefault(pid, []).append(code)
    return out


def region_organizations(session: Session, region: str, also: Sequence[int]) -> list[OrgRecord]:
    """Organisations in ``region`` and those with ids ``also`` (offering programmes serving it)."""
    orgs = session.exec(
        select(Organization).where(
            sa.or_(within(Organization.region_code, region), col(Organization.id).in_(sorted(set(also))))
        )
    ).all()
    return [OrgRecord(o.id or 0, o.name, str(o.kind), o.region_code) for o in orgs]


def region_facilitators(session: Session, region: str) -> list[FacilitatorRecord]:
    """Facilitators serving villages in ``region`` (with those villages) or based in it."""
    villages_of: dict[int, list[str]] = {}
    rows = session.exec(
        select(FacilitatorVillage.facilitator_id, FacilitatorVillage.village_code).where(
            within(FacilitatorVillage.village_code, region)
        )
    ).all()
    for fid, code in rows:
        villages_of.setdefault(fid, []).append(code)
    facs = session.exec(
        select(Facilitator).where(
            sa.or_(
                col(Facilitator.id).in_(sorted(villages_of)),
                sa.and_(col(Facilitator.region_code).is_not(None), within(Facilitator.region_code, region)),
            )
        )
    ).all()
    return [FacilitatorRecord(f.id or 0, f.name, tuple(sorted(villages_of.get(f.id or 0, [])))) for f in facs]


def last_meeting_before(session: Session, forum_id: int, day: date) -> date | None:
    """The date of the forum's last meeting before ``day``, if it has met."""
    latest: date | None = session.exec(
        select(sa.func.max(Meeting.held_on)).where(Meeting.forum_id == forum_id, col(Meeting.held_on) < day)
    ).one()
    return latest


def member_in_window(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """SQL: the forum memberships that held at some time in the window: joined by its end, not
    left before its start (a member counts on the day it leaves, as a partnership on its end date).
    The one place a membership's dates count."""
    clauses: list[ColumnElement[bool]] = []
    if until is not None:
        clauses.append(sa.or_(col(ForumMember.joined_on).is_(None), col(ForumMember.joined_on) <= until))
    if since is not None:
        clauses.append(sa.or_(col(ForumMember.left_on).is_(None), col(ForumMember.left_on) >= since))
    return clauses


def region_forums(
    session: Session, region: str, since: date | None = None, until: date | None = None
) -> list[ForumRecord]:
    """Forums whose region overlaps ``region``, with their members in the window."""
    forums = session.exec(select(Forum).where(overlaps(Forum.region_code, region))).all()
    members: dict[int, list[tuple[str, int]]] = {}
    if forums:
        rows = session.exec(
            select(ForumMember).where(
                col(ForumMember.forum_id).in_([f.id for f in forums]), *member_in_window(since, until)
            )
        )
        for m in rows:
            members.setdefault(m.forum_id, []).append((str(m.member_kind), m.member_id))
    return [ForumRecord(f.id or 0, f.name, f.region_code, tuple(sorted(members.get(f.id or 0, [])))) for f in forums]


def partnerships(session: Session, since: date | None, until: date | None) -> list[PartnershipRecord]:
    """Agreed partnerships in force at some time in the window (both ends are checked against the
    nodes by ``build_graph``). A tie counts from the later of its start and the day party B
    confirmed it, up to and on its end date: proposals and declined ties never count, an ended
    one no longer from the day after its end."""
    ties = select(Partnership).where(
        col(Partnership.status).in_([PartnershipStatus.confirmed, PartnershipStatus.ended])
    )
    if since is not None:
        ties = ties.where(sa.or_(col(Partnership.ended_on).is_(None), col(Partnership.ended_on) >= since))
    if until is not None:
        ties = ties.where(
            sa.or_(col(Partnership.started_on).is_(None), col(Partnership.started_on) <= until),
            sa.or_(col(Partnership.confirmed_on).is_(None), col(Partnership.confirmed_on) <= until),
        )
    return [
        PartnershipRecord(
            t.id or 0,
            str(t.party_a_kind),
            t.party_a_id,
            str(t.party_b_kind),
            t.party_b_id,
            str(t.kind),
            max([d for d in (t.started_on, t.confirmed_on) if d is not None], default=None),
            t.ended_on,
        )
        for t in session.exec(ties)
    ]


def referral_counts(
    session: Session, facilitator_ids: Sequence[int], program_ids: Sequence[int], since: date | None, until: date | None
) -> list[ReferralCount]:
    """Referrals per (facilitator, programme, status) sent in the window."""
    if not facilitator_ids or not program_ids:
        return []
    stmt = (
        select(Referral.facilitator_id, Referral.program_id, Referral.status, sa.func.count())
        .where(col(Referral.facilitator_id).in_(list(facilitator_ids)), col(Referral.program_id).in_(list(program_ids)))
        .group_by(col(Referral.facilitator_id), col(Referral.program_id), col(Referral.status))
    )
    return [ReferralCount(f or 0, p, str(s), int(n)) for f, p, s, n in session.exec(_sent_between(stmt, since, until))]


def referrals_by_program(
    session: Session, program_ids: Sequence[int], since: date | None, until: date | None
) -> dict[int, int]:
    """Referrals sent to each programme in the window, by any facilitator."""
    if not program_ids:
        return {}
    stmt = (
        select(Referral.program_id, sa.func.count())
        .where(col(Referral.program_id).in_(list(program_ids)))
        .group_by(col(Referral.program_id))
    )
    return {int(p): int(n) for p, n in session.exec(_sent_between(stmt, since, until))}


def homes(session: Session, where: Sequence[Any]) -> Sequence[Any]:
    """(id, village, facilitator, latitude, longitude) of the households matching ``where``, by id."""
    return session.execute(
        sa.select(
            col(Household.id),
            col(Household.village_code),
            col(Household.facilitator_id),
            col(Household.latitude),
            col(Household.longitude),
        )
        .where(*where, in_processing())
        .order_by(col(Household.id))
    ).all()


def program_organizations(session: Session, program_ids: Sequence[int]) -> dict[int, int]:
    """The organisation offering each programme."""
    if not program_ids:
        return {}
    rows = session.execute(
        sa.select(col(Program.id), col(Program.organization_id)).where(col(Program.id).in_(list(program_ids)))
    ).all()
    return {int(pid): int(oid) for pid, oid in rows}


def regencies_with_households(session: Session, region: str) -> list[str]:
    """The regencies of ``region`` where households live."""
    villages = session.exec(select(Household.village_code).where(within(Household.village_code, region)).distinct())
    return sorted({".".join(v.split(".")[:2]) for v in villages})


def caseload_counts(session: Session, facilitator_ids: Sequence[int]) -> tuple[dict[int, int], dict[int, str]]:
    """Each facilitator's whole caseload size (all their KPM, wherever they live) and name."""
    counts = session.exec(
        select(Household.facilitator_id, sa.func.count())
        .where(col(Household.facilitator_id).in_(list(facilitator_ids)))
        .group_by(col(Household.facilitator_id))
    ).all()
    names = session.exec(
        select(Facilitator.id, Facilitator.name).where(col(Facilitator.id).in_(list(facilitator_ids)))
    ).all()
    return (
        {int(f): int(n) for f, n in counts if f is not None},
        {int(f): name for f, name in names if f is not None},
    )


def facilitator_villages(session: Session, facilitator_id: int) -> list[str]:
    return list(
        session.exec(
            select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == facilitator_id)
        ).all()
    )


def forum_organization_members(session: Session, forum_id: int) -> set[int]:
    """The organisations that are members of the forum."""
    rows = session.exec(
        select(ForumMember.member_id).where(
            ForumMember.forum_id == forum_id, col(ForumMember.member_kind) == PartyKind.organization
        )
    )
    return set(rows)


def forums_by_name(session: Session) -> list[Forum]:
    """Every forum, by name."""
    return list(session.exec(select(Forum).order_by(Forum.name)).all())


def organization_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Organization.id, Organization.name).where(col(Organization.id).in_(list(ids))))
    return {int(oid): name for oid, name in rows if oid is not None}


def head_names(session: Session, household_ids: Sequence[int]) -> dict[int, str]:
    if not household_ids:
        return {}
    rows = session.exec(select(Household.id, Household.head_name).where(col(Household.id).in_(list(household_ids))))
    return {int(hid): name for hid, name in rows if hid is not None}


def village_centres(session: Session, villages: Sequence[str]) -> dict[str, tuple[float, float]]:
    """The mean of each village's known household points."""
    if not villages:
        return {}
    rows = session.execute(
        sa.select(col(Household.village_code), sa.func.avg(Household.latitude), sa.func.avg(Household.longitude))
        .where(
            col(Household.village_code).in_(list(villages)),
            col(Household.latitude).is_not(None),
            col(Household.longitude).is_not(None),
        )
        .group_by(col(Household.village_code))
    ).all()
    return {v: (float(lat), float(lon)) for v, lat, lon in rows}


def places_rows(
    session: Session, program_ids: Sequence[int]
) -> list[tuple[int, int | None, str, int | None, int | None]]:
    """(programme, places remaining, capacity unit, benefit min, benefit max) of each programme."""
    if not program_ids:
        return []
    rows = session.execute(
        sa.select(
            col(Program.id),
            col(Program.capacity_remaining),
            col(Program.capacity_unit),
            col(Program.benefit_min),
            col(Program.benefit_max),
        ).where(col(Program.id).in_(list(program_ids)))
    ).all()
    return [(int(pid or 0), left, str(CapacityUnit(unit).value), low, high) for pid, left, unit, low, high in rows]


def published_program_ids(session: Session, program_ids: Sequence[int]) -> set[int]:
    rows = session.exec(
        select(Program.id).where(col(Program.id).in_(list(program_ids)), col(Program.status) != ProgramStatus.draft)
    )
    return {int(pid) for pid in rows if pid is not None}


def referral_rows(session: Session, where: Sequence[Any], statuses: Sequence[ReferralStatus]) -> Sequence[Any]:
    """(household, programme, status, programme kind) of the referrals in ``statuses`` of the
    households matching ``where``."""
    return session.execute(
        sa.select(col(Referral.household_id), col(Referral.program_id), col(Referral.status), col(Program.kind))
        .join(Program, col(Program.id) == col(Referral.program_id))
        .where(
            col(Referral.household_id).in_(sa.select(col(Household.id)).where(*where, in_processing())),
            col(Referral.status).in_(list(statuses)),
        )
    ).all()


def count_households(session: Session, where: Sequence[Any]) -> int:
    return int(session.exec(select(sa.func.count()).select_from(Household).where(*where, in_processing())).one())
