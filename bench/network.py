"""Network benchmark: the forum's analyses on a district-sized and a province-sized graph, and the
referral plan.

Run from the repository root::

    .venv/bin/python -m bench.network                      # district (5,000 nodes) and province (50,000)
    .venv/bin/python -m bench.network --sizes 5000 --networkx --error
    .venv/bin/python -m bench.network --quick              # small sizes: a smoke run

For each size it builds a synthetic network (``bench.network_instance``: about three edges per
node, national programmes as hubs) and times, best of ``--repeat`` runs:

* build: ``build_graph`` from the records (the database queries are not in it);
* metrics: ``mapping.network.metrics`` (the igraph projection, every node metric, the network
  figures and the communities), with its parts;
* gaps: unmet demand, unused supply, isolated stakeholders and load, on households screened
  against the programmes regency by regency as the service screens them (blocks of 300
  villages; ``--households-per-village`` families per village; the screening itself is timed by
  bench/screening.py);
* suggestions: the link suggestions of the facilitator with the most families and the greedy
  invitations of the first forum.

``--error`` measures, on the first size, what the approximations used above the exact
thresholds cost: sampled betweenness and closeness against exact ones (igraph), the sampled
diameter and average path length against exact ones, and Leiden's modularity against Louvain's.
``--networkx`` times networkx's own functions on the first size for comparison. The referral
plan is timed on ``bench.plan_instance`` (5,000 families x 200 programmes by default).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx
import numpy as np
from scipy.stats import spearmanr

from bench.network_instance import synthetic_chunks, synthetic_records
from bench.plan_instance import synthetic_instance
from mapping import analysis as an
from mapping import network as net
from mapping.plan import referral_plan

T = TypeVar("T")
TARGETS = {5_000: 1.0, 50_000: 10.0}


def best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The best wall time of ``repeat`` runs, and the last result."""
    times = []
    out: Any = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def run_size(nodes: int, households_per_village: int, repeat: int) -> dict[str, Any]:
    records = synthetic_records(nodes)
    t_build, g = best(lambda: net.build_graph(records), repeat)
    t_proj, _ = best(lambda: net.Projection(g), repeat)

    def node_part() -> Any:
        q = net.Projection(g)
        return q, net.node_metrics(g, q)

    t_nodes, (q, per_node) = best(node_part, repeat)
    ranks = {v: m["pagerank"] for v, m in per_node.items()}
    t_network, figures = best(lambda: net.network_metrics(g, ranks, q), repeat)
    t_metrics, _ = best(lambda: net.metrics(g), repeat)

    chunks = synthetic_chunks(records, households_per_village=households_per_village)
    referred: dict[int, int] = {}
    for r in records.referrals:
        referred[r.program_id] = referred.get(r.program_id, 0) + r.count
    caseloads = [
        an.Caseload(f.id, f.name, sum(int((c.facilitators == f.id).sum()) for c in chunks))
        for f in records.facilitators
    ]

    def gaps() -> Any:
        return (
            an.unmet_demand(chunks),
            an.unused_supply(chunks, referred),
            an.isolated_stakeholders(g),
            an.load_summary(caseloads),
        )

    t_gaps, (unmet, unused, isolated, load) = best(gaps, repeat)
    busiest = max(caseloads, key=lambda c: c.households)
    forum = records.forums[0]
    members = {mid for kind, mid in forum.members if kind == "organization"}
    labels = {o.id: o.name for o in records.organizations}

    home = next(c for c in chunks if (c.facilitators == busiest.facilitator_id).any())

    def suggestions() -> Any:
        mine = home.subset(home.facilitators == busiest.facilitator_id)
        return an.link_suggestions(g, busiest.facilitator_id, mine), an.forum_invitations(chunks, members, labels)

    t_suggest, (links, (unmet_units, invitations)) = best(suggestions, repeat)
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "households": sum(c.n_households for c in chunks),
        "programs": len({p.program_id for c in chunks for p in c.programs}),
        "chunks": len(chunks),
        "build": t_build,
        "projection": t_proj,
        "node_metrics": t_nodes,
        "network_metrics": t_network,
        "metrics": t_metrics,
        "gaps": t_gaps,
        "suggestions": t_suggest,
        "total": t_build + t_metrics + t_gaps + t_suggest,
        "betweenness_exact": figures["betweenness_exact"],
        "paths_exact": figures["paths_exact"],
        "community_method": figures["community_method"],
        "communities": len(figures["communities"]),
        "unmet_rows": len(unmet),
        "unused": len(unused),
        "isolated": len(isolated),
        "over_mark": load["over_mark"],
        "links": len(links),
        "invitations": len(invitations),
        "unmet_units": unmet_units,
    }


def errors(nodes: int) -> None:
    """What sampling costs at ``nodes``: sampled figures against exact ones on the same graph."""
    g = net.build_graph(synthetic_records(nodes))
    p = net.Projection(g)
    n = p.n
    print(f"\nApproximation error on the {n:,}-node graph (exact computed here with igraph):")
    t = time.perf_counter()
    exact_b = np.array(net.betweenness(p, None))
    t_exact = time.perf_counter() - t
    t = time.perf_counter()
    sampled_b = np.array(net.betweenness(p, net.BETWEENNESS_SAMPLES))
    t_sampled = time.perf_counter() - t
    report("betweenness", exact_b, sampled_b, t_exact, t_sampled)
    t = time.perf_counter()
    exact_c = np.array(net.closeness(p, None))
    t_exact = time.perf_counter() - t
    t = time.perf_counter()
    sampled_c = np.array(net.closeness(net.Projection(g), net.PATH_SAMPLES))
    t_sampled = time.perf_counter() - t
    report("closeness", exact_c, sampled_c, t_exact, t_sampled)
    parts = [list(c) for c in p.graph.connected_components()]
    largest = max(parts, key=len)
    c = p.graph.induced_subgraph(largest)
    exact_d = c.diameter(directed=False)
    exact_avg = c.average_path_length(directed=False)
    sampled = net.network_metrics(g, None, net.Projection(g))
    print(
        f"  diameter: exact {exact_d}, sampled lower bound {sampled['diameter']}; average path length: "
        f"exact {exact_avg:.4f}, sampled {sampled['average_path_length']:.4f} "
        f"({abs(sampled['average_path_length'] - exact_avg) / exact_avg:.2%} off)"
    )


def report(name: str, exact: np.ndarray, sampled: np.ndarray, t_exact: float, t_sampled: float) -> None:
    rho = spearmanr(exact, sampled).statistic
    overlaps = []
    for k in (10, 50):
        top_e = set(np.argsort(-exact)[:k].tolist())
        top_s = set(np.argsort(-sampled)[:k].tolist())
        overlaps.append(f"top-{k} overlap {len(top_e & top_s)}/{k}")
    big = exact >= np.quantile(exact, 0.99)
    rel = np.abs(sampled[big] - exact[big]) / np.where(exact[big] > 0, exact[big], 1)
    print(
        f"  {name}: exact {t_exact:.2f} s, sampled {t_sampled:.2f} s; Spearman {rho:.4f}; {', '.join(overlaps)}; "
        f"median relative error on the top 1% {np.median(rel):.1%}, max abs error {np.abs(sampled - exact).max():.2e}"
    )


def networkx_times(nodes: int) -> None:
    """networkx alone on the same graph, for comparison (minutes for the slow parts)."""
    g = net.build_graph(synthetic_records(nodes))
    u = net.undirected(g)
    print(f"\nnetworkx alone on the {u.number_of_nodes():,}-node graph:")
    p = net.Projection(g)
    parts: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("pagerank", lambda: nx.pagerank(u, weight="weight"), lambda: net.pagerank(p)),
        (
            f"betweenness, k={net.BETWEENNESS_SAMPLES}",
            lambda: nx.betweenness_centrality(u, k=net.BETWEENNESS_SAMPLES, seed=net.SEED),
            lambda: net.betweenness(p, net.BETWEENNESS_SAMPLES),
        ),
        (
            "louvain",
            lambda: nx.community.louvain_communities(u, weight="weight", seed=net.SEED),
            lambda: net.louvain(p),
        ),
        ("constraint", lambda: nx.constraint(u), lambda: p.graph.constraint()),
        ("effective size", lambda: nx.effective_size(u), lambda: net.effective_size(p)),
        ("closeness (exact)", lambda: nx.closeness_centrality(u), lambda: net.closeness(net.Projection(g), None)),
    ]
    for name, ours_nx, ours in parts:
        t = time.perf_counter()
        ours_nx()
        t_nx = time.perf_counter() - t
        t = time.perf_counter()
        ours()
        t_ours = time.perf_counter() - t
        print(f"  {name}: networkx {t_nx:.2f} s, ours (igraph) {t_ours:.3f} s, {t_nx / max(t_ours, 1e-9):.0f}x")


def modularity(nodes: int) -> None:
    """Louvain against Leiden (what is used above ``LOUVAIN_MAX_NODES``) on the same graph."""
    g = net.build_graph(synthetic_records(nodes))
    p = net.Projection(g)
    u = net.undirected(g)
    import igraph as ig

    with net._IGRAPH_RNG:
        ig.set_random_number_generator(random.Random(net.SEED))
        t = time.perf_counter()
        louvain = p.graph.community_multilevel(weights="weight")
        t_louvain = time.perf_counter() - t
        ig.set_random_number_generator(random)
    t = time.perf_counter()
    found = net.louvain(p)
    t_used = time.perf_counter() - t
    q_louvain = p.graph.modularity(louvain, weights="weight")
    q_used = nx.community.modularity(u, found, weight="weight")
    print(
        f"\nCommunities on the {p.n:,}-node graph: Louvain {t_louvain:.2f} s, modularity {q_louvain:.4f}; "
        f"{net.community_method(p.n)} (used) {t_used:.2f} s, modularity {q_used:.4f}"
    )


def plan(families: int, programs: int, repeat: int) -> None:
    candidates, capacity = synthetic_instance(families, programs, seed=2026)
    t, result = best(lambda: referral_plan(candidates, capacity), repeat)
    over = [pid for pid, used in result.used.items() if capacity[pid] is not None and used > (capacity[pid] or 0)]
    print(
        f"\nReferral plan, {families:,} families x {programs} programmes: {len(candidates):,} candidates, "
        f"{len(result.assignments):,} planned, total score {result.total_score:.2f}, "
        f"unmet {sum(result.unmet_by_need.values()):,}: {t:.2f} s (target < 5 s)"
        + (f"; OVER CAPACITY: {over}" if over else "")
    )
    stats = result.stats
    print(
        f"  flow networks: {stats.components} component(s), {stats.network_nodes:,} nodes, "
        f"{stats.network_arcs:,} arcs; {stats.preassigned:,} of {stats.units:,} units decided before the solver"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000,50000", help="graph sizes in nodes, comma-separated")
    parser.add_argument("--households-per-village", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plan-families", type=int, default=5000)
    parser.add_argument("--plan-programs", type=int, default=200)
    parser.add_argument("--error", action="store_true", help="measure the approximations' error on the first size")
    parser.add_argument("--networkx", action="store_true", help="time networkx alone on the first size")
    parser.add_argument("--modularity", action="store_true", help="Louvain vs Leiden on the last size")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes, args.repeat, args.plan_families, args.plan_programs = [600, 3000], 1, 500, 40
    print(
        f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · networkx {nx.__version__}"
        f" · load {os.getloadavg()[0]:.2f}"
    )
    rows = []
    for nodes in sizes:
        r = run_size(nodes, args.households_per_village, args.repeat)
        rows.append(r)
        target = TARGETS.get(nodes)
        verdict = "" if target is None else (f" (target < {target:g} s: {'met' if r['total'] < target else 'MISSED'})")
        print(
            f"\n{r['nodes']:,} nodes, {r['edges']:,} edges, {r['households']:,} households in {r['chunks']} "
            f"regencies, {r['programs']:,} programmes: total {r['total']:.2f} s{verdict}\n"
            f"  build {r['build']:.3f} s · metrics {r['metrics']:.3f} s (projection {r['projection']:.3f}, "
            f"nodes {r['node_metrics']:.3f}, network {r['network_metrics']:.3f}) · gaps {r['gaps']:.3f} s · "
            f"suggestions {r['suggestions']:.3f} s\n"
            f"  betweenness {'exact' if r['betweenness_exact'] else f'sampled ({net.BETWEENNESS_SAMPLES} sources)'}, "
            f"paths {'exact' if r['paths_exact'] else f'sampled ({net.PATH_SAMPLES} sources)'}, "
            f"{r['communities']} communities ({r['community_method']}); {r['unmet_rows']:,} unmet-demand rows, "
            f"{r['unused']} unused programmes, {r['isolated']} isolated, {r['over_mark']} facilitators over 200, "
            f"{r['links']} link suggestions, {r['invitations']} invitations"
        )
    if args.error:
        errors(sizes[0])
    if args.networkx:
        networkx_times(sizes[0])
    if args.modularity:
        modularity(sizes[-1])
    plan(args.plan_families, args.plan_programs, args.repeat)
    print(f"\nload at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
