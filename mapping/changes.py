"""The network at two dates, compared (pure functions of two graphs of ``mapping.network``).

* **ties**: partnerships (``partners`` edges, one per partnership) and forum memberships
  (``member_of`` edges); a tie is added when it is in force at the later date and not the
  earlier, ended the other way round.
* **reach**: a village's demand for a programme (its ``demand`` edge: eligible households) is
  *reached* when a facilitator serving the village (``serves``) has a path to the organisation
  offering the programme over the stakeholders' ties: partnerships, forum memberships, referrals
  and the organisation's own programmes (``offers``). Villages and demand edges are not ties, so
  two facilitators are never joined through the families they serve.
* **unmet**: the demand not reached: how many (village, programme) pairs and how many eligible
  households they hold (a family eligible for two unreached programmes counts twice).
* **isolated**: ``mapping.analysis.isolated_stakeholders`` at each date.

Households stay counts: the service withholds small ones (``mapping.privacy``) before they leave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from mapping.analysis import isolated_stakeholders

REACH_TYPES = frozenset({"partners", "member_of", "refers", "offers"})


@dataclass(frozen=True)
class Tie:
    key: str  # "partners:12" (the partnership's id) or "member_of"
    type: str  # partners | member_of
    source: str  # node ids
    target: str
    partnership_kind: str | None = None


@dataclass(frozen=True)
class Demand:
    village: str  # node id
    program: str
    organization: str | None
    households: int


@dataclass
class Reach:
    reached: dict[tuple[str, str], Demand] = field(default_factory=dict)
    unmet: dict[tuple[str, str], Demand] = field(default_factory=dict)

    @property
    def unmet_households(self) -> list[int]:
        return [d.households for d in self.unmet.values()]


@dataclass
class Changes:
    ties_added: list[Tie]
    ties_ended: list[Tie]
    newly_reached: list[Demand]
    no_longer_isolated: list[str]  # node ids
    before: Reach
    after: Reach


def ties(g: nx.MultiDiGraph) -> dict[tuple[str, str, str], Tie]:
    """The partnerships and forum memberships of ``g``, keyed by (source, target, edge key)."""
    out: dict[tuple[str, str, str], Tie] = {}
    for a, b, key, data in g.edges(keys=True, data=True):
        if data["type"] in ("partners", "member_of"):
            out[(a, b, str(key))] = Tie(str(key), data["type"], a, b, data.get("partnership_kind"))
    return out


def _owner(g: nx.MultiDiGraph, program: str) -> str | None:
    for a, _, t in g.in_edges(program, data="type"):
        if t == "offers":
            return str(a)
    return None


def reach(g: nx.MultiDiGraph) -> Reach:
    """Each demand edge of ``g``, reached or not (see the module's text)."""
    tied = nx.Graph()
    tied.add_nodes_from(g.nodes)
    tied.add_edges_from((a, b) for a, b, t in g.edges(data="type") if t in REACH_TYPES)
    component: dict[str, int] = {}
    for i, nodes in enumerate(nx.connected_components(tied)):
        for v in nodes:
            component[v] = i
    serving: dict[str, list[str]] = {}
    for a, b, t in g.edges(data="type"):
        if t == "serves":
            serving.setdefault(b, []).append(a)
    out = Reach()
    for village, program, data in g.edges(data=True):
        if data["type"] != "demand":
            continue
        org = _owner(g, program)
        d = Demand(village, program, org, int(data.get("weight", 0)))
        hit = org is not None and any(component[f] == component[org] for f in serving.get(village, []))
        (out.reached if hit else out.unmet)[(village, program)] = d
    return out


def compare(before: nx.MultiDiGraph, after: nx.MultiDiGraph) -> Changes:
    """What changed from the network ``before`` to the network ``after`` (same region, two dates)."""
    t0, t1 = ties(before), ties(after)
    r0, r1 = reach(before), reach(after)
    isolated0 = {i.node for i in isolated_stakeholders(before)}
    isolated1 = {i.node for i in isolated_stakeholders(after)}
    order = _by_label(after, before)
    return Changes(
        ties_added=sorted((t for k, t in t1.items() if k not in t0), key=lambda t: order(t.source, t.target, t.key)),
        ties_ended=sorted((t for k, t in t0.items() if k not in t1), key=lambda t: order(t.source, t.target, t.key)),
        newly_reached=sorted(
            (d for k, d in r1.reached.items() if k not in r0.reached),
            key=lambda d: (-d.households, *order(d.village, d.program)),
        ),
        no_longer_isolated=sorted((v for v in isolated0 - isolated1 if v in after), key=lambda v: order(v)),
        before=r0,
        after=r1,
    )


def _by_label(*graphs: nx.MultiDiGraph) -> Any:
    def label(v: str) -> str:
        for g in graphs:
            if v in g:
                return str(g.nodes[v].get("label", v)).casefold()
        return v

    def key(*nodes: str) -> tuple[str, ...]:
        return tuple(label(v) for v in nodes) + tuple(nodes)

    return key


def figures(g: nx.MultiDiGraph, r: Reach, isolated: Iterable[Any] | None = None) -> dict[str, int]:
    """The counts shown side by side: stakeholders, partnerships, memberships, isolated ones and
    unmet (village, programme) pairs (households are added by the caller, withheld when small)."""
    types = [t for _, _, t in g.edges(data="type")]
    kinds = [k for _, k in g.nodes(data="kind")]
    found = list(isolated) if isolated is not None else isolated_stakeholders(g)
    return {
        "stakeholders": sum(1 for k in kinds if k in ("organization", "facilitator", "forum")),
        "partnerships": types.count("partners"),
        "memberships": types.count("member_of"),
        "isolated": len(found),
        "unmet_pairs": len(r.unmet),
        "reached_pairs": len(r.reached),
    }
