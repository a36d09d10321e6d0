"""The stakeholder network of a region, loaded from the database (rebuilt on every call).

Households enter only as counts: eligible households per (village, programme), from the
vectorised screener (status code 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
from sqlmodel import Session, col

from mapping.analysis import Screened, eligible_counts
from mapping.network import NetworkRecords, build_graph
from models.households import Household
from service.core.regions import region_names
from service.core.scope import Scope, require_region_in_reach, within
from service.matching import load_columns, screen_columns
from service.network import queries


def load_records(
    session: Session,
    region: str,
    *,
    screened: Sequence[Screened],
    since: date | None = None,
    until: date | None = None,
    today: date | None = None,
) -> NetworkRecords:
    """The records of ``region``'s network: organisations in it or with published programmes
    serving it, facilitators serving villages in it, forums overlapping it, their ties
    (agreed partnerships and forum memberships in force in the window), referrals sent in the
    window and eligible counts. Without a window the ties are those in force ``today`` (an
    ended or expired tie drops out after its end date); referrals are then all of them."""
    tie_since, tie_until = ties_window(since, until, today)
    programs = queries.region_programs(session, region)
    prog_ids = [p.id for p in programs]
    orgs = queries.region_organizations(session, region, [p.organization_id for p in programs])
    facilitators = queries.region_facilitators(session, region)
    demand = eligible_counts(screened, set(prog_ids))
    codes = {v for f in facilitators for v in f.villages} | {d.village_code for d in demand}
    return NetworkRecords(
        organizations=orgs,
        programs=programs,
        facilitators=facilitators,
        forums=queries.region_forums(session, region, tie_since, tie_until),
        partnerships=queries.partnerships(session, tie_since, tie_until),
        referrals=queries.referral_counts(session, [f.id for f in facilitators], prog_ids, since, until),
        demand=demand,
        village_names=region_names(session, sorted(codes)),
    )


def ties_window(since: date | None, until: date | None, today: date | None) -> tuple[date | None, date | None]:
    """The window ties are read for: the one asked, or ``today`` for a bound left open when
    neither was given (the network as it stands)."""
    if since is None and until is None and today is not None:
        return today, today
    return since, until


def screen_region(session: Session, where: Sequence[Any], *, today: date) -> Screened:
    """The households matching ``where`` screened against the published programmes serving
    their regencies (one screening feeds the demand edges, the gaps and the suggestions)."""
    cols = load_columns(session, where, today=today)
    programs, codes = screen_columns(session, cols, today=today)
    homes = queries.homes(session, where)
    owners = queries.program_organizations(session, [p.program_id for p in programs])
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
    return [
        screen_region(session, [within(Household.village_code, r)], today=today)
        for r in queries.regencies_with_households(session, region)
    ]


def screen_facilitator(session: Session, facilitator_id: int, *, today: date) -> Screened:
    """A facilitator's whole caseload, screened."""
    return screen_region(session, [col(Household.facilitator_id) == facilitator_id], today=today)


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
    require_region_in_reach(session, scope, region)
    chunks = screen_chunks(session, region, today=today)
    records = load_records(session, region, since=since, until=until, today=today, screened=chunks)
    return RegionNetwork(region, build_graph(records), chunks, since, until)
