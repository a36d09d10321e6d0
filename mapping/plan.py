"""Referral plans: assign families to programmes to maximise the total match score.

A forum organiser gives eligible (family, need, programme) candidates with a match score in
[0, 1] and each programme's remaining places. A *unit* is one (household, need) pair: a family
gets at most one programme per need, but may get one for each of several needs. A programme
never takes more units than its capacity (``None`` means no limit).

The problem is solved exactly as a min-cost flow with networkx's ``network_simplex``:

* every unit node supplies one unit of flow (``demand = -1``) and the sink absorbs them all;
* one unit -> programme arc per candidate, capacity 1, cost ``-value`` (below);
* one unit -> sink *bypass* arc, capacity 1, cost 0 (or minus the value of the unit's outside
  option, below), so that a unit may stay unassigned: the objective is the best total score,
  not the most assignments (family A: P1 0.9 or P2 0.1, family B: P1 0.2, one place each ->
  A -> P1 alone, 0.9, rather than A -> P2 and B -> P1, 0.3);
* one programme -> sink arc with the programme's capacity, cost 0.

The simplex needs integer costs, so a candidate's *value* is ``round(score * SCORE_SCALE) * T + 1``
with ``T`` = number of units + 1. The scaled score comes first; the ``+ 1`` per assignment adds
up to less than ``T`` and so only breaks ties: among plans with the same scaled score the one
that serves more units wins (a score-0 candidate with a free place is used, not left out). If
every score is a multiple of ``1 / SCORE_SCALE`` the scaled objective is exactly
``SCORE_SCALE`` times the real one and the plan is exactly optimal; otherwise rounding moves
each score by at most half a millionth, so the plan's total is within a millionth per unit of
the optimum. ``Plan.total_score`` is the sum of the chosen float scores, not a scaled figure.

Before solving, the problem is reduced. Each step only removes arcs that some optimal plan
does without (or that no optimal plan uses), so the optimum is unchanged:

1. *Open programmes.* A programme whose capacity is at least the number of units that can
   still use it (always so for ``None``) can never be full: every unit may take it whatever the
   others do. It leaves the network; each unit keeps only its best open programme (highest
   score, then lowest key) as its *outside option*, the value of its bypass arc.
2. *Dominated arcs.* An arc to a limited programme worth no more than the unit's outside option
   is never needed: moving the unit to its outside option loses nothing and frees a place.
   Arcs to programmes with no places are dropped too.
3. *Hopeless arcs.* For a limited programme ``p`` with ``c`` places, let ``d(u')`` be what a
   unit ``u'`` listing ``p`` gains by taking ``p`` over the best it could get anywhere else
   (its other arcs or its outside option). If ``c`` other listers of ``p`` each have ``d(u')``
   above ``u``'s gain ``value(u, p) - outside(u)``, no optimal plan sends ``u`` to ``p``: in
   such a plan one of those ``c`` units is not at ``p``; moving ``u`` to its outside option and
   that unit into the freed place strictly improves the plan. So an arc is dropped when its gain
   is below the ``c``-th largest ``d`` among ``p``'s listers (computing ``d`` with ``u`` itself
   included never drops an arc it should keep, since ``d(u)`` is at most ``u``'s gain).
4. Each step lowers the number of units that can use a programme or what they can get
   elsewhere, which may open programmes or make more arcs hopeless, so the steps repeat, until
   a round of step 3 removes less than ``MIN_PRUNE_SHARE`` of the arcs left (stopping early
   is exact too: it only leaves more arcs to the solver).

A unit left without arcs takes its outside option (or stays unmet) without the solver. The rest
is split into connected components (units linked through shared programmes), each solved on its
own. Inputs are sorted before the graph is built, so the same input always gives the same plan.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx

SCORE_SCALE = 10**6
MIN_PRUNE_SHARE = 0.05

Unit = tuple[int, str]


@dataclass(frozen=True)
class Candidate:
    """One eligible referral: ``household`` may be sent to ``program`` for ``need``."""

    household: int
    need: str
    program: int
    score: float


@dataclass(frozen=True)
class Assignment:
    """One referral of the plan."""

    household: int
    need: str
    program: int
    score: float


@dataclass(frozen=True)
class PlanStats:
    """How big the problem was and how much of it reached the solver (for benchmarks and logs)."""

    units: int = 0  # (household, need) pairs with at least one candidate
    candidate_arcs: int = 0  # distinct (household, need, program) candidates
    preassigned: int = 0  # units decided without the solver (outside option, or nothing left)
    components: int = 0  # flow networks solved
    network_nodes: int = 0  # summed over the components
    network_arcs: int = 0  # summed over the components


@dataclass
class Plan:
    """The referral plan, the score it reaches and the demand it leaves unmet."""

    assignments: list[Assignment]  # sorted by (program, -score, household, need)
    total_score: float  # math.fsum of the assignments' scores
    unmet: list[Unit]  # (household, need) units that had candidates but got none, sorted
    unmet_by_need: dict[str, int]  # every need that had candidates, 0 when all its units are served
    used: dict[int, int]  # places used by the plan, for every programme in capacity
    capacity: dict[int, int | None]  # as given (None = no limit)
    stats: PlanStats = field(default_factory=PlanStats)


class _Arc(NamedTuple):
    program: int
    score: float
    value: int  # round(score * SCORE_SCALE) * T + 1, see the module docstring


@dataclass(slots=True)
class _UnitState:
    arcs: list[_Arc]  # arcs to limited programmes, sorted by program
    outside: _Arc | None = None  # best open programme, if any
    floor: int = 0  # the value the unit is sure to get: its outside option's, or 0 (unassigned)


def _check_capacity(capacity: Mapping[int, int | None]) -> dict[int, int | None]:
    checked: dict[int, int | None] = {}
    for program, places in capacity.items():
        if places is None:
            checked[program] = None
            continue
        if isinstance(places, bool):
            raise TypeError(f"capacity of programme {program} must be an integer or None, not {places!r}")
        try:
            value = operator.index(places)
        except TypeError:
            raise TypeError(f"capacity of programme {program} must be an integer or None, not {places!r}") from None
        if value < 0:
            raise ValueError(f"capacity of programme {program} is negative: {value}")
        checked[program] = value
    return checked


def _check_score(candidate: Candidate) -> float:
    try:
        score = float(candidate.score)
    except (TypeError, ValueError):
        raise TypeError(f"score of {candidate} is not a number") from None
    if math.isnan(score) or not 0.0 <= score <= 1.0:
        raise ValueError(f"score {candidate.score!r} of {candidate} is outside [0, 1]")
    return score


def _open_and_dominated(units: list[_UnitState], capacity: dict[int, int | None], open_programs: set[int]) -> None:
    """Steps 1 and 2 of the module docstring."""
    listers: dict[int, int] = defaultdict(int)
    for state in units:
        for arc in state.arcs:
            listers[arc.program] += 1
    for program, count in listers.items():
        places = capacity[program]
        if places is None or places >= count:
            open_programs.add(program)
    for state in units:
        kept: list[_Arc] = []
        for arc in state.arcs:
            if arc.program not in open_programs:
                kept.append(arc)
            elif state.outside is None or (arc.value, -arc.program) > (state.outside.value, -state.outside.program):
                state.outside = arc
                state.floor = arc.value
        floor = state.floor
        kept = [arc for arc in kept if arc.value > floor and capacity[arc.program] != 0]
        if len(kept) != len(state.arcs):
            state.arcs = kept


def _hopeless(units: list[_UnitState], capacity: dict[int, int | None]) -> int:
    """Step 3 of the module docstring; the number of arcs removed."""
    gains: dict[int, list[int]] = defaultdict(list)  # program -> d of each lister
    for state in units:
        floor = state.floor
        best_i, best, second = -1, floor, floor  # the best arc and what the unit gets without it
        for i, arc in enumerate(state.arcs):
            if arc.value > best:
                best_i, best, second = i, arc.value, best
            elif arc.value > second:
                second = arc.value
        for i, arc in enumerate(state.arcs):
            gains[arc.program].append(arc.value - (second if i == best_i else best))
    threshold: dict[int, int] = {}
    for program, ds in gains.items():
        places = capacity[program]
        assert places is not None  # open programmes have left the arcs
        if 0 < places < len(ds):
            threshold[program] = heapq.nlargest(places, ds)[-1]
    removed = 0
    for state in units:
        floor = state.floor
        # an arc's gain is at least 1 (step 2), so the default 0 keeps arcs of unthresholded programmes
        kept = [arc for arc in state.arcs if arc.value - floor >= threshold.get(arc.program, 0)]
        if len(kept) != len(state.arcs):
            removed += len(state.arcs) - len(kept)
            state.arcs = kept
    return removed


def _reduce(units: list[_UnitState], capacity: dict[int, int | None]) -> None:
    """Remove arcs (steps 1-3 of the module docstring) while it pays.

    Each round costs a pass over all arcs and removes fewer than the round before. On the
    5,000 x 200 benchmark (bench/plan_instance.py) the total time was lowest with 3-6 rounds,
    i.e. once a round removes less than ``MIN_PRUNE_SHARE`` of the arcs left: running to the
    fixpoint (26 rounds) took longer than it saved. Steps 1 and 2 run once more at the end so
    that programmes the last round opened leave the network.
    """
    open_programs: set[int] = set()
    while True:
        units = [state for state in units if state.arcs]
        _open_and_dominated(units, capacity, open_programs)
        arcs = sum(len(state.arcs) for state in units)
        removed = _hopeless(units, capacity)
        if removed == 0 or removed < MIN_PRUNE_SHARE * arcs:
            break
    _open_and_dominated([state for state in units if state.arcs], capacity, open_programs)


def _components(keys: list[Unit], units: dict[Unit, _UnitState]) -> list[list[Unit]]:
    """Group units that share programmes (directly or through other units), keeping their order."""
    parent: dict[int, int] = {}

    def find(p: int) -> int:
        root = p
        while parent[root] != root:
            root = parent[root]
        while parent[p] != root:
            parent[p], p = root, parent[p]
        return root

    for key in keys:
        arcs = units[key].arcs
        for arc in arcs:
            parent.setdefault(arc.program, arc.program)
        first = find(arcs[0].program)
        for arc in arcs[1:]:
            other = find(arc.program)
            if other != first:
                parent[other] = first
    groups: dict[int, list[Unit]] = {}
    for key in keys:
        groups.setdefault(find(units[key].arcs[0].program), []).append(key)
    return list(groups.values())


def _solve_component(
    keys: list[Unit], units: dict[Unit, _UnitState], capacity: dict[int, int | None]
) -> tuple[dict[Unit, _Arc | None], int, int]:
    """Min-cost flow on one component: the chosen arc (or None) per unit, and the network's size.

    Nodes are integers: units 0..n-1, programmes n.., the sink -1. Candidate arcs are added
    before the bypass arcs: networkx prices arcs in blocks in insertion order, and this order
    was about a fifth faster on the benchmark than one unit's arcs after another.
    """
    sink = -1
    programs = sorted({arc.program for key in keys for arc in units[key].arcs})
    program_node = {program: len(keys) + i for i, program in enumerate(programs)}
    graph = nx.DiGraph()
    graph.add_node(sink, demand=len(keys))
    graph.add_nodes_from(range(len(keys)), demand=-1)
    graph.add_nodes_from(program_node.values(), demand=0)
    for i, key in enumerate(keys):
        for arc in units[key].arcs:
            graph.add_edge(i, program_node[arc.program], capacity=1, weight=-arc.value)
    for i, key in enumerate(keys):
        graph.add_edge(i, sink, capacity=1, weight=-units[key].floor)
    for program in programs:
        graph.add_edge(program_node[program], sink, capacity=capacity[program], weight=0)
    _, flow = nx.network_simplex(graph)
    chosen: dict[Unit, _Arc | None] = {}
    for i, key in enumerate(keys):
        state = units[key]
        out = flow[i]
        chosen[key] = next((arc for arc in state.arcs if out[program_node[arc.program]] == 1), state.outside)
    return chosen, graph.number_of_nodes(), graph.number_of_edges()


def referral_plan(candidates: Iterable[Candidate], capacity: Mapping[int, int | None]) -> Plan:
    """The referral plan with the highest total match score (see the module docstring).

    Raises ValueError for a negative capacity, a score outside [0, 1] or NaN, and a candidate
    whose programme has no entry in ``capacity``: a forgotten programme would otherwise silently
    get no places, or unlimited ones (pass ``None`` for no limit). TypeError for a capacity that
    is not an integer or None. Of duplicate (household, need, program) candidates the highest
    score is kept.
    """
    places = _check_capacity(capacity)
    best: dict[tuple[int, str, int], float] = {}
    for candidate in candidates:
        score = _check_score(candidate)
        if candidate.program not in places:
            raise ValueError(
                f"programme {candidate.program} has candidates but no entry in capacity (use None for no limit)"
            )
        triple = (candidate.household, candidate.need, candidate.program)
        if triple not in best or score > best[triple]:
            best[triple] = score

    units: dict[Unit, _UnitState] = {}
    for household, need, _ in best:
        units.setdefault((household, need), _UnitState([]))
    tie = len(units) + 1
    for household, need, program in sorted(best):
        score = best[(household, need, program)]
        value = round(score * SCORE_SCALE) * tie + 1
        units[(household, need)].arcs.append(_Arc(program, score, value))
    all_units = sorted(units)

    _reduce([units[key] for key in all_units], places)
    chosen: dict[Unit, _Arc | None] = {}
    in_network: list[Unit] = []
    for key in all_units:
        state = units[key]
        if state.arcs:
            in_network.append(key)
        else:
            chosen[key] = state.outside
    preassigned = len(chosen)
    components = _components(in_network, units) if in_network else []
    nodes = arcs = 0
    for group in components:
        picks, n, m = _solve_component(group, units, places)
        chosen.update(picks)
        nodes += n
        arcs += m

    assignments: list[Assignment] = []
    unmet: list[Unit] = []
    unmet_by_need = dict.fromkeys(sorted({need for _, need in all_units}), 0)
    used = dict.fromkeys(sorted(places), 0)
    for key in all_units:
        pick = chosen[key]
        if pick is None:
            unmet.append(key)
            unmet_by_need[key[1]] += 1
        else:
            assignments.append(Assignment(key[0], key[1], pick.program, pick.score))
            used[pick.program] += 1
    for program, count in used.items():
        limit = places[program]
        if limit is not None and count > limit:  # pragma: no cover - would be a bug in the reductions
            raise AssertionError(f"plan uses {count} places of programme {program}, capacity {limit}")
    assignments.sort(key=lambda a: (a.program, -a.score, a.household, a.need))
    return Plan(
        assignments=assignments,
        total_score=math.fsum(a.score for a in assignments),
        unmet=unmet,
        unmet_by_need=unmet_by_need,
        used=used,
        capacity=dict(capacity),
        stats=PlanStats(
            units=len(all_units),
            candidate_arcs=len(best),
            preassigned=preassigned,
            components=len(components),
            network_nodes=nodes,
            network_arcs=arcs,
        ),
    )
