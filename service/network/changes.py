"""The network at two dates side by side ("since the last meeting"): ties added and ended,
demand newly within reach, stakeholders no longer isolated, unmet demand before and after
(``mapping.changes``). Both dates use today's screening of the families: what moves is the ties.

Counts of households go out through ``mapping.privacy`` (withheld when 1 to 4, rounded) for
everyone but administrators, as on the other network answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import networkx as nx
from sqlmodel import Session

from mapping import changes as ch
from mapping.analysis import Screened
from mapping.network import build_graph, node_key, parse_node_id
from mapping.privacy import safe_total, withhold
from models.network import Forum
from service.core.regions import region_names
from service.core.scope import Scope, require_region_in_reach
from service.errors import InvalidInput
from service.network import queries
from service.network.graph import load_records, screen_chunks

DEFAULT_DAYS = 30
MAX_DAYS = 3660  # ten years between the two dates at most
LISTED = 1000  # rows a list of the answer holds at most (its total is given)


def changes_since_default(session: Session, forum_id: int | None, today: date) -> date:
    """The earlier date a forum's dashboard compares with: the forum's last meeting before today
    ("since the last meeting"), else 30 days ago."""
    last = queries.last_meeting_before(session, forum_id, today) if forum_id is not None else None
    return last if last is not None else today - timedelta(days=DEFAULT_DAYS)


def network_at(session: Session, region: str, day: date, chunks: list[Any]) -> nx.MultiDiGraph:
    """The network of ``region`` as it stood on ``day``: the ties in force that day and every
    referral sent up to it."""
    records = load_records(session, region, screened=chunks, since=day, until=day)
    facilitators = [f.id for f in records.facilitators]
    programs = [p.id for p in records.programs]
    records.referrals = queries.referral_counts(session, facilitators, programs, None, day)
    return build_graph(records)


@dataclass
class NetworkChanges:
    """Two dates' networks and what changed between them (the page renders it, the API returns ``body``)."""

    region: str
    since: date
    until: date
    body: dict[str, Any]


def _node(g: nx.MultiDiGraph, v: str) -> dict[str, Any]:
    kind, key = parse_node_id(v)
    return {"id": v, "kind": kind, "label": g.nodes[v].get("label", v) if v in g else v} | (
        {"record_id": int(key)} if kind != "village" else {"village_code": key}
    )


def _tie(g0: nx.MultiDiGraph, g1: nx.MultiDiGraph, t: ch.Tie) -> dict[str, Any]:
    g = g1 if t.source in g1 else g0
    out: dict[str, Any] = {"type": "partnership" if t.type == "partners" else "forum_membership"}
    if t.type == "partners":
        out |= {"partnership_id": int(t.key.split(":")[1]), "partnership_kind": t.partnership_kind}
    return out | {"source": _node(g, t.source), "target": _node(g, t.target)}


def _unmet(r: ch.Reach, exact: bool) -> dict[str, Any]:
    return {"pairs": len(r.unmet), "households": safe_total(r.unmet_households, exact=exact)}


def network_changes(
    session: Session,
    scope: Scope,
    region: str,
    *,
    since: date | None,
    until: date | None,
    today: date,
    screened: list[Screened] | None = None,
) -> NetworkChanges:
    """What changed in ``region``'s network from ``since`` (default 30 days before ``until``) to
    ``until`` (default today); 422 when ``since`` is after ``until``, 404 outside the caller's reach.
    ``screened``: the region's families already screened today (the dashboard's), else screened here."""
    until = until or today
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise InvalidInput(
            f"since ({since}) is after until ({until}): give the earlier date first", loc=("query", "since")
        )
    if (until - since).days > MAX_DAYS:
        raise InvalidInput(f"compare two dates at most {MAX_DAYS} days apart", loc=("query", "since"))
    require_region_in_reach(session, scope, region)
    exact = scope.is_admin
    chunks = screened if screened is not None else screen_chunks(session, region, today=today)
    g0, g1 = network_at(session, region, since, chunks), network_at(session, region, until, chunks)
    found = ch.compare(g0, g1)
    villages = region_names(session, sorted({parse_node_id(d.village)[1] for d in found.newly_reached}))
    reached = [
        {
            "village_code": parse_node_id(d.village)[1],
            "village_name": villages.get(parse_node_id(d.village)[1]),
            "program_id": node_key(d.program),
            "program": g1.nodes[d.program].get("label"),
            "organization_id": node_key(d.organization) if d.organization else None,
            "organization": g1.nodes[d.organization].get("label") if d.organization else None,
            "households": withhold(d.households, exact=exact),
        }
        for d in found.newly_reached[:LISTED]
    ]
    body: dict[str, Any] = {
        "region": region,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "ties_added": [_tie(g0, g1, t) for t in found.ties_added[:LISTED]],
        "ties_ended": [_tie(g0, g1, t) for t in found.ties_ended[:LISTED]],
        "newly_reached": reached,
        "newly_reached_households": safe_total([d.households for d in found.newly_reached], exact=exact),
        "no_longer_isolated": [_node(g1, v) for v in found.no_longer_isolated[:LISTED]],
        "unmet_before": _unmet(found.before, exact),
        "unmet_after": _unmet(found.after, exact),
        "figures": {"before": ch.figures(g0, found.before), "after": ch.figures(g1, found.after)},
        "totals": {
            "ties_added": len(found.ties_added),
            "ties_ended": len(found.ties_ended),
            "newly_reached": len(found.newly_reached),
            "no_longer_isolated": len(found.no_longer_isolated),
        },
    }
    return NetworkChanges(region, since, until, body)


def forum_changes(
    session: Session,
    scope: Scope,
    *,
    forum: Forum | None,
    region: str,
    since: date | None,
    today: date,
    screened: list[Screened] | None = None,
) -> NetworkChanges:
    """The dashboard's "since the last meeting": ``region`` from ``since`` (default
    ``changes_since_default``) to today, on the dashboard's own screening when given."""
    start = since or changes_since_default(session, forum.id if forum else None, today)
    return network_changes(session, scope, region, since=min(start, today), until=today, today=today, screened=screened)
