"""The stakeholder network: one graph builder from plain records, and its metrics (networkx).

Nodes (attribute ``kind``): ``organization``, ``program``, ``facilitator``, ``forum`` and
``village``; ids ``org:12``, ``program:5``, ``facilitator:3``, ``forum:1``, ``village:32.73.16.1002``.
Households appear only as counts (the ``demand`` edge village -> programme); never one by one.

Edges (attribute ``type``; the graph is a ``MultiDiGraph`` keyed by type and record):

* ``offers``     organisation -> programme
* ``partners``   party a -> party b, with the partnership's ``partnership_kind``, ``started_on``, ``ended_on``
* ``member_of``  organisation or facilitator -> forum
* ``refers``     facilitator -> programme, ``weight`` = referrals, ``by_status`` = counts per status
* ``serves``     facilitator -> village
* ``demand``     village -> programme, ``weight`` = eligible households

Metrics are computed on the undirected simple projection (parallel edges merged, weights
summed), except the edge and component counts of the network, which use the graph itself.
Betweenness is exact up to ``EXACT_BETWEENNESS_MAX_NODES`` nodes and sampled over
``BETWEENNESS_SAMPLES`` sources (seed ``SEED``) above; closeness, diameter and average path
length are exact up to ``EXACT_PATHS_MAX_NODES`` nodes (of the graph, resp. of its largest
component), and above it closeness is estimated from ``PATH_SAMPLES`` sampled sources, the
diameter is a lower bound (sampled eccentricities and networkx's two-sweep bound) and the average
path length is averaged over the sampled sources. ``paths_exact`` / ``betweenness_exact`` in the
network figures say which was used.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

NODE_KINDS = ("organization", "program", "facilitator", "forum", "village")
EDGE_TYPES = ("offers", "partners", "member_of", "refers", "serves", "demand")
TIE_TYPES = frozenset({"partners", "member_of", "refers"})

SEED = 2026
# Measured on a 2-core machine with networkx 3.6 on synthetic district-like graphs: exact
# betweenness takes ~1.2 s at 700 nodes / 1,700 edges and ~5.7 s at 1,400 nodes, exact closeness
# ~0.25 s at 700 nodes and ~23 s at 5,700 nodes; so above 500 nodes both are sampled.
EXACT_BETWEENNESS_MAX_NODES = 500
BETWEENNESS_SAMPLES = 100
EXACT_PATHS_MAX_NODES = 500
PATH_SAMPLES = 100

_PREFIX = {"organization": "org", "program": "program", "facilitator": "facilitator", "forum": "forum"}


def node_id(kind: str, key: int | str) -> str:
    """The graph id of a record: ``node_id("organization", 12) == "org:12"``."""
    if kind == "village":
        return f"village:{key}"
    return f"{_PREFIX[kind]}:{key}"


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgRecord:
    id: int
    name: str
    kind: str = ""
    region_code: str | None = None


@dataclass(frozen=True)
class ProgramRecord:
    id: int
    name: str
    organization_id: int
    kind: str = ""
    status: str = "active"
    service_area: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacilitatorRecord:
    id: int
    name: str
    villages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForumRecord:
    id: int
    name: str
    region_code: str | None = None
    # (party kind, id): party kind "organization" or "facilitator"
    members: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PartnershipRecord:
    id: int
    a_kind: str
    a_id: int
    b_kind: str
    b_id: int
    kind: str
    started_on: date | None = None
    ended_on: date | None = None


@dataclass(frozen=True)
class ReferralCount:
    facilitator_id: int
    program_id: int
    status: str
    count: int


@dataclass(frozen=True)
class DemandCount:
    village_code: str
    program_id: int
    households: int


@dataclass
class NetworkRecords:
    organizations: list[OrgRecord] = field(default_factory=list)
    programs: list[ProgramRecord] = field(default_factory=list)
    facilitators: list[FacilitatorRecord] = field(default_factory=list)
    forums: list[ForumRecord] = field(default_factory=list)
    partnerships: list[PartnershipRecord] = field(default_factory=list)
    referrals: list[ReferralCount] = field(default_factory=list)
    demand: list[DemandCount] = field(default_factory=list)
    village_names: dict[str, str] = field(default_factory=dict)


# --- builder ----------------------------------------------------------------------------------


def build_graph(records: NetworkRecords) -> nx.MultiDiGraph:
    """The network of ``records``. Ties whose other end is not among the records are left out."""
    g = nx.MultiDiGraph()
    for o in records.organizations:
        g.add_node(node_id("organization", o.id), kind="organization", label=o.name, org_kind=o.kind,
                   region_code=o.region_code)  # fmt: skip
    for p in records.programs:
        g.add_node(node_id("program", p.id), kind="program", label=p.name, program_kind=p.kind, status=p.status)
    for f in records.facilitators:
        g.add_node(node_id("facilitator", f.id), kind="facilitator", label=f.name)
    for fo in records.forums:
        g.add_node(node_id("forum", fo.id), kind="forum", label=fo.name, region_code=fo.region_code)

    def village(code: str) -> str:
        n = node_id("village", code)
        if n not in g:
            g.add_node(n, kind="village", label=records.village_names.get(code, code), region_code=code)
        return n

    for p in records.programs:
        org = node_id("organization", p.organization_id)
        if org in g:
            g.add_edge(org, node_id("program", p.id), key="offers", type="offers", weight=1)
    for f in records.facilitators:
        for code in f.villages:
            g.add_edge(node_id("facilitator", f.id), village(code), key="serves", type="serves", weight=1)
    for fo in records.forums:
        for kind, mid in fo.members:
            member = node_id(kind, mid)
            if member in g:
                g.add_edge(member, node_id("forum", fo.id), key="member_of", type="member_of", weight=1)
    for t in records.partnerships:
        a, b = node_id(t.a_kind, t.a_id), node_id(t.b_kind, t.b_id)
        if a in g and b in g and a != b:
            g.add_edge(a, b, key=f"partners:{t.id}", type="partners", weight=1, partnership_kind=t.kind,
                       started_on=t.started_on, ended_on=t.ended_on)  # fmt: skip
    refers: dict[tuple[str, str], dict[str, int]] = {}
    for r in records.referrals:
        a, b = node_id("facilitator", r.facilitator_id), node_id("program", r.program_id)
        if a in g and b in g and r.count > 0:
            by = refers.setdefault((a, b), {})
            by[r.status] = by.get(r.status, 0) + r.count
    for (a, b), by in sorted(refers.items()):
        g.add_edge(a, b, key="refers", type="refers", weight=sum(by.values()), by_status=dict(sorted(by.items())))
    demand: dict[tuple[str, str], int] = {}
    for d in records.demand:
        b = node_id("program", d.program_id)
        if b in g and d.households > 0:
            key = (village(d.village_code), b)
            demand[key] = demand.get(key, 0) + d.households
    for (a, b), n in sorted(demand.items()):
        g.add_edge(a, b, key="demand", type="demand", weight=n)
    return g


def undirected(g: nx.MultiDiGraph, types: Iterable[str] | None = None) -> nx.Graph:
    """The simple undirected projection: parallel edges merged, weights summed; ``types`` filters."""
    wanted = None if types is None else set(types)
    u = nx.Graph()
    u.add_nodes_from(g.nodes(data=True))
    for a, b, data in g.edges(data=True):
        if wanted is not None and data["type"] not in wanted:
            continue
        w = data.get("weight", 1)
        if u.has_edge(a, b):
            u[a][b]["weight"] += w
        else:
            u.add_edge(a, b, weight=w)
    return u


def ego_ties(g: nx.MultiDiGraph, center: str, radius: int = 2, types: Iterable[str] = TIE_TYPES) -> set[str]:
    """Nodes within ``radius`` steps of ``center`` over ties of ``types`` (undirected)."""
    u = undirected(g, types)
    return set(nx.single_source_shortest_path_length(u, center, cutoff=radius))


# --- metrics ----------------------------------------------------------------------------------


def pagerank(u: nx.Graph) -> dict[str, float]:
    """Weighted PageRank (networkx, SciPy solver)."""
    return dict(nx.pagerank(u, weight="weight"))


def effective_size(u: nx.Graph) -> dict[str, float]:
    """Burt's effective size on an undirected graph without weights, by Borgatti's shortcut
    ``n - 2t/n`` (n neighbours, t ties among them): what ``nx.effective_size(u)`` returns, without
    its per-pair loop (about 7 s on a 700-node graph here)."""
    out: dict[str, float] = {}
    for v in u:
        nbrs = set(u[v]) - {v}
        n = len(nbrs)
        if n == 0:
            out[v] = float("nan")
            continue
        t = sum(len(nbrs & (set(u[w]) - {w})) for w in nbrs) / 2
        out[v] = n - 2 * t / n
    return out


def sampled_closeness(u: nx.Graph, k: int) -> dict[str, float]:
    """Closeness estimated from ``k`` sampled sources (seed ``SEED``; Eppstein & Wang): on an
    undirected graph the distances from the sources are the distances to them, so each node's
    reach and distance sum are scaled up from the sample; Wasserman-Faust scaling as networkx."""
    n = u.number_of_nodes()
    sources = random.Random(SEED).sample(sorted(u.nodes), min(k, n))
    hits = dict.fromkeys(u.nodes, 0)
    dist = dict.fromkeys(u.nodes, 0)
    for s in sources:
        for v, d in nx.single_source_shortest_path_length(u, s).items():
            hits[v] += 1
            dist[v] += d
    scale = n / len(sources)
    out: dict[str, float] = {}
    for v in u:
        reach, total = hits[v] * scale, dist[v] * scale
        out[v] = 0.0 if total <= 0 or n <= 1 else (reach - 1) / total * (reach - 1) / (n - 1)
    return out


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def node_metrics(g: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """Per node: degree, weighted degree, betweenness, closeness, PageRank, two-step reach,
    Burt's constraint and effective size (undirected projection; NaN -> None)."""
    u = undirected(g)
    n = u.number_of_nodes()
    if n == 0:
        return {}
    k = None if n <= EXACT_BETWEENNESS_MAX_NODES else BETWEENNESS_SAMPLES
    betweenness = nx.betweenness_centrality(u, k=k, seed=SEED if k else None)
    closeness = nx.closeness_centrality(u) if n <= EXACT_PATHS_MAX_NODES else sampled_closeness(u, PATH_SAMPLES)
    ranks = pagerank(u)
    constraint = nx.constraint(u)
    effective = effective_size(u)
    out: dict[str, dict[str, Any]] = {}
    for v in u.nodes:
        reach = len(nx.single_source_shortest_path_length(u, v, cutoff=2)) - 1
        out[v] = {
            "degree": u.degree(v),
            "weighted_degree": u.degree(v, weight="weight"),
            "betweenness": betweenness[v],
            "closeness": closeness[v],
            "pagerank": ranks[v],
            "two_step_reach": reach,
            "constraint": _clean(constraint[v]),
            "effective_size": _clean(effective[v]),
        }
    return out


def _paths(c: nx.Graph) -> tuple[int, float, bool]:
    """Diameter and average shortest path length of connected ``c``; ``True`` when exact."""
    n = c.number_of_nodes()
    if n <= 1:
        return 0, 0.0, True
    exact = n <= EXACT_PATHS_MAX_NODES
    sources = list(c.nodes) if exact else random.Random(SEED).sample(sorted(c.nodes), PATH_SAMPLES)
    total, eccentricity = 0, 0
    for s in sources:  # one breadth-first search per source gives both figures
        lengths = nx.single_source_shortest_path_length(c, s)
        total += sum(lengths.values())
        eccentricity = max(eccentricity, max(lengths.values()))
    diameter = eccentricity if exact else max(eccentricity, nx.approximation.diameter(c, seed=SEED))
    return diameter, total / (len(sources) * (n - 1)), exact


def network_metrics(g: nx.MultiDiGraph, ranks: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Per network: counts, density, components, paths of the largest component, communities."""
    u = undirected(g)
    n = u.number_of_nodes()
    out: dict[str, Any] = {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "nodes_by_kind": {k: sum(1 for _, d in g.nodes(data="kind") if d == k) for k in NODE_KINDS},
        "edges_by_type": {t: sum(1 for *_, d in g.edges(data="type") if d == t) for t in EDGE_TYPES},
        "density": nx.density(u) if n > 1 else 0.0,
        "components": nx.number_weakly_connected_components(g) if n else 0,
        "largest_component_nodes": 0,
        "diameter": None,
        "average_path_length": None,
        "paths_exact": True,
        "betweenness_exact": n <= EXACT_BETWEENNESS_MAX_NODES,
        "communities": [],
    }
    if n == 0:
        return out
    largest = max(nx.connected_components(u), key=lambda c: (len(c), min(c)))
    diameter, avg, exact = _paths(u.subgraph(largest))
    out.update(largest_component_nodes=len(largest), diameter=diameter, average_path_length=avg, paths_exact=exact)
    out["communities"] = communities(u, ranks if ranks is not None else pagerank(u))
    return out


def communities(u: nx.Graph, ranks: Mapping[str, float]) -> list[dict[str, Any]]:
    """Louvain communities (seeded), largest first, each labelled by its organisation with the
    highest PageRank (or its highest-ranked node when it holds no organisation)."""
    found = nx.community.louvain_communities(u, weight="weight", seed=SEED)
    out = []
    for members in found:
        ranked = sorted(members, key=lambda v: (-ranks[v], v))
        orgs = [v for v in ranked if u.nodes[v].get("kind") == "organization"]
        head = orgs[0] if orgs else ranked[0]
        out.append({"label": u.nodes[head].get("label", head), "center": head, "members": sorted(members)})
    out.sort(key=lambda c: (-len(c["members"]), c["center"]))
    for i, c in enumerate(out):
        c["id"] = i
    return out


def metrics(g: nx.MultiDiGraph) -> dict[str, Any]:
    """``{"nodes": node_metrics, "network": network_metrics}``, with each node's community id."""
    per_node = node_metrics(g)
    network = network_metrics(g, {v: m["pagerank"] for v, m in per_node.items()})
    for c in network["communities"]:
        for v in c["members"]:
            per_node[v]["community"] = c["id"]
    return {"nodes": per_node, "network": network}


def graph_json(g: nx.MultiDiGraph) -> dict[str, Any]:
    """Nodes and edges as plain JSON-ready dicts (dates as ISO strings)."""
    nodes = [
        {"id": v, "kind": d["kind"], "label": d.get("label", v)}
        | ({"region_code": d["region_code"]} if d.get("region_code") else {})
        for v, d in g.nodes(data=True)
    ]
    edges = []
    for a, b, d in g.edges(data=True):
        e: dict[str, Any] = {"source": a, "target": b, "type": d["type"], "weight": d.get("weight", 1)}
        if d["type"] == "partners":
            e["partnership_kind"] = d.get("partnership_kind")
            e["started_on"] = d["started_on"].isoformat() if d.get("started_on") else None
            e["ended_on"] = d["ended_on"].isoformat() if d.get("ended_on") else None
        if d["type"] == "refers":
            e["by_status"] = d.get("by_status", {})
        edges.append(e)
    return {"nodes": nodes, "edges": edges}
