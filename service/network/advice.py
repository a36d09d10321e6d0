"""What the network tells its users to do: gaps, suggested links, forum invitations.

Everything here is counts. Counts of 1 to 4 households are withheld (``None``) from everyone but
administrators (``mapping.privacy``); a facilitator's own figures are about their own families,
so they see them exactly.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlmodel import Session

from mapping import analysis as an
from mapping.labels import Lang
from mapping.network import NetworkRecords, build_graph, graph_json, node_id, node_key
from mapping.network import metrics as net_metrics
from mapping.privacy import safe_total, shown, withhold
from models.households import Facilitator
from models.network import Forum
from models.types import code_within
from models.users import Role
from service.core.regions import region_names
from service.core.scope import Scope
from service.errors import NotFound
from service.network import queries
from service.network.graph import RegionNetwork, load_records, screen_chunks, screen_facilitator


def region_metrics(graph: Any, *, exact: bool) -> dict[str, Any]:
    """``mapping.network.metrics`` for a reader: a village's weighted degree sums the eligible
    households of its demand edges, so below 5 it is withheld like any small count."""
    m = net_metrics(graph)
    for v, figures in m["nodes"].items():
        if graph.nodes[v].get("kind") == "village":
            figures["weighted_degree"] = withhold(int(figures["weighted_degree"]), exact=exact)
    return m


def metrics_body(graph: Any, *, exact: bool) -> dict[str, Any]:
    """Every node with its kind, label and metrics, and the network's figures."""
    m = region_metrics(graph, exact=exact)
    nodes = [
        {"id": v, "kind": graph.nodes[v]["kind"], "label": graph.nodes[v].get("label", v)} | m["nodes"][v]
        for v in graph.nodes
    ]
    return {"nodes": nodes, "network": m["network"]}


def graph_body(graph: Any, *, exact: bool) -> dict[str, Any]:
    """Nodes and typed edges of the graph, the eligible households of ``demand`` edges withheld
    when small."""
    body = graph_json(graph)
    for e in body["edges"]:
        if e["type"] == "demand":
            e["weight"] = withhold(e["weight"], exact=exact)
    return body


# --- gaps -------------------------------------------------------------------------------------


def caseloads(session: Session, facilitator_ids: list[int]) -> list[an.Caseload]:
    """Each facilitator's whole caseload (all their KPM, wherever they live), largest first."""
    if not facilitator_ids:
        return []
    counts, names = queries.caseload_counts(session, facilitator_ids)
    return sorted(
        (an.Caseload(f, names.get(f, str(f)), counts.get(f, 0)) for f in facilitator_ids),
        key=lambda c: (-c.households, c.name),
    )


def gaps(session: Session, net: RegionNetwork, *, exact: bool) -> dict[str, Any]:
    """Unmet demand, unused supply (no referral in the network's window), isolated stakeholders
    and facilitators' load in the region."""
    g = net.graph
    unmet = an.unmet_demand(net.chunks)
    names = region_names(session, sorted({u.village_code for u in unmet}))
    by_need: dict[str, list[int]] = {}
    for u in unmet:
        by_need.setdefault(u.need, []).append(u.households)
    programs = sorted({p.program_id for s in net.chunks for p in s.programs})
    unused = an.unused_supply(net.chunks, queries.referrals_by_program(session, programs, net.since, net.until))
    facilitators = [node_key(v) for v, k in g.nodes(data="kind") if k == "facilitator"]
    loads = caseloads(session, facilitators)
    return {
        "region": net.region,
        "unmet_demand": [
            {
                "village_code": u.village_code,
                "village_name": names.get(u.village_code),
                "need": u.need,
                "sector": u.sector,
                "households": withhold(u.households, exact=exact),
            }
            for u in unmet
        ],
        "unmet_by_need": {need: safe_total(parts, exact=exact) for need, parts in sorted(by_need.items())},
        "unused_supply": [
            asdict(u) | {"eligible_households": withhold(u.eligible_households, exact=exact)} for u in unused
        ],
        "isolated": [asdict(i) for i in an.isolated_stakeholders(g)],
        "load": {
            "summary": an.load_summary(loads),
            "facilitators": [asdict(c) | {"over_mark": c.over_mark} for c in loads],
        },
    }


def region_gaps(session: Session, scope: Scope, net: RegionNetwork, *, limit: int, offset: int) -> dict[str, Any]:
    """``gaps`` for the caller with the unmet-demand rows paged (largest first)."""
    body = gaps(session, net, exact=scope.is_admin)
    rows = body["unmet_demand"]
    body["unmet_demand"] = rows[offset : offset + limit]
    body["unmet_demand_page"] = {"total": len(rows), "limit": limit, "offset": offset}
    return body


# --- suggestions ------------------------------------------------------------------------------


def facilitator_region(session: Session, facilitator_id: int) -> str | None:
    """The regency the facilitator's villages lie in (the province if they span several)."""
    regencies = {".".join(v.split(".")[:2]) for v in queries.facilitator_villages(session, facilitator_id)}
    if not regencies:
        return None
    if len(regencies) == 1:
        return regencies.pop()
    provinces = {r.split(".")[0] for r in regencies}
    return provinces.pop() if len(provinces) == 1 else None


def _require_facilitator(session: Session, scope: Scope, facilitator_id: int) -> Facilitator:
    """The facilitator, if the caller may advise them: themselves, an admin, or the organiser
    of a forum whose region holds one of their villages (404 otherwise)."""
    fac = session.get(Facilitator, facilitator_id)
    allowed = fac is not None and (
        scope.is_admin
        or (scope.role is Role.facilitator and scope.facilitator_id == facilitator_id)
        or (
            scope.role is Role.forum_organizer
            and scope.forum_region is not None
            and any(code_within(v, scope.forum_region) for v in queries.facilitator_villages(session, facilitator_id))
        )
    )
    if not allowed or fac is None:
        raise NotFound(f"facilitator {facilitator_id} not found")
    return fac


def facilitator_suggestions(
    session: Session, scope: Scope, facilitator_id: int, *, today: date, lang: Lang = "id"
) -> dict[str, Any]:
    """The organisations the facilitator should meet first, with the reason for each."""
    fac = _require_facilitator(session, scope, facilitator_id)
    region = facilitator_region(session, facilitator_id) or fac.region_code
    mine = screen_facilitator(session, facilitator_id, today=today)
    g = build_graph(load_records(session, region, screened=[mine], today=today) if region else NetworkRecords())
    suggestions = an.link_suggestions(g, facilitator_id, mine)
    # The facilitator sees their own families' counts exactly; an organiser, small ones withheld.
    exact = scope.is_admin or scope.facilitator_id == facilitator_id
    return {
        "facilitator_id": facilitator_id,
        "facilitator": fac.name,
        "region": region,
        "households": mine.n_households,
        "suggestions": [
            asdict(x)
            | {
                "eligible_households": withhold(x.eligible_households, exact=exact),
                "possible_households": withhold(x.possible_households, exact=exact),
                "programs": [{"name": n, "eligible_households": withhold(k, exact=exact)} for n, k in x.programs],
                "reason": x.reason(lang, shown(exact)),
            }
            for x in suggestions
        ],
    }


def _require_forum(session: Session, scope: Scope, forum_id: int) -> Forum:
    forum = session.get(Forum, forum_id)
    if forum is None or not (scope.is_admin or (scope.role is Role.forum_organizer and scope.forum_id == forum_id)):
        raise NotFound(f"forum {forum_id} not found")
    return forum


def forum_suggestions(
    session: Session,
    scope: Scope,
    forum_id: int,
    *,
    today: date,
    limit: int = 10,
    lang: Lang = "id",
    screened: RegionNetwork | None = None,
) -> dict[str, Any]:
    """The organisations whose invitation to the forum would cover most unmet demand (greedy).
    ``screened``: the forum region's network already loaded (its screening is reused)."""
    forum = _require_forum(session, scope, forum_id)
    exact = scope.is_admin
    if screened is not None and screened.region == forum.region_code:
        chunks = screened.chunks
    else:
        chunks = screen_chunks(session, forum.region_code, today=today)
    members = queries.forum_organization_members(session, forum_id)
    labels = queries.organization_names(session, sorted({o for s in chunks for o in s.program_orgs}))
    unmet_units, invitations = an.forum_invitations(chunks, members, labels, limit=limit)
    return {
        "forum_id": forum_id,
        "forum": forum.name,
        "region": forum.region_code,
        "members": sorted(node_id("organization", m) for m in members),
        "unmet_units": withhold(unmet_units, exact=exact),
        "invitations": [
            asdict(i)
            | {
                "marginal_households": withhold(i.marginal_households, exact=exact),
                "marginal_units": withhold(i.marginal_units, exact=exact),
                "cumulative_units": withhold(i.cumulative_units, exact=exact),
                "reason": i.reason(lang, shown(exact)),
            }
            for i in invitations
        ],
    }
