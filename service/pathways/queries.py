"""The pathways' SQL: which pathways a caller reads, their steps, owners' names, the referrals
that complete or open a step, and the families of an area."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models.households import Household
from models.network import Forum
from models.organizations import Organization, Program, ProgramServiceArea, ProgramStatus
from models.pathways import Pathway, PathwayStep
from models.referrals import OPEN_STATUSES, Referral, ReferralStatus
from models.types import region_ancestors
from models.users import Role
from service.core.paging import paginate
from service.core.scope import Scope, in_processing, overlaps, within


def readable(scope: Scope, reach: list[str] | None) -> ColumnElement[bool]:
    """SQL: the pathways the caller reads. Admins: all; anyone else: the pathways of their own
    organisation or forum, and those whose region overlaps their reach (``reach_of``)."""
    if scope.is_admin or reach is None:
        return sa.true()
    parts: list[ColumnElement[bool]] = [overlaps(Pathway.region_code, code) for code in reach]
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        parts.append(col(Pathway.organization_id) == scope.organization_id)
    if scope.role is Role.forum_organizer and scope.forum_id is not None:
        parts.append(col(Pathway.forum_id) == scope.forum_id)
    return sa.or_(*parts) if parts else sa.false()


def pathway(session: Session, where: ColumnElement[bool], pathway_id: int) -> Pathway | None:
    return session.exec(select(Pathway).where(Pathway.id == pathway_id, where)).first()


def pathway_page(
    session: Session, where: ColumnElement[bool], region: str | None, *, limit: int, offset: int
) -> tuple[list[Pathway], int]:
    stmt = select(Pathway).where(where)
    if region:
        stmt = stmt.where(overlaps(Pathway.region_code, region))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=(col(Pathway.name), col(Pathway.id)))


def pathways_serving(session: Session, village_codes: Iterable[str]) -> list[Pathway]:
    """The pathways whose region holds any of ``village_codes``, by name."""
    codes = {a for v in village_codes for a in region_ancestors(v)}
    if not codes:
        return []
    stmt = select(Pathway).where(col(Pathway.region_code).in_(codes)).order_by(col(Pathway.name), col(Pathway.id))
    return list(session.exec(stmt).all())


def pathways_overlapping(session: Session, where: ColumnElement[bool], region: str) -> list[Pathway]:
    stmt = select(Pathway).where(where, overlaps(Pathway.region_code, region))
    return list(session.exec(stmt.order_by(col(Pathway.name), col(Pathway.id))).all())


def steps_of(session: Session, pathway_ids: Sequence[int]) -> dict[int, list[PathwayStep]]:
    out: dict[int, list[PathwayStep]] = defaultdict(list)
    if not pathway_ids:
        return out
    rows = session.exec(
        select(PathwayStep)
        .where(col(PathwayStep.pathway_id).in_(list(pathway_ids)))
        .order_by(col(PathwayStep.pathway_id), col(PathwayStep.position))
    )
    for step in rows:
        out[step.pathway_id].append(step)
    return out


def replace_steps(session: Session, pathway_id: int, steps: Sequence[dict[str, Any]]) -> None:
    session.execute(sa.delete(PathwayStep).where(col(PathwayStep.pathway_id) == pathway_id))
    session.flush()
    session.add_all(PathwayStep(pathway_id=pathway_id, position=i, **s) for i, s in enumerate(steps))
    session.flush()


def program_names(session: Session, program_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(program_ids))
    if not wanted:
        return {}
    rows = session.exec(select(Program.id, Program.name).where(col(Program.id).in_(wanted)))
    return {int(i or 0): n for i, n in rows}


def visible_program_ids(session: Session, scope: Scope, program_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(program_ids))
    if not wanted:
        return set()
    rows = session.exec(select(Program.id).where(col(Program.id).in_(wanted), scope.where(Program)))
    return {int(i or 0) for i in rows}


def owner_names(session: Session, rows: Iterable[Pathway]) -> dict[tuple[str, int], str]:
    rows = list(rows)
    orgs = {p.organization_id for p in rows if p.organization_id is not None}
    forums = {p.forum_id for p in rows if p.forum_id is not None}
    out: dict[tuple[str, int], str] = {}
    if orgs:
        for i, n in session.exec(select(Organization.id, Organization.name).where(col(Organization.id).in_(orgs))):
            out[("organization", int(i or 0))] = n
    if forums:
        for i, n in session.exec(select(Forum.id, Forum.name).where(col(Forum.id).in_(forums))):
            out[("forum", int(i or 0))] = n
    return out


def organization(session: Session, organization_id: int) -> Organization | None:
    return session.get(Organization, organization_id)


def forum(session: Session, forum_id: int) -> Forum | None:
    return session.get(Forum, forum_id)


# --- referrals that complete or open a step ------------------------------------------------------


def referral_programs(
    session: Session, household_ids: Sequence[int]
) -> tuple[dict[int, set[int]], dict[int, set[int]], dict[int, str]]:
    """Per household: the programmes it completed and those it has an open referral to; and the
    kind of each of those programmes (2 queries per 5,000 households)."""
    completed: dict[int, set[int]] = defaultdict(set)
    open_: dict[int, set[int]] = defaultdict(set)
    kinds: dict[int, str] = {}
    ids = list(household_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.exec(
            select(Referral.household_id, Referral.program_id, Referral.status, Program.kind)
            .join(Program, col(Program.id) == col(Referral.program_id))
            .where(
                col(Referral.household_id).in_(chunk),
                col(Referral.status).in_([ReferralStatus.completed, *OPEN_STATUSES]),
            )
        )
        for hid, pid, status, kind in rows:
            (completed if status == ReferralStatus.completed else open_)[hid].add(pid)
            kinds[pid] = str(kind)
    return completed, open_, kinds


def area_families(session: Session, region: str) -> int:
    """How many families of ``region`` may be processed (not restricted, not anonymised)."""
    stmt = select(sa.func.count()).select_from(Household).where(within(Household.village_code, region), in_processing())
    return int(session.exec(stmt).one())


def area_completions(session: Session, region: str) -> tuple[dict[int, set[int]], dict[int, str]]:
    """The completed programmes of each family of ``region`` that completed any (one query), and
    their kinds."""
    rows = session.exec(
        select(Referral.household_id, Referral.program_id, Program.kind)
        .join(Program, col(Program.id) == col(Referral.program_id))
        .join(Household, col(Household.id) == col(Referral.household_id))
        .where(
            col(Referral.status) == ReferralStatus.completed,
            within(Household.village_code, region),
            in_processing(),
        )
    )
    completed: dict[int, set[int]] = defaultdict(set)
    kinds: dict[int, str] = {}
    for hid, pid, kind in rows:
        completed[hid].add(pid)
        kinds[pid] = str(kind)
    return completed, kinds


def program_choices(session: Session, scope: Scope, reach: list[str] | None, limit: int) -> list[tuple[int, str, str]]:
    """Published programmes the caller sees serving their reach (``None``: anywhere), by name:
    (id, name, organisation's name), at most ``limit``."""
    stmt = (
        select(Program.id, Program.name, Organization.name)
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(scope.where(Program), col(Program.status).in_([ProgramStatus.active, ProgramStatus.paused]))
    )
    if reach is not None:
        areas = select(ProgramServiceArea.program_id).where(
            sa.or_(*[overlaps(ProgramServiceArea.region_code, r) for r in reach]) if reach else sa.false()
        )
        stmt = stmt.where(col(Program.id).in_(areas))
    rows = session.exec(stmt.order_by(col(Program.name), col(Program.id)).limit(limit))
    return [(int(i or 0), n, o) for i, n, o in rows]


def forum_choices(session: Session) -> list[tuple[int, str]]:
    return [(int(i or 0), n) for i, n in session.exec(select(Forum.id, Forum.name).order_by(col(Forum.name)))]
