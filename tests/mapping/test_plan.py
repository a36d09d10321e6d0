"""The referral plan solver: worked examples, input checks, and optimality against exhaustive search.

These tests use no database. Random scores are drawn on a grid of 0.01: ``round(score * 10**6)``
is then exactly ``100 * cents``, so the solver's integer objective is exactly 10**6 times the
real one and its plan must reach the exhaustive search's optimum (up to float summation, hence
the 1e-6 tolerance).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, sparse

from bench.plan_instance import synthetic_instance
from mapping.plan import Assignment, Candidate, Plan, referral_plan

Instance = tuple[list[Candidate], dict[int, int | None]]


def check_plan(plan: Plan, candidates: Sequence[Candidate], capacity: dict[int, int | None]) -> None:
    """The invariants every plan must satisfy, whatever its optimality."""
    best: dict[tuple[int, str, int], float] = {}
    for c in candidates:
        key = (c.household, c.need, c.program)
        best[key] = max(best.get(key, c.score), c.score)
    units = {(h, n) for h, n, _ in best}
    served = [(a.household, a.need) for a in plan.assignments]
    assert len(served) == len(set(served)), "more than one referral for a (household, need)"
    for a in plan.assignments:
        assert best.get((a.household, a.need, a.program)) == a.score, f"{a} is not a candidate with its best score"
    used = {p: 0 for p in capacity}
    for a in plan.assignments:
        used[a.program] += 1
    assert plan.used == used
    for p, places in capacity.items():
        assert places is None or used[p] <= places, f"programme {p} over capacity"
    assert plan.capacity == capacity
    assert plan.total_score == math.fsum(a.score for a in plan.assignments)
    assert plan.unmet == sorted(units - set(served))
    assert plan.unmet_by_need == {n: sum(1 for _, m in plan.unmet if m == n) for n in sorted({n for _, n in units})}
    order = [(a.program, -a.score, a.household, a.need) for a in plan.assignments]
    assert order == sorted(order)


def exhaustive_optimum(candidates: Sequence[Candidate], capacity: dict[int, int | None]) -> tuple[int, int]:
    """The best (total score in cents, number of referrals) over every feasible plan.

    Every unit takes "none" or one of its candidates; of the choices within capacity the one with
    the highest score wins, then the one with the most referrals (the solver's stated tie-break).
    The enumeration is memoised on the places left, which keeps it exhaustive but fast enough
    for 12 units with 5 choices each.
    """
    options: dict[tuple[int, str], dict[int, int]] = {}
    for c in candidates:
        cents = round(c.score * 100)
        unit = options.setdefault((c.household, c.need), {})
        unit[c.program] = max(unit.get(c.program, cents), cents)
    units = sorted(options)
    programs = sorted(capacity)
    index = {p: i for i, p in enumerate(programs)}
    start = tuple(len(units) if capacity[p] is None else capacity[p] for p in programs)

    @cache
    def best(i: int, left: tuple[int, ...]) -> tuple[int, int]:
        if i == len(units):
            return (0, 0)
        result = best(i + 1, left)  # this unit gets nothing
        for program, cents in options[units[i]].items():
            j = index[program]
            if left[j] > 0:
                rest = best(i + 1, (*left[:j], left[j] - 1, *left[j + 1 :]))
                result = max(result, (rest[0] + cents, rest[1] + 1))
        return result

    return best(0, start)


@st.composite
def small_instances(draw: st.DrawFn) -> Instance:
    programs = draw(st.integers(1, 4))
    needs = draw(st.sampled_from([("capital",), ("capital", "training")]))
    capacity = {p: draw(st.one_of(st.none(), st.integers(0, 3))) for p in range(1, programs + 1)}
    rows = draw(
        st.lists(
            st.tuples(st.integers(1, 6), st.sampled_from(needs), st.integers(1, programs), st.integers(0, 100)),
            max_size=6 * len(needs) * programs,
        )
    )
    return [Candidate(h, n, p, cents / 100) for h, n, p, cents in rows], capacity


@settings(max_examples=300, deadline=None)
@given(small_instances(), st.randoms(use_true_random=False))
def test_plan_is_valid_and_optimal(instance: Instance, rnd: random.Random) -> None:
    candidates, capacity = instance
    plan = referral_plan(candidates, capacity)
    check_plan(plan, candidates, capacity)
    cents, count = exhaustive_optimum(candidates, capacity)
    assert plan.total_score == pytest.approx(cents / 100, abs=1e-6)
    assert len(plan.assignments) == count  # same score, then as many referrals as possible
    shuffled = list(candidates)
    rnd.shuffle(shuffled)
    again = referral_plan(shuffled, capacity)
    assert (again.assignments, again.unmet) == (plan.assignments, plan.unmet)  # input order does not matter


def test_best_total_not_most_referrals() -> None:
    """Family A: P1 0.9 or P2 0.1; family B: only P1 0.2; one place each: A -> P1 alone."""
    plan = referral_plan(
        [Candidate(1, "capital", 1, 0.9), Candidate(1, "capital", 2, 0.1), Candidate(2, "capital", 1, 0.2)],
        {1: 1, 2: 1},
    )
    assert plan.assignments == [Assignment(1, "capital", 1, 0.9)]
    assert plan.total_score == pytest.approx(0.9)
    assert plan.unmet == [(2, "capital")]
    assert plan.unmet_by_need == {"capital": 1}
    assert plan.used == {1: 1, 2: 0}


def test_one_referral_per_need_but_one_for_each_need() -> None:
    candidates = [
        Candidate(1, "capital", 10, 0.8),
        Candidate(1, "capital", 11, 0.7),
        Candidate(1, "training", 20, 0.6),
        Candidate(1, "training", 21, 0.5),
    ]
    plan = referral_plan(candidates, {10: 5, 11: None, 20: 5, 21: None})
    assert plan.assignments == [Assignment(1, "capital", 10, 0.8), Assignment(1, "training", 20, 0.6)]
    assert plan.total_score == pytest.approx(1.4)
    assert plan.unmet == []
    assert plan.unmet_by_need == {"capital": 0, "training": 0}


def test_capacity_is_shared_across_needs_and_none_is_unlimited() -> None:
    candidates = [Candidate(h, need, 1, 0.5 + h / 100) for h in range(1, 4) for need in ("capital", "training")]
    candidates += [Candidate(h, "capital", 2, 0.1) for h in range(1, 4)]
    plan = referral_plan(candidates, {1: 2, 2: None})
    check_plan(plan, candidates, {1: 2, 2: None})
    # programme 1's two places go where they add most: to training units (whose alternative is
    # nothing) rather than to capital ones (which can fall back on programme 2 at 0.1)
    assert [(a.household, a.need, a.program) for a in plan.assignments] == [
        (3, "training", 1),
        (2, "training", 1),
        (1, "capital", 2),
        (2, "capital", 2),
        (3, "capital", 2),
    ]
    assert plan.total_score == pytest.approx(0.53 + 0.52 + 0.3)
    assert plan.unmet == [(1, "training")]


def test_duplicates_keep_the_highest_score() -> None:
    candidates = [Candidate(1, "capital", 1, 0.3), Candidate(1, "capital", 1, 0.7), Candidate(1, "capital", 1, 0.5)]
    plan = referral_plan(candidates, {1: 1})
    assert plan.assignments == [Assignment(1, "capital", 1, 0.7)]


def test_zero_score_is_still_referred_when_a_place_is_free() -> None:
    plan = referral_plan([Candidate(1, "capital", 1, 0.0), Candidate(2, "capital", 1, 0.4)], {1: 2})
    assert len(plan.assignments) == 2
    assert plan.unmet == []


def test_programme_without_places_leaves_the_unit_unmet() -> None:
    plan = referral_plan([Candidate(1, "capital", 1, 0.9)], {1: 0})
    assert plan.assignments == []
    assert plan.unmet == [(1, "capital")]
    assert plan.total_score == 0


def test_empty_candidates_give_an_empty_plan() -> None:
    plan = referral_plan([], {1: 3, 2: None})
    assert plan.assignments == []
    assert plan.total_score == 0
    assert plan.unmet == []
    assert plan.unmet_by_need == {}
    assert plan.used == {1: 0, 2: 0}
    assert plan.capacity == {1: 3, 2: None}
    assert referral_plan([], {}).assignments == []


@pytest.mark.parametrize(
    ("candidates", "capacity", "message"),
    [
        ([Candidate(1, "capital", 1, 0.5)], {1: -1}, r"capacity of programme 1 is negative"),
        ([], {4: -2}, r"capacity of programme 4 is negative"),
        ([Candidate(1, "capital", 1, 1.5)], {1: 1}, r"score 1\.5 .* outside \[0, 1\]"),
        ([Candidate(1, "capital", 1, -0.1)], {1: 1}, r"score -0\.1 .* outside \[0, 1\]"),
        ([Candidate(1, "capital", 1, math.nan)], {1: 1}, r"score nan .* outside \[0, 1\]"),
        ([Candidate(1, "capital", 7, 0.5)], {1: 1}, r"programme 7 has candidates but no entry in capacity"),
    ],
)
def test_bad_input_is_refused(candidates: list[Candidate], capacity: dict[int, int | None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        referral_plan(candidates, capacity)


def test_capacity_must_be_an_integer() -> None:
    with pytest.raises(TypeError, match="capacity of programme 1"):
        referral_plan([], {1: 2.5})  # type: ignore[dict-item]


@pytest.mark.parametrize("seed", range(6))
def test_medium_instances_match_the_linear_programme(seed: int) -> None:
    """Against scipy's LP on the unreduced problem, at sizes where all the reductions fire.

    The constraint matrix (one row per unit, one per limited programme) is totally unimodular, so
    the LP optimum is the integer optimum. The solver optimises scores rounded to millionths, so
    it may trail the float optimum by up to a millionth per unit.
    """
    candidates, capacity = synthetic_instance(300, 24, seed=seed, density=0.25, capacity_range=(0, 12))
    plan = referral_plan(candidates, capacity)
    check_plan(plan, candidates, capacity)
    assert plan.stats.preassigned > 0

    arcs = sorted({(c.household, c.need, c.program): c.score for c in candidates}.items())
    units = sorted({(h, n) for (h, n, _), _ in arcs})
    unit_row = {u: i for i, u in enumerate(units)}
    limited = sorted(p for p, places in capacity.items() if places is not None)
    program_row = {p: len(units) + i for i, p in enumerate(limited)}
    rows, cols = [], []
    for j, ((h, n, p), _) in enumerate(arcs):
        rows.append(unit_row[(h, n)])
        cols.append(j)
        if p in program_row:
            rows.append(program_row[p])
            cols.append(j)
    matrix = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(units) + len(limited), len(arcs)))
    bounds = [1] * len(units) + [capacity[p] for p in limited]
    result = optimize.linprog(
        -np.array([score for _, score in arcs]), A_ub=matrix, b_ub=bounds, bounds=(0, 1), method="highs"
    )
    assert result.status == 0
    assert plan.total_score == pytest.approx(-result.fun, abs=1e-6 * len(units))
