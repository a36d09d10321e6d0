"""Loads the stakeholder network of a region from the database (rebuilt on every call).

Households enter only as counts: eligible households per (village, programme), from the
vectorised screener (status code 2).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import networkx as nx
import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, select

from mapping.analysis import Screened
from mapping.network import (
    DemandCount,
    FacilitatorRecord,
    ForumRecord,
    NetworkRecords,
    OrgRecord,
    PartnershipRecord,
    ProgramRecord,
    ReferralCount,
    build_graph,
)
from mapping.screening import ELIGIBLE
from models.households import Facilitator, FacilitatorVillage, Household
from models.network import Forum, ForumMember, Partnership
from models.organizations import Organization, Program, ProgramServiceArea, ProgramStatus
from models.referrals import Referral
from models.regions import Region
from models.types import code_within
from models.users import Role
from service.core.regions import require_regions
from service.core.scope import Scope, overlaps, within
from service.errors import NotFound
from service.matching import load_columns, screen_columns


def _overlap(a: str, b: str) -> bool:
    return code_within(a, b) or code_within(b, a)


def _regency(code: str) -> str:
    return ".".join(code.split(".")[:2])


def require_region_in_scope(session: Session, scope: Scope, region: str) -> None:
    """422 for an unknown code; 404 for a region outside the caller's reach."""
    require_regions(session, [region], loc=("query", "region"))
    if scope.is_admin:
        return
    allowed: list[str] = []
    if scope.role is Role.forum_organizer and scope.forum_region:
        if code_within(region, scope.forum_region):
            return
    elif scope.role is Role.facilitator and scope.facilitator_id is not None:
        villages = session.exec(
            select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == scope.facilitator_id)
        ).all()
        allowed = sorted({_regency(v) for v in villages})
    elif scope.role is Role.agency_staff and scope.organization_id is not None:
        allowed = list(
            session.exec(
                select(ProgramServiceArea.region_code)
                .join(Program, Program.id == ProgramServiceArea.program_id)  # type: ignore[arg-type]
                .where(Program.organization_id == scope.organization_id)
            ).all()
        )
    if not any(_overlap(region, a) for a in allowed):
        raise NotFound(f"region {region} not found")


def load_records(
    session: Session,
    region: str,
    *,
    screened: Sequence[Screened],
    since: date | None = None,
    until: date | None = None,
) -> NetworkRecords:
    """The records of ``region``'s network: organisations in it or with published programmes
    serving it, facilitators serving villages in it, forums overlapping it, their ties
    (partnerships active in the window), referrals sent in the window and eligible counts."""
    serving = select(ProgramServiceArea.program_id).where(overlaps(ProgramServiceArea.region_code, region))
    org_in = select(Organization.id).where(within(Organization.region_code, region))
    programs = session.exec(
        select(Program).where(
            Program.status != ProgramStatus.draft,
            sa.or_(Program.id.in_(serving), Program.organization_id.in_(org_in)),  # type: ignore[union-attr,attr-defined]
        )
    ).all()
    prog_ids = [p.id for p in programs]
    areas: dict[int, list[str]] = {}
    if prog_ids:
        for pid, code in session.exec(
            select(ProgramServiceArea.program_id, ProgramServiceArea.region_code).where(
                ProgramServiceArea.program_id.in_(prog_ids)  # type: ignore[attr-defined]
            )
        ):
            areas.setdefault(pid, []).append(code)
    org_ids = {p.organization_id for p in programs}
    orgs = session.exec(
        select(Organization).where(
            sa.or_(within(Organization.region_code, region), Organization.id.in_(sorted(org_ids)))  # type: ignore[union-attr]
        )
    ).all()

    fv = session.exec(
        select(FacilitatorVillage.facilitator_id, FacilitatorVillage.village_code).where(
            within(FacilitatorVillage.village_code, region)
        )
    ).all()
    villages_of: dict[int, list[str]] = {}
    for fid, code in fv:
        villages_of.setdefault(fid, []).append(code)
    facs = session.exec(
        select(Facilitator).where(
            sa.or_(
                Facilitator.id.in_(sorted(villages_of)),  # type: ignore[union-attr]
                sa.and_(Facilitator.region_code.is_not(None), within(Facilitator.region_code, region)),  # type: ignore[union-attr]
            )
        )
    ).all()
    forums = session.exec(select(Forum).where(overlaps(Forum.region_code, region))).all()
    members: dict[int, list[tuple[str, int]]] = {}
    if forums:
        for m in session.exec(select(ForumMember).where(ForumMember.forum_id.in_([f.id for f in forums]))):  # type: ignore[attr-defined]
            members.setdefault(m.forum_id, []).append((str(m.member_kind), m.member_id))

    ties = select(Partnership)
    if since is not None:
        ties = ties.where(sa.or_(Partnership.ended_on.is_(None), Partnership.ended_on >= since))  # type: ignore[union-attr,operator,arg-type]
    if until is not None:
        ties = ties.where(sa.or_(Partnership.started_on.is_(None), Partnership.started_on <= until))  # type: ignore[union-attr,operator,arg-type]
    partnerships = [
        PartnershipRecord(
            t.id or 0,
            str(t.party_a_kind),
            t.party_a_id,
            str(t.party_b_kind),
            t.party_b_id,
            str(t.kind),
            t.started_on,
            t.ended_on,
        )
        for t in session.exec(ties)
    ]  # both ends are checked against the nodes by build_graph

    fac_ids = [f.id for f in facs]
    referrals: list[ReferralCount] = []
    if fac_ids and prog_ids:
        stmt = (
            select(Referral.facilitator_id, Referral.program_id, Referral.status, sa.func.count())
            .where(Referral.facilitator_id.in_(fac_ids), Referral.program_id.in_(prog_ids))  # type: ignore[union-attr,attr-defined]
            .group_by(Referral.facilitator_id, Referral.program_id, Referral.status)  # type: ignore[arg-type]
        )
        if since is not None:
            stmt = stmt.where(Referral.sent_at >= datetime.combine(since, time.min, tzinfo=UTC))
        if until is not None:
            stmt = stmt.where(Referral.sent_at <= datetime.combine(until, time.max, tzinfo=UTC))
        referrals = [ReferralCount(f or 0, p, str(s), int(n)) for f, p, s, n in session.exec(stmt)]

    demand = eligible_counts(screened, {i for i in prog_ids if i is not None})
    codes = {v for vs in villages_of.values() for v in vs} | {d.village_code for d in demand}
    names = (
        dict(session.exec(select(Region.code, Region.name).where(Region.code.in_(sorted(codes)))).all())  # type: ignore[attr-defined]
        if codes
        else {}
    )
    return NetworkRecords(
        organizations=[OrgRecord(o.id or 0, o.name, str(o.kind), o.region_code) for o in orgs],
        programs=[
            ProgramRecord(
                p.id or 0,
                p.name,
                p.organization_id,
                str(p.kind),
                str(p.status),
                tuple(sorted(areas.get(p.id or 0, []))),
            )
            for p in programs
        ],
        facilitators=[
            FacilitatorRecord(f.id or 0, f.name, tuple(sorted(villages_of.get(f.id or 0, [])))) for f in facs
        ],
        forums=[
            ForumRecord(f.id or 0, f.name, f.region_code, tuple(sorted(members.get(f.id or 0, [])))) for f in forums
        ],
        partnerships=partnerships,
        referrals=referrals,
        demand=demand,
        village_names=names,
    )


def screen_region(session: Session, where: Sequence[Any], *, today: date) -> Screened:
    """The households matching ``where`` screened against the published programmes serving
    their regencies (one screening feeds the demand edges, the gaps and the suggestions)."""
    cols = load_columns(session, where, today=today)
    programs, codes = screen_columns(session, cols, today=today)
    homes = session.execute(
        sa.select(
            Household.id, Household.village_code, Household.facilitator_id, Household.latitude, Household.longitude
        )
        .where(*where)
        .order_by(Household.id)
    ).all()
    owners: dict[int, int] = {}
    if programs:
        owners = dict(
            session.execute(
                sa.select(Program.id, Program.organization_id).where(
                    Program.id.in_([p.program_id for p in programs])  # type: ignore[union-attr]
                )
            ).all()
        )
    rows_per = np.diff(np.append(cols.row_starts, cols.n_rows)) if cols.n_households else np.zeros(0, np.int64)
    row_household = np.repeat(np.arange(cols.n_households, dtype=np.int64), rows_per)[cols.has_business]
    return Screened(
        household_ids=cols.household_ids,
        villages=[h[1] for h in homes],
        facilitators=np.array([-1 if h[2] is None else h[2] for h in homes], dtype=np.int64).reshape(len(homes)),
        programs=programs,
        program_orgs=[owners.get(p.program_id, 0) for p in programs],
        codes=codes,
        row_household=row_household,
        row_needs=cols.needs[cols.has_business],
        row_sectors=cols.choices["business.sector"][cols.has_business],
        lats=np.array([np.nan if h[3] is None else h[3] for h in homes], dtype=np.float64).reshape(len(homes)),
        lons=np.array([np.nan if h[4] is None else h[4] for h in homes], dtype=np.float64).reshape(len(homes)),
    )


def screen_chunks(session: Session, region: str, *, today: date) -> list[Screened]:
    """The households of ``region`` screened regency by regency: a regency's families against
    the programmes serving it, so that a province never becomes one households x programmes
    table (1.5 million families x every programme of the province)."""
    if region.count(".") >= 1:
        return [screen_region(session, [within(Household.village_code, region)], today=today)]
    regencies = sorted(
        {
            ".".join(v.split(".")[:2])
            for v in session.exec(
                select(Household.village_code).where(within(Household.village_code, region)).distinct()
            )
        }
    )
    return [screen_region(session, [within(Household.village_code, r)], today=today) for r in regencies]


def eligible_counts(chunks: Sequence[Screened], program_ids: set[int]) -> list[DemandCount]:
    """Eligible households (screener code 2) per (village, programme)."""
    counts: Counter[tuple[str, int]] = Counter()
    for screened in chunks:
        if not screened.n_households or not screened.programs:
            continue
        villages = np.array(screened.villages, dtype=object)
        for row, p in enumerate(screened.programs):
            if p.program_id not in program_ids:
                continue
            hit = screened.codes[row] == ELIGIBLE
            if hit.any():
                for code, n in Counter(villages[hit].tolist()).items():
                    counts[(code, p.program_id)] += n
    return [DemandCount(v, p, n) for (v, p), n in sorted(counts.items())]


@dataclass
class RegionNetwork:
    """A region's graph and the screening its demand edges came from (one request's worth),
    regency by regency."""

    region: str
    graph: nx.MultiDiGraph
    chunks: list[Screened]
    since: date | None = None  # the window its partnerships and referrals were read for
    until: date | None = None


def load_network(
    session: Session, scope: Scope, region: str, *, today: date, since: date | None = None, until: date | None = None
) -> RegionNetwork:
    """The network of ``region`` for the caller (422 unknown region, 404 outside their reach)."""
    require_region_in_scope(session, scope, region)
    chunks = screen_chunks(session, region, today=today)
    records = load_records(session, region, since=since, until=until, screened=chunks)
    return RegionNetwork(region, build_graph(records), chunks, since, until)
