"""Vectorised screening: many households against many programmes, as numpy column operations.

Each rule is compiled to array operations over rows (one row per business, or one row for a
household without a business). A criterion gives two masks, ``T`` (passes) and ``P`` (does
not fail, i.e. passes or is unknown), stored as the int8 code ``T + P``: 2 eligible, 1 unknown,
0 ineligible. Three-valued logic is then ``all`` = minimum, ``any`` = maximum, ``not`` =
``2 - code``; a household takes the best code over its rows. Identical criteria shared by
several programmes are computed once per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mapping.matching import HouseholdFacts, ProgramFacts, reach_reasons
from models.eligibility import NEEDS, RULE_FIELDS, FieldType

BoolArray = NDArray[np.bool_]
ELIGIBLE, UNKNOWN, INELIGIBLE = 2, 1, 0
NEED_BITS = {need: 1 << i for i, need in enumerate(NEEDS)}
CHUNK_ROWS = 1 << 16


def choice_codes(field_name: str) -> dict[str, int]:
    return {c: i for i, c in enumerate(RULE_FIELDS[field_name].choices)}


@dataclass
class HouseholdColumns:
    """Households as columns: one entry per row (business), grouped by household in order.

    ``numbers`` hold float64 with NaN for unknown; ``flags`` int8 with -1 unknown; ``choices``
    int16 codes with -1 unknown; ``needs`` a bitmask per row; ``regions`` the integer id of
    each row's province, regency, district and village; ``has_business`` marks real business
    rows (business facts of other rows are a known absence, so criteria on them fail).
    """

    household_ids: NDArray[np.int64]
    row_starts: NDArray[np.int64]
    has_business: BoolArray
    numbers: dict[str, NDArray[np.float64]]
    flags: dict[str, NDArray[np.int8]]
    choices: dict[str, NDArray[np.int16]]
    needs: NDArray[np.int16]
    regions: tuple[NDArray[np.int32], ...]
    region_ids: dict[str, int]
    completed: dict[int, NDArray[np.int64]]

    @property
    def n_rows(self) -> int:
        return int(self.has_business.shape[0])

    @property
    def n_households(self) -> int:
        return int(self.household_ids.shape[0])

    @classmethod
    def from_facts(cls, households: Sequence[HouseholdFacts]) -> HouseholdColumns:
        """Build columns from fact records (used for tests and small batches)."""
        rows: list[tuple[HouseholdFacts, Any]] = []
        starts: list[int] = []
        for h in households:
            starts.append(len(rows))
            if h.businesses:
                rows.extend((h, b) for b in h.businesses)
            else:
                rows.append((h, None))
        n = len(rows)

        def num(values: Iterable[float | int | None]) -> NDArray[np.float64]:
            return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64).reshape(n)

        def flag(values: Iterable[bool | None]) -> NDArray[np.int8]:
            return np.array([-1 if v is None else int(v) for v in values], dtype=np.int8).reshape(n)

        def choice(field_name: str, values: Iterable[str | None]) -> NDArray[np.int16]:
            codes = choice_codes(field_name)
            return np.array([codes.get(v, -1) if v is not None else -1 for v in values], dtype=np.int16).reshape(n)

        numbers = {
            "head.age": num(h.head_age for h, _ in rows),
            "household.years_in_pkh": num(h.years_in_pkh for h, _ in rows),
            "household.dtsen_decile": num(h.dtsen_decile for h, _ in rows),
            "household.school_age_children": num(h.school_age_children for h, _ in rows),
            "business.age_months": num(b.age_months if b else None for _, b in rows),
            "business.monthly_revenue": num(b.monthly_revenue if b else None for _, b in rows),
            "business.workers": num(b.workers if b else None for _, b in rows),
        }
        flags = {
            "household.prse": flag(h.prse for h, _ in rows),
            "household.disability": flag(h.disability for h, _ in rows),
            "household.elderly": flag(h.elderly for h, _ in rows),
            "household.agreed_to_graduate": flag(h.agreed_to_graduate for h, _ in rows),
            "business.has_nib": flag(b.has_nib if b else None for _, b in rows),
            "business.has_pirt": flag(b.has_pirt if b else None for _, b in rows),
            "business.has_halal": flag(b.has_halal if b else None for _, b in rows),
        }
        choices = {
            "head.sex": choice("head.sex", (h.head_sex for h, _ in rows)),
            "household.pkh_status": choice("household.pkh_status", (h.pkh_status for h, _ in rows)),
            "business.sector": choice("business.sector", (b.sector if b else None for _, b in rows)),
        }
        needs = np.array(
            [sum(NEED_BITS.get(x, 0) for x in b.needs) if b else 0 for _, b in rows], dtype=np.int16
        ).reshape(n)
        region_ids: dict[str, int] = {}
        levels: list[list[int]] = [[], [], [], []]
        for h, _ in rows:
            parts = h.village_code.split(".")
            for level in range(4):
                code = ".".join(parts[: level + 1]) if level < len(parts) else ""
                levels[level].append(region_ids.setdefault(code, len(region_ids)))
        completed: dict[int, list[int]] = {}
        for i, h in enumerate(households):
            for pid in h.completed_programs:
                completed.setdefault(pid, []).append(i)
        return cls(
            household_ids=np.array([h.household_id for h in households], dtype=np.int64),
            row_starts=np.array(starts, dtype=np.int64),
            has_business=np.array([b is not None for _, b in rows], dtype=np.bool_).reshape(n),
            numbers=numbers,
            flags=flags,
            choices=choices,
            needs=needs,
            regions=tuple(np.array(level, dtype=np.int32).reshape(n) for level in levels),
            region_ids=region_ids,
            completed={pid: np.array(ix, dtype=np.int64) for pid, ix in completed.items()},
        )

    def slice_households(self, start: int, stop: int) -> HouseholdColumns:
        """The columns of households ``start:stop`` (rows re-based to 0)."""
        r0 = int(self.row_starts[start])
        r1 = int(self.row_starts[stop]) if stop < self.n_households else self.n_rows
        rows = slice(r0, r1)
        return HouseholdColumns(
            household_ids=self.household_ids[start:stop],
            row_starts=self.row_starts[start:stop] - r0,
            has_business=self.has_business[rows],
            numbers={k: v[rows] for k, v in self.numbers.items()},
            flags={k: v[rows] for k, v in self.flags.items()},
            choices={k: v[rows] for k, v in self.choices.items()},
            needs=self.needs[rows],
            regions=tuple(level[rows] for level in self.regions),
            region_ids=self.region_ids,
            completed={pid: ix[(ix >= start) & (ix < stop)] - start for pid, ix in self.completed.items()},
        )


class _Compiler:
    """Evaluates rules over one chunk of rows, caching identical criteria.

    Rows are reordered once per chunk so that every household's first row comes first, in
    household order, followed by the second rows of households with two or more, and so on:
    a household's best code is then a slice plus a few small folds.
    """

    def __init__(self, cols: HouseholdColumns) -> None:
        self.cols = cols
        self.n = cols.n_rows
        self.n_households = cols.n_households
        rows_per = np.diff(np.append(cols.row_starts, cols.n_rows))
        order = [cols.row_starts]
        owners = [np.arange(cols.n_households)]
        self.folds: list[tuple[NDArray[np.int64], slice]] = []
        at = cols.n_households
        for k in range(1, int(rows_per.max(initial=1))):
            households = np.flatnonzero(rows_per > k)
            order.append(cols.row_starts[households] + k)
            owners.append(households)
            self.folds.append((households, slice(at, at + households.size)))
            at += households.size
        self.order = np.concatenate(order)
        self.row_household = np.concatenate(owners)
        self.has_business = cols.has_business[self.order]
        self._columns: dict[str, NDArray[Any]] = {}
        self.cache: dict[str, NDArray[np.int8]] = {}
        self.unknown: dict[str, BoolArray] = {}

    def column(self, name: str) -> NDArray[Any]:
        """A column of the chunk in the compiler's row order."""
        if name not in self._columns:
            c = self.cols
            values: NDArray[Any]
            if name in c.numbers:
                values = c.numbers[name]
            elif name in c.flags:
                values = c.flags[name]
            elif name in c.choices:
                values = c.choices[name]
            elif name == "business.needs":
                values = c.needs
            else:
                values = c.regions[int(name.removeprefix("region."))]
            self._columns[name] = values[self.order]
        return self._columns[name]

    def best(self, code: NDArray[np.int8]) -> NDArray[np.int8]:
        """Each household's best code over its rows."""
        best = code[: self.n_households].copy()
        for households, rows in self.folds:
            best[households] = np.maximum(best[households], code[rows])
        return best

    def _unknown_of(self, name: str) -> BoolArray:
        if name not in self.unknown:
            c = self.cols
            if name in c.numbers:
                mask = np.isnan(self.column(name))
            elif name in c.flags or name in c.choices:
                mask = self.column(name) < 0
            else:
                mask = np.zeros(self.n, dtype=np.bool_)
            if name.startswith("business."):
                mask &= self.has_business
            self.unknown[name] = mask
        return self.unknown[name]

    def within(self, codes: Iterable[str]) -> BoolArray:
        out = np.zeros(self.n, dtype=np.bool_)
        for code in codes:
            rid = self.cols.region_ids.get(code)
            if rid is not None:
                out |= self.column(f"region.{code.count('.')}") == rid
        return out

    def leaf(self, key: str, name: str, op: str, value: Any) -> NDArray[np.int8]:
        hit = self.cache.get(key)
        if hit is None:
            t, p = self._leaf(name, op, value)
            hit = t.view(np.int8) + p.view(np.int8)
            self.cache[key] = hit
        return hit

    def _leaf(self, name: str, op: str, value: Any) -> tuple[BoolArray, BoolArray]:
        """(passes, does not fail) of one criterion."""
        ftype = RULE_FIELDS[name].type
        business_field = name.startswith("business.") and name != "business.exists"
        if name == "business.exists":  # always known: a household has a business or not
            if op == "exists":
                t = np.full(self.n, bool(value), dtype=np.bool_)
            else:
                t = self.has_business if (op == "eq") == bool(value) else ~self.has_business
            return t, t
        unknown = self._unknown_of(name)
        if op == "exists":
            present = (
                ~unknown
                if ftype in (FieldType.number, FieldType.boolean, FieldType.choice)
                else np.ones(self.n, np.bool_)
            )
            if business_field:
                present = present & self.has_business
            t = present if value else ~present
            return t, t
        if ftype is FieldType.number:
            a = self.column(name)
            with np.errstate(invalid="ignore"):
                if op == "eq":
                    t = a == value
                elif op == "ne":
                    t = (a != value) & ~unknown
                elif op == "lt":
                    t = a < value
                elif op == "le":
                    t = a <= value
                elif op == "gt":
                    t = a > value
                elif op == "ge":
                    t = a >= value
                elif op == "between":
                    t = (a >= value[0]) & (a <= value[1])
                elif op == "in":
                    t = np.isin(a, np.asarray(value, dtype=np.float64))
                elif op == "not_in":
                    t = ~np.isin(a, np.asarray(value, dtype=np.float64)) & ~unknown
                else:  # pragma: no cover
                    raise ValueError(op)
        elif ftype is FieldType.boolean:
            f = self.column(name)
            t = f == int(value) if op == "eq" else f == int(not value)
        elif ftype is FieldType.choice:
            codes = choice_codes(name)
            a16 = self.column(name)
            if op in ("eq", "ne"):
                t = a16 == codes.get(value, -2)
                if op == "ne":
                    t = ~t & ~unknown
            else:
                wanted = np.array([codes.get(v, -2) for v in value], dtype=np.int16)
                t = np.isin(a16, wanted)
                if op == "not_in":
                    t = ~t & ~unknown
        elif ftype is FieldType.choice_set:
            t = (self.column(name) & NEED_BITS[value]) != 0
        elif ftype is FieldType.id_set:
            t = np.zeros(self.n, dtype=np.bool_)
            members = self.cols.completed.get(int(value))
            if members is not None and members.size:
                t = np.isin(self.row_household, members)
        elif ftype is FieldType.region:
            t = self.within(value)
        else:  # pragma: no cover
            raise ValueError(ftype)
        if business_field:
            t = t & self.has_business
        return t, t | unknown

    def node(self, node: Prepared) -> NDArray[np.int8]:
        """The code of a prepared rule node per row: ``all`` = minimum, ``any`` = maximum, ``not`` = 2 - code."""
        kind = node[0]
        if kind == "leaf":
            return self.leaf(*node[1])
        if kind == "const":
            return np.full(self.n, node[1], dtype=np.int8)
        if kind == "not":
            return np.int8(ELIGIBLE) - self.node(node[1])
        combine = np.minimum if kind == "all" else np.maximum
        children = node[1]
        code = self.node(children[0]).copy()
        for child in children[1:]:
            combine(code, self.node(child), out=code)
        return code


Prepared = tuple[Any, ...]


def prepare(node: dict[str, Any]) -> Prepared:
    """A rule tree as nested tuples with each criterion's cache key computed once."""
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        return (kind, tuple(prepare(child) for child in node[kind]))
    if "not" in node:
        return ("not", prepare(node["not"]))
    if "const" in node:  # internal only (``mapping.privacy.sensitive_variants``); users' rules are validated
        return ("const", int(node["const"]))
    name, op, value = node["field"], node["op"], node.get("value")
    return ("leaf", (f"{name}|{op}|{value!r}", name, op, value))


def _chunks(cols: HouseholdColumns, chunk_rows: int) -> Iterable[tuple[int, int]]:
    start = 0
    n = cols.n_households
    while start < n:
        target = int(cols.row_starts[start]) + chunk_rows
        stop = int(np.searchsorted(cols.row_starts, target, side="left"))
        stop = max(stop, start + 1)
        yield start, min(stop, n)
        start = stop


def screen(
    cols: HouseholdColumns, programs: Sequence[ProgramFacts], *, today: date, chunk_rows: int = CHUNK_ROWS
) -> NDArray[np.int8]:
    """Status codes (2 eligible, 1 unknown, 0 ineligible) as an array programmes x households."""
    out = np.zeros((len(programs), cols.n_households), dtype=np.int8)
    # Programme-level reach (status, window, validity, capacity) does not depend on the household.
    in_time = [not [r for r in reach_reasons(p, "", today) if r.field != "program.service_area"] for p in programs]
    rules = [prepare(p.eligibility) if p.eligibility else None for p in programs]
    for start, stop in _chunks(cols, chunk_rows):
        chunk = cols.slice_households(start, stop) if (start, stop) != (0, cols.n_households) else cols
        compiler = _Compiler(chunk)
        area_cache: dict[tuple[str, ...], BoolArray] = {}
        for i, program in enumerate(programs):
            if not in_time[i]:
                continue
            area = None
            if program.service_area:
                area = area_cache.get(program.service_area)
                if area is None:
                    area = compiler.within(program.service_area)
                    area_cache[program.service_area] = area
                if not area.any():
                    continue  # serves none of these households: all ineligible
            rule = rules[i]
            code = compiler.node(rule) if rule is not None else np.full(chunk.n_rows, ELIGIBLE, dtype=np.int8)
            if area is not None:
                code = np.where(area, code, np.int8(INELIGIBLE))
            out[i, start:stop] = compiler.best(code)
    return out


def statuses_by_household(
    codes: NDArray[np.int8], program_ids: Sequence[int]
) -> list[tuple[list[int], list[int], list[int]]]:
    """Per household (a column of ``codes``): the programme ids it is eligible for, may be
    eligible for, and is not eligible for."""
    ids = np.asarray(program_ids, dtype=np.int64)
    return [
        (
            ids[codes[:, j] == ELIGIBLE].tolist(),
            ids[codes[:, j] == UNKNOWN].tolist(),
            ids[codes[:, j] == INELIGIBLE].tolist(),
        )
        for j in range(codes.shape[1])
    ]


def status_totals(codes: NDArray[np.int8]) -> tuple[list[int], list[int]]:
    """Per programme (a row of ``codes``): how many households are eligible, and how many may be."""
    return (codes == ELIGIBLE).sum(axis=1).tolist(), (codes == UNKNOWN).sum(axis=1).tolist()
