"""The network builder and the wiring of its metrics to networkx's reference functions."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import networkx as nx
import pytest

from bench.network_instance import synthetic_records
from mapping import network as net
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


def small_records() -> NetworkRecords:
    return NetworkRecords(
        organizations=[OrgRecord(1, "Dinsos"), OrgRecord(2, "Kemensos"), OrgRecord(3, "Diskop"), OrgRecord(9, "Alone")],
        programs=[
            ProgramRecord(10, "PENA", 2, service_area=("32",)),
            ProgramRecord(11, "Bantuan", 1),
            ProgramRecord(12, "Pelatihan", 3),
            ProgramRecord(13, "Orphan programme", 99),  # owner not loaded: no offers edge
        ],
        facilitators=[FacilitatorRecord(5, "Nenden", ("32.73.16.1002",)), FacilitatorRecord(6, "Asep", ())],
        forums=[ForumRecord(7, "Sinergi", "32.73", (("organization", 1), ("facilitator", 5), ("organization", 404)))],
        partnerships=[
            PartnershipRecord(1, "facilitator", 5, "organization", 1, "mou", date(2025, 1, 1), None),
            PartnershipRecord(2, "organization", 1, "organization", 2, "co_funding"),
            PartnershipRecord(3, "organization", 1, "organization", 2, "informal"),  # a second, parallel tie
            PartnershipRecord(4, "facilitator", 6, "organization", 77, "informal"),  # other end unknown: left out
        ],
        referrals=[
            ReferralCount(5, 10, "completed", 3),
            ReferralCount(5, 10, "declined", 1),
            ReferralCount(5, 11, "sent", 2),
            ReferralCount(6, 12, "sent", 0),  # zero counts make no edge
        ],
        demand=[
            DemandCount("32.73.16.1002", 10, 16),
            DemandCount("32.73.16.1002", 12, 80),
            DemandCount("32.73.16.1003", 12, 5),
        ],
        village_names={"32.73.16.1002": "Kebon Jayanti"},
    )


def edges(g: nx.MultiDiGraph, kind: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a, b): d for a, b, d in g.edges(data=True) if d["type"] == kind}


def test_builder_nodes_and_typed_edges() -> None:
    g = build_graph(small_records())
    kinds = dict(g.nodes(data="kind"))
    assert kinds["org:1"] == "organization" and kinds["program:10"] == "program"
    assert kinds["facilitator:5"] == "facilitator" and kinds["forum:7"] == "forum"
    assert kinds["village:32.73.16.1002"] == "village" and kinds["village:32.73.16.1003"] == "village"
    assert set(kinds.values()) <= set(net.NODE_KINDS)
    assert g.nodes["village:32.73.16.1002"]["label"] == "Kebon Jayanti"
    assert g.nodes["village:32.73.16.1003"]["label"] == "32.73.16.1003"  # no name known: the code
    assert g.nodes["org:1"]["label"] == "Dinsos"

    assert set(edges(g, "offers")) == {("org:2", "program:10"), ("org:1", "program:11"), ("org:3", "program:12")}
    assert set(edges(g, "member_of")) == {("org:1", "forum:7"), ("facilitator:5", "forum:7")}
    assert set(edges(g, "serves")) == {("facilitator:5", "village:32.73.16.1002")}
    partners = [(a, b, d) for a, b, d in g.edges(data=True) if d["type"] == "partners"]
    assert len(partners) == 3  # the two parallel ties are both kept
    assert {d["partnership_kind"] for *_, d in partners} == {"mou", "co_funding", "informal"}
    mou = next(d for *_, d in partners if d["partnership_kind"] == "mou")
    assert mou["started_on"] == date(2025, 1, 1) and mou["ended_on"] is None
    refers = edges(g, "refers")
    assert refers[("facilitator:5", "program:10")]["weight"] == 4
    assert refers[("facilitator:5", "program:10")]["by_status"] == {"completed": 3, "declined": 1}
    assert refers[("facilitator:5", "program:11")]["weight"] == 2
    assert ("facilitator:6", "program:12") not in refers
    demand = edges(g, "demand")
    assert demand[("village:32.73.16.1002", "program:12")]["weight"] == 80
    assert demand[("village:32.73.16.1003", "program:12")]["weight"] == 5
    assert "org:77" not in g and "org:404" not in g
    assert nx.degree(g, "org:9") == 0


def test_graph_json_is_plain() -> None:
    out = net.graph_json(build_graph(small_records()))
    assert {n["kind"] for n in out["nodes"]} == set(net.NODE_KINDS)
    mou = next(e for e in out["edges"] if e.get("partnership_kind") == "mou")
    assert mou["started_on"] == "2025-01-01"
    assert all({"source", "target", "type", "weight"} <= e.keys() for e in out["edges"])


def reference_undirected(g: nx.MultiDiGraph) -> nx.Graph:
    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    for a, b, w in g.edges(data="weight"):
        u.add_edge(a, b, weight=u[a][b]["weight"] + w if u.has_edge(a, b) else w)
    return u


def close(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def test_node_metrics_equal_networkx_reference() -> None:
    g = build_graph(small_records())
    u = reference_undirected(g)
    got = net.metrics(g)["nodes"]
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    ref = {
        "degree": dict(u.degree()),
        "weighted_degree": dict(u.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(u),
        "closeness": nx.closeness_centrality(u),
        "pagerank": _pagerank_python(u, weight="weight", tol=1e-13, max_iter=10_000),
        "two_step_reach": {v: len(nx.ego_graph(u, v, radius=2)) - 1 for v in u},
        "constraint": nx.constraint(u),
        "effective_size": nx.effective_size(u),
    }
    assert set(got) == set(u.nodes)
    for name, values in ref.items():
        for v in u:
            assert close(got[v][name], values[v]), (name, v, got[v][name], values[v])
    assert got["org:9"]["constraint"] is None  # isolated: NaN in networkx, null in JSON


def test_network_metrics_equal_networkx_reference() -> None:
    g = build_graph(small_records())
    u = reference_undirected(g)
    m = net.metrics(g)
    got = m["network"]
    largest = u.subgraph(max(nx.connected_components(u), key=len))
    assert got["nodes"] == g.number_of_nodes() and got["edges"] == g.number_of_edges()
    assert math.isclose(got["density"], nx.density(u))
    assert got["components"] == nx.number_weakly_connected_components(g) == nx.number_connected_components(u)
    assert got["largest_component_nodes"] == len(largest)
    assert got["diameter"] == nx.diameter(largest)
    assert math.isclose(got["average_path_length"], nx.average_shortest_path_length(largest))
    assert got["paths_exact"] and got["betweenness_exact"]
    expected = nx.community.louvain_communities(u, weight="weight", seed=net.SEED)
    assert sorted(sorted(c["members"]) for c in got["communities"]) == sorted(sorted(c) for c in expected)
    for c in got["communities"]:
        orgs = [v for v in c["members"] if g.nodes[v]["kind"] == "organization"]
        if orgs:
            best = max(orgs, key=lambda v: m["nodes"][v]["pagerank"])
            assert c["center"] == best and c["label"] == g.nodes[best]["label"]
        for v in c["members"]:
            assert m["nodes"][v]["community"] == c["id"]


def test_large_graph_switches_to_sampled_betweenness(monkeypatch: pytest.MonkeyPatch) -> None:
    g = build_graph(small_records())
    u = reference_undirected(g)
    monkeypatch.setattr(net, "EXACT_BETWEENNESS_MAX_NODES", 5)
    monkeypatch.setattr(net, "BETWEENNESS_SAMPLES", 6)
    monkeypatch.setattr(net, "EXACT_PATHS_MAX_NODES", 5)
    monkeypatch.setattr(net, "PATH_SAMPLES", 6)
    m = net.metrics(g)
    sampled = nx.betweenness_centrality(u, k=6, seed=net.SEED)
    assert all(close(m["nodes"][v]["betweenness"], sampled[v]) for v in u)
    assert not m["network"]["betweenness_exact"] and not m["network"]["paths_exact"]
    largest = u.subgraph(max(nx.connected_components(u), key=len))
    assert m["network"]["diameter"] <= nx.diameter(largest)
    assert m["network"]["average_path_length"] > 0


def test_sampled_closeness_over_every_source_is_exact() -> None:
    g = build_graph(small_records())
    u = reference_undirected(g)
    exact = nx.closeness_centrality(u)
    got = dict(zip(u.nodes, net.closeness(net.Projection(g), len(u)), strict=True))
    assert all(math.isclose(got[v], exact[v], abs_tol=1e-12) for v in u)


def test_district_sized_metrics_agree_with_networkx() -> None:
    """On a 500-node synthetic district, the igraph kernels give networkx's figures (exact and
    sampled betweenness, closeness, PageRank, constraint, effective size, two-step reach), and
    Louvain's partition is as good as networkx's own by modularity."""
    g = build_graph(synthetic_records(500, seed=7))
    u = reference_undirected(g)
    p = net.Projection(g)
    assert p.nodes == list(u.nodes) and p.graph.ecount() == u.number_of_edges()
    got_exact = dict(zip(p.nodes, net.betweenness(p, None), strict=True))
    ref_exact = nx.betweenness_centrality(u)
    assert all(close(got_exact[v], ref_exact[v]) for v in u)
    got_sampled = dict(zip(p.nodes, net.betweenness(p, 40), strict=True))
    ref_sampled = nx.betweenness_centrality(u, k=40, seed=net.SEED)
    assert all(close(got_sampled[v], ref_sampled[v]) for v in u)
    got_close = dict(zip(p.nodes, net.closeness(p, None), strict=True))
    ref_close = nx.closeness_centrality(u)
    assert all(close(got_close[v], ref_close[v]) for v in u)
    got = net.node_metrics(g, p)
    ref_rank = nx.pagerank(u, weight="weight", tol=1e-13, max_iter=10_000)
    assert all(math.isclose(got[v]["pagerank"], ref_rank[v], rel_tol=1e-6) for v in u)
    ref_constraint = nx.constraint(u)
    ref_effective = nx.effective_size(u)
    assert all(close(got[v]["constraint"], ref_constraint[v]) for v in u)
    assert all(close(got[v]["effective_size"], ref_effective[v]) for v in u)
    assert all(got[v]["two_step_reach"] == len(nx.ego_graph(u, v, radius=2)) - 1 for v in u)
    ours = net.louvain(p)
    theirs = nx.community.louvain_communities(u, weight="weight", seed=net.SEED)
    assert set().union(*ours) == set(u.nodes)
    q_ours = nx.community.modularity(u, ours, weight="weight")
    q_theirs = nx.community.modularity(u, theirs, weight="weight")
    assert q_ours >= q_theirs - 0.02, (q_ours, q_theirs)
    assert net.louvain(p) == ours  # seeded: the same partition every time


def test_empty_graph_is_well_formed() -> None:
    g = build_graph(NetworkRecords())
    m = net.metrics(g)
    assert m["nodes"] == {}
    assert m["network"]["nodes"] == 0 and m["network"]["components"] == 0 and m["network"]["communities"] == []
    assert net.graph_json(g) == {"nodes": [], "edges": []}


def test_ego_ties_follow_only_the_given_types() -> None:
    g = build_graph(small_records())
    ego = net.ego_ties(g, "facilitator:5", radius=2)
    assert {"org:1", "forum:7", "program:10", "program:11", "org:2"} <= ego
    assert "org:3" not in ego and "village:32.73.16.1002" not in ego
