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
summed), except the edge count of the network, which uses the graph itself. Betweenness is exact
up to ``EXACT_BETWEENNESS_MAX_NODES`` nodes and sampled over ``BETWEENNESS_SAMPLES`` sources
(seed ``SEED``, drawn as networkx draws them) above; closeness, diameter and average path length
are exact up to ``EXACT_PATHS_MAX_NODES`` nodes, and above it closeness is estimated from
``PATH_SAMPLES`` sampled sources, the diameter is a lower bound (the sampled eccentricities and a
double sweep) and the average path length is averaged over the sampled sources in the largest
component. ``paths_exact``, ``betweenness_exact`` and ``community_method`` in the network
figures say which was used.
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
from numpy.typing import NDArray

NODE_KINDS = ("organization", "program", "facilitator", "forum", "village")
EDGE_TYPES = ("offers", "partners", "member_of", "refers", "serves", "demand")
TIE_TYPES = frozenset({"partners", "member_of", "refers"})

SEED = 2026
# Measured with igraph on this 2-core machine, on bench/network_instance.py graphs (three edges
# per node): exact betweenness takes 0.08 s at 1,000 nodes, 0.42 s at 2,000 and 3.1 s at 5,000,
# and the all-pairs distances behind exact closeness and paths 0.11 s, 0.74 s and 3.4 s; from 100
# sampled sources both stay under 0.1 s at 5,000 nodes. So both are exact up to 1,000 nodes
# (a real regency's network is a few hundred) and sampled above; bench/network.py --error
# prints the error the sampling makes.
EXACT_BETWEENNESS_MAX_NODES = 1_000
BETWEENNESS_SAMPLES = 100
EXACT_PATHS_MAX_NODES = 1_000
PATH_SAMPLES = 100
LOUVAIN_MAX_NODES = 10_000

_PREFIX = {"organization": "org", "program": "program", "facilitator": "facilitator", "forum": "forum"}


_KIND_OF = {prefix: kind for kind, prefix in _PREFIX.items()} | {"village": "village"}


def node_id(kind: str, key: int | str) -> str:
    """The graph id of a record: ``node_id("organization", 12) == "org:12"``."""
    if kind == "village":
        return f"village:{key}"
    return f"{_PREFIX[kind]}:{key}"


def parse_node_id(node: str) -> tuple[str, str]:
    """The inverse of ``node_id``: ``parse_node_id("org:12") == ("organization", "12")``.

    Raises
    ------
    ValueError
        When ``node`` is not a node id.
    """
    prefix, sep, key = node.partition(":")
    if not sep or prefix not in _KIND_OF or not key:
        message = f"{node!r} is not a node id (kind:key)"
        raise ValueError(message)
    return _KIND_OF[prefix], key


def node_key(node: str) -> int:
    """The record id of an organisation, programme, facilitator or forum node: ``node_key("org:12") == 12``."""
    kind, key = parse_node_id(node)
    if kind == "village":
        message = f"{node!r} is a village: its key is a region code, not an id"
        raise ValueError(message)
    return int(key)


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
    """The network of ``records``. Ties whose other end is not among the records are left out.

    Nodes and edges are gathered first and added in bulk (``add_*_from``): a province graph of
    160,000 edges builds in about half the time of one ``add_edge`` call per edge."""
    nodes: dict[str, dict[str, Any]] = {}
    for o in records.organizations:
        nodes[node_id("organization", o.id)] = {"kind": "organization", "label": o.name, "org_kind": o.kind,
                                                "region_code": o.region_code}  # fmt: skip
    for p in records.programs:
        nodes[node_id("program", p.id)] = {"kind": "program", "label": p.name, "program_kind": p.kind,
                                           "status": p.status}  # fmt: skip
    for f in records.facilitators:
        nodes[node_id("facilitator", f.id)] = {"kind": "facilitator", "label": f.name}
    for fo in records.forums:
        nodes[node_id("forum", fo.id)] = {"kind": "forum", "label": fo.name, "region_code": fo.region_code}

    def village(code: str) -> str:
        n = f"village:{code}"
        if n not in nodes:
            nodes[n] = {"kind": "village", "label": records.village_names.get(code, code), "region_code": code}
        return n

    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for p in records.programs:
        org = node_id("organization", p.organization_id)
        if org in nodes:
            edges.append((org, node_id("program", p.id), "offers", {"type": "offers", "weight": 1}))
    for f in records.facilitators:
        fac = node_id("facilitator", f.id)
        for code in f.villages:
            edges.append((fac, village(code), "serves", {"type": "serves", "weight": 1}))
    for fo in records.forums:
        forum = node_id("forum", fo.id)
        for kind, mid in fo.members:
            member = node_id(kind, mid)
            if member in nodes:
                edges.append((member, forum, "member_of", {"type": "member_of", "weight": 1}))
    for t in records.partnerships:
        a, b = node_id(t.a_kind, t.a_id), node_id(t.b_kind, t.b_id)
        if a in nodes and b in nodes and a != b:
            edges.append((a, b, f"partners:{t.id}", {"type": "partners", "weight": 1, "partnership_kind": t.kind,
                                                      "started_on": t.started_on, "ended_on": t.ended_on}))  # fmt: skip
    refers: dict[tuple[str, str], dict[str, int]] = {}
    for r in records.referrals:
        a, b = node_id("facilitator", r.facilitator_id), node_id("program", r.program_id)
        if a in nodes and b in nodes and r.count > 0:
            by = refers.setdefault((a, b), {})
            by[r.status] = by.get(r.status, 0) + r.count
    for (a, b), by in sorted(refers.items()):
        edges.append(
            (a, b, "refers", {"type": "refers", "weight": sum(by.values()), "by_status": dict(sorted(by.items()))})
        )
    demand: dict[tuple[str, str], int] = {}
    for d in records.demand:
        b = node_id("program", d.program_id)
        if b in nodes and d.households > 0:
            key = (village(d.village_code), b)
            demand[key] = demand.get(key, 0) + d.households
    for (a, b), n in sorted(demand.items()):
        edges.append((a, b, "demand", {"type": "demand", "weight": n}))
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes.items())
    g.add_edges_from(edges)
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
#
# networkx stays the graph model (the builder, the projections, the suggestions); the heavy
# algorithms run on one igraph copy of the undirected projection (``Projection``), because
# networkx alone takes seconds on a district graph (measured in bench/network.py) and the one
# backend networkx can dispatch to here, nx-rustworkx, neither samples betweenness (``k`` falls
# back to networkx) nor offers Louvain or Burt's constraint. Every figure is defined as networkx
# defines it, and tests/mapping/test_network.py checks them against networkx on the same graphs.


class Projection:
    """The undirected simple projection of a network (parallel edges merged, weights summed)
    as an igraph graph, with the networkx node ids in networkx's node order."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self.nodes: list[str] = list(g.nodes)
        index = {v: i for i, v in enumerate(self.nodes)}
        weights: dict[tuple[int, int], float] = {}
        self.edge_types: Counter[str] = Counter()
        for a, neighbours in g.adjacency():  # raw dicts: far faster than the edge views here
            i = index[a]
            for b, keyed in neighbours.items():
                j = index[b]
                for data in keyed.values():
                    self.edge_types[data["type"]] += 1
                    if i != j:
                        key = (i, j) if i < j else (j, i)
                        weights[key] = weights.get(key, 0) + data.get("weight", 1)
        self.graph = ig.Graph(n=len(self.nodes), edges=list(weights))
        self.graph.es["weight"] = list(weights.values())
        self.rows: dict[int | None, tuple[list[int], NDArray[np.float64]]] = {}

    @property
    def n(self) -> int:
        return len(self.nodes)

    def sample(self, k: int) -> list[int]:
        """``k`` source indices drawn exactly as networkx draws them for ``seed=SEED``."""
        chosen = random.Random(SEED).sample(self.nodes, k)
        index = {v: i for i, v in enumerate(self.nodes)}
        return [index[v] for v in chosen]


def betweenness(p: Projection, k: int | None) -> list[float]:
    """``nx.betweenness_centrality(u, k=k, seed=SEED)``: exact Brandes, or from ``k`` sampled
    sources with networkx's rescaling (sources' own scores over k - 1 sources)."""
    n = p.n
    if n <= 2:
        return [0.0] * n
    if k is None or k >= n:
        raw = p.graph.betweenness(directed=False)
        return [2 * x / ((n - 1) * (n - 2)) for x in raw]
    sources = p.sample(k)
    raw = p.graph.betweenness(directed=False, sources=sources)
    is_source = set(sources)
    return [2 * x / (((k - 1) if i in is_source else k) * (n - 2)) for i, x in enumerate(raw)]


def distance_rows(p: Projection, k: int | None) -> tuple[list[int], NDArray[np.float64]]:
    """Hop distances from every node (``k`` None or >= n) or from ``k`` sampled sources to every
    node, inf where unreachable: one breadth-first search per source, shared by closeness and
    the path figures (cached on the projection)."""
    key = None if k is None or k >= p.n else k
    if key not in p.rows:
        sources = list(range(p.n)) if key is None else p.sample(key)
        matrix = np.array(p.graph.distances(source=sources), dtype=np.float64).reshape(len(sources), p.n)
        p.rows[key] = (sources, matrix)
    return p.rows[key]


def closeness(p: Projection, k: int | None) -> list[float]:
    """``nx.closeness_centrality(u)`` (Wasserman-Faust scaling), exact, or estimated from ``k``
    sampled sources (Eppstein & Wang): on an undirected graph the distances from the sources are
    the distances to them, so each node's reach and distance sum are scaled up from the sample."""
    n = p.n
    if n <= 1:
        return [0.0] * n
    _, rows = distance_rows(p, k)
    finite = np.isfinite(rows)
    scale = n / rows.shape[0]
    reach = finite.sum(axis=0) * scale
    total = np.where(finite, rows, 0).sum(axis=0) * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total > 0, (reach - 1) / total * (reach - 1) / (n - 1), 0.0)
    return [float(x) for x in out]


def pagerank(p: Projection) -> list[float]:
    """Weighted PageRank, damping 0.85 (igraph's PRPACK solves it exactly; networkx iterates to
    within its tolerance, so the two agree to about 1e-6)."""
    if p.n == 0:
        return []
    return [float(x) for x in p.graph.pagerank(weights="weight", damping=0.85)]


def effective_size(p: Projection) -> list[float | None]:
    """``nx.effective_size(u)`` without weights, by Borgatti's shortcut ``n - 2t/n`` (n
    neighbours, t ties among them = triangles through the node); None for isolated nodes."""
    degree = p.graph.degree()
    local = p.graph.transitivity_local_undirected(mode="zero")
    out: list[float | None] = []
    for d, c in zip(degree, local, strict=True):
        if d == 0:
            out.append(None)
            continue
        ties = round(c * d * (d - 1) / 2)
        out.append(d - 2 * ties / d)
    return out


def _clean(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def node_metrics(g: nx.MultiDiGraph, p: Projection | None = None) -> dict[str, dict[str, Any]]:
    """Per node: degree, weighted degree, betweenness, closeness, PageRank, two-step reach,
    Burt's constraint (unweighted, as ``nx.constraint(u)``) and effective size; NaN -> None."""
    p = p or Projection(g)
    n = p.n
    if n == 0:
        return {}
    sampled = n > EXACT_BETWEENNESS_MAX_NODES
    between = betweenness(p, BETWEENNESS_SAMPLES if sampled else None)
    close = closeness(p, PATH_SAMPLES if n > EXACT_PATHS_MAX_NODES else None)
    ranks = pagerank(p)
    degree = p.graph.degree()
    strength = p.graph.strength(weights="weight")
    reach = p.graph.neighborhood_size(order=2)
    constraint = p.graph.constraint()
    effective = effective_size(p)
    return {
        v: {
            "degree": degree[i],
            "weighted_degree": strength[i],
            "betweenness": between[i],
            "closeness": close[i],
            "pagerank": ranks[i],
            "two_step_reach": reach[i] - 1,
            "constraint": _clean(constraint[i]),
            "effective_size": effective[i],
        }
        for i, v in enumerate(p.nodes)
    }


def _paths(p: Projection, members: list[int]) -> tuple[int, float, bool]:
    """Diameter and average shortest path length of the connected component ``members``;
    ``True`` when exact. Above ``EXACT_PATHS_MAX_NODES`` nodes in the graph they come from the
    sampled sources that fall in the component: the average over them, and the diameter as a
    lower bound (their eccentricities, then a double sweep from the farthest node found)."""
    n = len(members)
    if n <= 1:
        return 0, 0.0, True
    exact = p.n <= EXACT_PATHS_MAX_NODES
    sources, rows = distance_rows(p, None if exact else PATH_SAMPLES)
    inside = np.zeros(p.n, dtype=bool)
    inside[members] = True
    rows = rows[inside[sources]][:, inside]
    if rows.shape[0] == 0:  # no sampled source in the component: sweep from one of its nodes
        rows = np.array(p.graph.distances(source=[members[0]]), dtype=np.float64)[:, inside]
    diameter = int(rows.max())
    if not exact:
        far = np.flatnonzero(inside)[int(np.unravel_index(rows.argmax(), rows.shape)[1])]
        for _ in range(2):  # double sweep: the farthest node from the farthest node
            sweep = np.array(p.graph.distances(source=[int(far)])[0], dtype=np.float64)
            sweep[~np.isfinite(sweep)] = -1
            diameter = max(diameter, int(sweep.max()))
            far = int(sweep.argmax())
    return diameter, float(rows.sum() / (rows.shape[0] * (n - 1))), exact


def network_metrics(
    g: nx.MultiDiGraph, ranks: Mapping[str, float] | None = None, p: Projection | None = None
) -> dict[str, Any]:
    """Per network: counts, density, components, paths of the largest component, communities."""
    p = p or Projection(g)
    n = p.n
    m = p.graph.ecount()
    kinds = Counter(kind for _, kind in g.nodes(data="kind"))
    types = p.edge_types
    out: dict[str, Any] = {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "nodes_by_kind": {k: kinds[k] for k in NODE_KINDS},
        "edges_by_type": {t: types[t] for t in EDGE_TYPES},
        "density": 2 * m / (n * (n - 1)) if n > 1 else 0.0,
        "components": 0,
        "largest_component_nodes": 0,
        "diameter": None,
        "average_path_length": None,
        "paths_exact": True,
        "betweenness_exact": n <= EXACT_BETWEENNESS_MAX_NODES,
        "community_method": community_method(n),
        "communities": [],
    }
    if n == 0:
        return out
    parts = [list(c) for c in p.graph.connected_components()]
    largest = max(parts, key=lambda c: (len(c), -min(c)))
    diameter, avg, exact = _paths(p, largest)
    out.update(
        components=len(parts),
        largest_component_nodes=len(largest),
        diameter=diameter,
        average_path_length=avg,
        paths_exact=exact,
    )
    if ranks is None:
        ranks = dict(zip(p.nodes, pagerank(p), strict=True))
    out["communities"] = communities(g, p, ranks)
    return out


_IGRAPH_RNG = threading.Lock()


def louvain(p: Projection) -> list[set[str]]:
    """Communities by modularity, seeded with ``SEED``: Louvain (igraph's multilevel, weighted)
    up to ``LOUVAIN_MAX_NODES`` nodes, Leiden with the modularity objective above (Louvain's
    successor, ten times faster there and never splitting a community in two; see
    ``community_method``). igraph draws from one process-wide generator, so seeding and the run
    hold a lock."""
    with _IGRAPH_RNG:
        ig.set_random_number_generator(random.Random(SEED))
        try:
            if p.n <= LOUVAIN_MAX_NODES:
                found = p.graph.community_multilevel(weights="weight")
            else:
                found = p.graph.community_leiden(objective_function="modularity", weights="weight", n_iterations=2)
        finally:
            ig.set_random_number_generator(random)
    return [{p.nodes[i] for i in c} for c in found]


def community_method(n: int) -> str:
    return "louvain" if n <= LOUVAIN_MAX_NODES else "leiden"


def communities(g: nx.MultiDiGraph, p: Projection, ranks: Mapping[str, float]) -> list[dict[str, Any]]:
    """Louvain communities, largest first, each labelled by its organisation with the highest
    PageRank (or its highest-ranked node when it holds no organisation)."""
    out = []
    for members in louvain(p):
        ranked = sorted(members, key=lambda v: (-ranks[v], v))
        orgs = [v for v in ranked if g.nodes[v].get("kind") == "organization"]
        head = orgs[0] if orgs else ranked[0]
        out.append({"label": g.nodes[head].get("label", head), "center": head, "members": sorted(members)})
    out.sort(key=lambda c: (-len(c["members"]), c["center"]))
    for i, c in enumerate(out):
        c["id"] = i
    return out


def metrics(g: nx.MultiDiGraph) -> dict[str, Any]:
    """``{"nodes": node_metrics, "network": network_metrics}``, with each node's community id."""
    p = Projection(g)
    per_node = node_metrics(g, p)
    network = network_metrics(g, {v: m["pagerank"] for v, m in per_node.items()}, p)
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
