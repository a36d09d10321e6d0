"""One household against the whole programme catalogue, as array operations across programmes.

The screener (``mapping.screening``) is vectorised across households, for a few hundred
programmes. A household's page needs the transpose: one family (one row per business) against
thousands of programmes. ``CompiledCatalog`` flattens every programme's rule tree into level
arrays once (breadth-first, so the children of each node are contiguous), groups the criteria by
field and operator, and then evaluates a family with one numpy comparison per group and one
``reduceat`` per tree level. It returns, per programme, exactly what the single-household
evaluator (``mapping.matching.evaluate_program``) returns as status, failing and unknown
counts and best business; the Hypothesis tests hold the two to that. Explanations are then
written by the evaluator for the programmes a page actually shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from mapping.matching import NO_BUSINESS, HouseholdFacts, ProgramFacts, Result, criterion_result
from models.eligibility import RULE_FIELDS, SECTORS, FieldType

LEAF, ALL, ANY, NOT = 0, 1, 2, 3
VECTOR_OPS: Final = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "between"})
BIG: Final = 1 << 20  # count packing base: no rule has a million criteria (the validator caps trees)
KIND_MEETS_NEEDS: Final[dict[str, frozenset[str]]] = {
    "training": frozenset({"training"}),
    "capital_grant": frozenset({"capital", "equipment"}),
    "loan": frozenset({"capital"}),
    "marketing": frozenset({"marketing"}),
    "certification": frozenset({"certification"}),
    "mentoring": frozenset({"mentoring", "training"}),
    "equipment": frozenset({"equipment", "capital"}),
}
SCORE_WEIGHTS: Final[dict[str, float]] = {"need_fit": 0.4, "distance": 0.25, "capacity": 0.15, "deadline": 0.2}
NEUTRAL: Final = 0.5
DEADLINE_HORIZON_DAYS: Final = 180
DISTANCE_HALF_KM: Final = 5.0
SECTOR_BIT: Final = {s: 1 << i for i, s in enumerate(SECTORS)}
KINDS: Final = tuple(KIND_MEETS_NEEDS)
STATUS_NAMES: Final[dict[int, str]] = {2: "eligible", 1: "unknown", 0: "ineligible"}

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]
Floats = NDArray[np.float64]


@dataclass
class _Level:
    kind: NDArray[np.int8]
    leaf: Ints  # index into the leaf table (leaves only; -1 otherwise)
    child_start: Ints  # first child's position in the next level (internal nodes only)
    internal: Ints  # positions of internal nodes with children, in order
    empty: Ints  # positions of internal nodes without children (the compiled form of "no rule")


@dataclass
class _Group:
    """Criteria sharing a field and a vectorisable operator: thresholds as arrays."""

    field: str
    op: str
    leaves: Ints
    lo: Floats
    hi: Floats


@dataclass
class CatalogResult:
    """Per programme (catalogue order): what the evaluator would say, and the ranking inputs."""

    code: NDArray[np.int8]  # 2 eligible, 1 unknown, 0 ineligible
    fails: Ints
    unknowns: Ints
    best_row: Ints  # index into the household's fact rows (its businesses), the best one
    out_of_reach: Bools
    candidate: Bools  # serves the household's regency (or everywhere)


class CompiledCatalog:
    """Programmes compiled for fast one-household evaluation; immutable once built."""

    def __init__(self, programs: Sequence[ProgramFacts]) -> None:
        self.programs = list(programs)
        n = len(self.programs)
        self.ids = np.array([p.program_id for p in self.programs], dtype=np.int64)
        self.position = {p.program_id: i for i, p in enumerate(self.programs)}
        self.has_rule = np.array([bool(p.eligibility) for p in self.programs], dtype=np.bool_)
        self._compile_trees()
        self._compile_reach()
        # Ranking inputs.
        self.kind_code = np.array([KINDS.index(p.kind) if p.kind in KINDS else -1 for p in self.programs], np.int64)
        self.sector_mask = np.array([sum(SECTOR_BIT.get(s, 0) for s in p.sectors) for p in self.programs], np.int64)
        cap = np.array([np.nan if not p.capacity else p.capacity for p in self.programs], dtype=np.float64)
        left = np.array([np.nan if p.capacity_remaining is None else p.capacity_remaining for p in self.programs])
        self.capacity_share = np.clip(left / cap, 0.0, 1.0)  # NaN where unknown
        self.closes = _ordinals([p.closes_on for p in self.programs])
        assert self.closes.shape == (n,)

    # --- compile ------------------------------------------------------------------------------

    def _compile_trees(self) -> None:
        leaves: list[tuple[str, str, Any]] = []
        levels: list[_Level] = []
        frontier: list[dict[str, Any]] = [p.eligibility or {"all": []} for p in self.programs]
        while frontier:
            kinds: list[int] = []
            leaf_ix: list[int] = []
            starts: list[int] = []
            counts: list[int] = []
            nxt: list[dict[str, Any]] = []
            for node in frontier:
                if "all" in node or "any" in node:
                    kinds.append(ALL if "all" in node else ANY)
                    starts.append(len(nxt))
                    children = node["all"] if "all" in node else node["any"]
                    counts.append(len(children))
                    nxt.extend(children)
                    leaf_ix.append(-1)
                elif "not" in node:
                    kinds.append(NOT)
                    starts.append(len(nxt))
                    counts.append(1)
                    nxt.append(node["not"])
                    leaf_ix.append(-1)
                else:
                    kinds.append(LEAF)
                    starts.append(-1)
                    counts.append(0)
                    leaf_ix.append(len(leaves))
                    leaves.append((node["field"], node["op"], node.get("value")))
            kind = np.array(kinds, dtype=np.int8)
            count = np.array(counts, dtype=np.int64)
            levels.append(
                _Level(
                    kind=kind,
                    leaf=np.array(leaf_ix, dtype=np.int64),
                    child_start=np.array(starts, dtype=np.int64),
                    internal=np.flatnonzero((kind != LEAF) & (count > 0)),
                    empty=np.flatnonzero((kind != LEAF) & (count == 0)),
                )
            )
            frontier = nxt
        self.levels = levels
        self.leaves = leaves
        groups: dict[tuple[str, str], list[int]] = {}
        self.others: dict[str, list[int]] = {}  # canonical criterion -> leaf positions (evaluated once)
        self.other_keys: list[tuple[str, str, Any]] = []
        for i, (name, op, value) in enumerate(leaves):
            ftype = RULE_FIELDS[name].type
            if op in VECTOR_OPS and ftype in (FieldType.number, FieldType.boolean):
                groups.setdefault((name, op), []).append(i)
            else:
                key = json.dumps([name, op, value], sort_keys=True)
                if key not in self.others:
                    self.others[key] = []
                    self.other_keys.append((name, op, value))
                self.others[key].append(i)
        self.groups = []
        for (name, op), ix in groups.items():
            values = [leaves[i][2] for i in ix]
            lo = np.array([float(v[0]) if op == "between" else float(v) for v in values], dtype=np.float64)
            hi = np.array([float(v[1]) if op == "between" else np.nan for v in values], dtype=np.float64)
            self.groups.append(_Group(name, op, np.array(ix, dtype=np.int64), lo, hi))
        self.other_positions = [np.array(ix, dtype=np.int64) for ix in self.others.values()]

    def _compile_reach(self) -> None:
        self.not_active = np.array([p.status != "active" for p in self.programs], dtype=np.bool_)
        self.opens = _ordinals([p.opens_on for p in self.programs], _NO_DAY_LOW)
        self.valid_from = _ordinals([p.valid_from for p in self.programs], _NO_DAY_LOW)
        self.valid_to = _ordinals([p.valid_to for p in self.programs])
        self.full = np.array(
            [p.capacity_remaining is not None and p.capacity_remaining <= 0 for p in self.programs], dtype=np.bool_
        )
        owner, codes = [], []
        for i, p in enumerate(self.programs):
            for code in p.service_area:
                owner.append(i)
                codes.append(code)
        self.area_owner = np.array(owner, dtype=np.int64)
        self.area_codes = np.array(codes, dtype=object)
        self.area_regency = np.array([".".join(c.split(".")[:2]) for c in codes], dtype=object)
        self.has_area = np.bincount(self.area_owner, minlength=len(self.programs)).astype(bool)

    # --- evaluate -----------------------------------------------------------------------------

    def _leaf_values(self, rows: list[dict[str, Any]]) -> tuple[Bools, Bools]:
        """T (passes) and P (does not fail) per fact row and leaf: shape (rows, leaves)."""
        r, n = len(rows), len(self.leaves)
        t = np.zeros((r, n), dtype=np.bool_)
        p = np.zeros((r, n), dtype=np.bool_)
        for k, facts in enumerate(rows):
            for g in self.groups:
                actual = facts.get(g.field)
                if actual is NO_BUSINESS:
                    continue  # a known absence: every criterion on it fails
                if actual is None:
                    p[k, g.leaves] = True  # unknown
                    continue
                a = float(actual)
                if g.op == "eq":
                    ok = g.lo == a
                elif g.op == "ne":
                    ok = g.lo != a
                elif g.op == "lt":
                    ok = a < g.lo
                elif g.op == "le":
                    ok = a <= g.lo
                elif g.op == "gt":
                    ok = a > g.lo
                elif g.op == "ge":
                    ok = a >= g.lo
                else:  # between, inclusive
                    ok = (g.lo <= a) & (a <= g.hi)
                t[k, g.leaves] = ok
                p[k, g.leaves] = ok
            for (name, op, value), positions in zip(self.other_keys, self.other_positions, strict=True):
                res = criterion_result(op, value, facts.get(name))
                if res is not Result.failed:
                    p[k, positions] = True
                    if res is Result.passed:
                        t[k, positions] = True
        return t, p

    def _trees(self, t_leaf: Bools, p_leaf: Bools) -> tuple[Bools, Bools, Ints, Ints]:
        """Roll leaves up the levels: per row and programme T, P, fails and unknowns."""
        below: tuple[Bools, Bools, Ints, Ints] | None = None
        for level in reversed(self.levels):
            r, n = t_leaf.shape[0], level.kind.shape[0]
            t = np.zeros((r, n), dtype=np.bool_)
            p = np.zeros((r, n), dtype=np.bool_)
            f = np.zeros((r, n), dtype=np.int64)
            u = np.zeros((r, n), dtype=np.int64)
            is_leaf = np.flatnonzero(level.kind == LEAF)
            if is_leaf.size:
                lt, lp = t_leaf[:, level.leaf[is_leaf]], p_leaf[:, level.leaf[is_leaf]]
                t[:, is_leaf], p[:, is_leaf] = lt, lp
                f[:, is_leaf] = ~lp
                u[:, is_leaf] = lp & ~lt
            nonempty = level.internal
            if below is not None and nonempty.size:
                bt, bp, bf, bu = below
                starts = level.child_start[nonempty]
                kind = level.kind[nonempty][None, :]
                and_t = np.logical_and.reduceat(bt, starts, axis=1)
                and_p = np.logical_and.reduceat(bp, starts, axis=1)
                or_t = np.logical_or.reduceat(bt, starts, axis=1)
                or_p = np.logical_or.reduceat(bp, starts, axis=1)
                sum_f = np.add.reduceat(bf, starts, axis=1)
                sum_u = np.add.reduceat(bu, starts, axis=1)
                best = np.minimum.reduceat(bf * BIG + bu, starts, axis=1)
                first_t, first_p = bt[:, starts], bp[:, starts]
                is_all, is_any = kind == ALL, kind == ANY
                nt = np.where(is_all, and_t, np.where(is_any, or_t, ~first_p))
                np_ = np.where(is_all, and_p, np.where(is_any, or_p, ~first_t))
                nf = np.where(is_all, sum_f, np.where(is_any, best // BIG, first_t.astype(np.int64)))
                nu = np.where(is_all, sum_u, np.where(is_any, best % BIG, (first_p & ~first_t).astype(np.int64)))
                # A group that passes carries no failing or unknown criteria.
                nf = np.where(nt, 0, nf)
                nu = np.where(nt, 0, nu)
                t[:, nonempty], p[:, nonempty], f[:, nonempty], u[:, nonempty] = nt, np_, nf, nu
            t[:, level.empty] = True  # an empty ``all``: no rule, open to all
            p[:, level.empty] = True
            below = (t, p, f, u)
        assert below is not None
        return below

    def evaluate(self, household: HouseholdFacts, *, today: date) -> CatalogResult:
        """Every programme's outcome for ``household`` on ``today``."""
        rows = household.fact_rows()
        t_leaf, p_leaf = self._leaf_values(rows)
        t, p, f, u = self._trees(t_leaf, p_leaf)
        rank = np.where(t, 0, np.where(p, 1, 2))
        key = (rank * BIG + np.where(rank == 2, f, u)) * BIG + f
        best_row = np.argmin(key, axis=0)
        cols = np.arange(len(self.programs))
        t, p, f, u = t[best_row, cols], p[best_row, cols], f[best_row, cols], u[best_row, cols]
        day = today.toordinal()
        village = household.village_code
        in_area = self._serves(village)
        reach_fails = (
            self.not_active.astype(np.int64)
            + (self.opens > day)
            + (self.closes < day)
            + (self.valid_from > day)
            + (self.valid_to < day)
            + self.full
            + (self.has_area & ~in_area)
        )
        out = reach_fails > 0
        code = np.where(out, 0, t.astype(np.int8) + p.astype(np.int8)).astype(np.int8)
        return CatalogResult(
            code=code,
            fails=f + reach_fails,
            unknowns=u,
            best_row=best_row,
            out_of_reach=out,
            candidate=self.near(".".join(village.split(".")[:2])),
        )

    def _serves(self, village: str) -> Bools:
        parts = village.split(".")
        prefixes = np.array([".".join(parts[: i + 1]) for i in range(len(parts))], dtype=object)
        hit = np.isin(self.area_codes, prefixes)
        return np.bincount(self.area_owner[hit], minlength=len(self.programs)).astype(bool)

    def near(self, regency: str) -> Bools:
        """Programmes worth showing a family of ``regency``: serving everywhere, or some place in it."""
        province = regency.split(".")[0]
        inside = (self.area_regency == regency) | (self.area_codes == province)
        near: Bools = np.bincount(self.area_owner[inside], minlength=len(self.programs)).astype(bool)
        out: Bools = near | ~self.has_area
        return out

    def near_regencies(self, codes: Iterable[str]) -> list[ProgramFacts]:
        """The programmes worth screening families of these regions for: those ``near`` any of
        the regencies among ``codes`` (codes of other levels are ignored)."""
        near = np.zeros(len(self.programs), dtype=np.bool_)
        for code in codes:
            if code.count(".") == 1:
                near |= self.near(code)
        return [self.programs[i] for i in np.flatnonzero(near)]

    # --- ranking ------------------------------------------------------------------------------

    def program_parts(self, today: date) -> tuple[Floats, Floats]:
        """The parts of the score that depend on the programme alone: capacity, deadline."""
        capacity = np.where(np.isnan(self.capacity_share), NEUTRAL, self.capacity_share).astype(np.float64)
        days = self.closes - today.toordinal()
        deadline = np.where(
            self.closes == _NO_DAY_HIGH,
            NEUTRAL,
            np.where(days < 0, 0.0, 1.0 - np.minimum(days, DEADLINE_HORIZON_DAYS) / DEADLINE_HORIZON_DAYS),
        ).astype(np.float64)
        return capacity, deadline

    def scores(
        self, household: HouseholdFacts, result: CatalogResult, distance_km: Floats, *, today: date
    ) -> dict[str, Floats]:
        """The score's parts per programme, each in [0, 1] (missing data scores a neutral 0.5).

        need_fit: the programme's kind meets a stated need of the best business (3/4) and its
        sectors include the business's sector (1/4); distance: 1 / (1 + km / 5); capacity: the
        share still free; deadline: higher as the application window closes sooner, over 180 days.
        """
        n = len(self.programs)
        businesses = household.businesses
        if businesses:
            need_table = np.array(
                [
                    [
                        NEUTRAL if not b.needs else float(bool(b.needs & KIND_MEETS_NEEDS.get(kind, frozenset())))
                        for kind in (*KINDS, "")
                    ]
                    for b in businesses
                ]
            )
            need = need_table[result.best_row, np.where(self.kind_code < 0, len(KINDS), self.kind_code)]
            bits = np.array([SECTOR_BIT.get(b.sector, 0) if b.sector else -1 for b in businesses])[result.best_row]
            sector = np.where(bits < 0, NEUTRAL, ((self.sector_mask & np.maximum(bits, 0)) != 0).astype(float))
        else:
            need = np.full(n, NEUTRAL)
            sector = np.full(n, NEUTRAL)
        sector = np.where(self.sector_mask == 0, 1.0, sector).astype(np.float64)
        distance = np.where(np.isnan(distance_km), NEUTRAL, 1.0 / (1.0 + distance_km / DISTANCE_HALF_KM)).astype(
            np.float64
        )
        capacity, deadline = self.program_parts(today)
        parts: dict[str, Floats] = {
            "need_fit": np.round(0.75 * np.asarray(need, dtype=np.float64) + 0.25 * sector, 4),
            "distance": np.round(distance, 4),
            "capacity": np.round(capacity, 4),
            "deadline": np.round(deadline, 4),
        }
        total = np.zeros(n)
        for name, weight in SCORE_WEIGHTS.items():
            total += weight * parts[name]
        parts["total"] = np.round(total, 4)
        return parts

    def ranked(
        self,
        result: CatalogResult,
        total: Floats,
        *,
        include_ineligible: bool = True,
        max_ineligible: int | None = None,
    ) -> Ints:
        """Programme positions in the order a family sees them.

        Eligible first; then unknown, fewest unknowns first; then the near misses, fewest failing
        criteria first; within a band by ``total`` score, then by id. Only candidates (programmes
        serving the family's regency, or everywhere) are ranked.

        Parameters
        ----------
        result
            The family's evaluation against this catalogue.
        total
            The total score per programme.
        include_ineligible
            Keep the near misses (else only eligible and unknown programmes).
        max_ineligible
            Keep only this many near misses, the closest (a page shows every hope and the
            closest misses).

        Returns
        -------
        numpy.ndarray
            Positions into ``programs``, best first.
        """
        shown = result.candidate.copy()
        if not include_ineligible:
            shown &= result.code > 0
        band = np.where(result.code == 2, 0, np.where(result.code == 1, 1, 2))
        within = np.where(result.code == 2, 0, np.where(result.code == 1, result.unknowns, result.fails))
        order: Ints = np.lexsort((self.ids, -total, within, band))
        order = order[shown[order]]
        if max_ineligible is not None:
            missed = result.code[order] == 0
            order = order[~missed | (np.cumsum(missed) <= max_ineligible)]
        return order

    def status_counts(self, result: CatalogResult) -> dict[str, int]:
        """How many candidate programmes the family is eligible for, may be, or is not."""
        return {
            name: int(np.count_nonzero(result.candidate & (result.code == code))) for code, name in STATUS_NAMES.items()
        }


_NO_DAY_LOW: Final = -(1 << 40)
_NO_DAY_HIGH: Final = 1 << 40


def _ordinals(days: Sequence[date | None], missing: int = _NO_DAY_HIGH) -> Ints:
    """Day ordinals, ``missing`` where there is no date (chosen so that it never trips a check)."""
    return np.array([missing if d is None else d.toordinal() for d in days], dtype=np.int64)
