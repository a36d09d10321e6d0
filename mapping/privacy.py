"""The one rule for households on maps (UU PDP, Law 27/2022): outside the family's own
facilitator and administrators, households exist only as counts per area.

* A household point is never drawn, jittered or otherwise, for anyone else.
* Counts are per H3 cell. A cell holding fewer than ``MIN_HOUSEHOLDS`` households is merged
  into its parent cell (up to ``MERGE_LEVELS`` coarser resolutions); what is still too small is
  suppressed and only its total is reported, and only when that total is itself safe.
* A figure inside a cell (families with unmet demand, say) below ``MIN_HOUSEHOLDS`` but above 0
  is withheld (``None``), as everywhere else in Jejaring.
* The same rule holds for every count Jejaring publishes (demand, previews, gaps, suggestions,
  plans, dashboards and exports): ``withhold`` below ``MIN_HOUSEHOLDS`` for everyone who may not
  see the families themselves, ``safe_total`` and ``withhold_complementary`` so that no withheld
  count can be recovered by subtraction.
* A village drawn without a boundary sits at the mean of at least ``MIN_HOUSEHOLDS`` of its
  households (or of its public service points), rounded to about 100 m: never at one family.
* Small counts and differencing: every count published to someone who may not see the families
  is, after withholding, rounded to the nearest multiple of ``ROUND_TO`` (``publish``), so the
  difference of any two published counts (a village and its cells, a parent cell and its
  children, two overlapping areas, a rule and the same rule widened) is a multiple of
  ``ROUND_TO`` too and never names one to four families. Counts that rest on a sensitive field
  (``SENSITIVE_FIELDS``: disability, elderly, PRSE, DTSEN decile, revenue) need groups of
  ``SENSITIVE_MIN_GROUP``: ``sensitive_influence`` measures, for each sensitive condition of a
  rule, how many households its value decides, whatever the rule's shape.

Everything that puts households on a map, into a count or into an export goes through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import h3.api.numpy_int as h3i
import numpy as np
from numpy.typing import NDArray

MIN_HOUSEHOLDS = 5
ROUND_TO = 5  # published counts are multiples of this (after withholding)
SENSITIVE_MIN_GROUP = 10  # households a sensitive condition must decide, and a count resting on one show
MIN_AREA_HOUSEHOLDS = 20  # an area (a preview's service area) smaller than this shows no counts
# Fields of the eligibility rules whose values are specific personal data (UU PDP 27/2022 art. 4):
# health (disability, the elderly), the poverty ranking (PRSE, DTSEN decile) and income.
SENSITIVE_FIELDS = frozenset(
    {
        "household.disability",
        "household.elderly",
        "household.prse",
        "household.dtsen_decile",
        "business.monthly_revenue",
    }
)
MERGE_LEVELS = 2
CENTRE_DECIMALS = 3  # about 110 m of latitude
MAX_CELLS = 3000  # cells on one map: about 1 MB of HTML before compression

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def rounded(value: int) -> int:
    """``value`` to the nearest multiple of ``ROUND_TO`` (halves up)."""
    return ((value + ROUND_TO // 2) // ROUND_TO) * ROUND_TO


def withhold(value: int, *, exact: bool = False, minimum: int = MIN_HOUSEHOLDS) -> int | None:
    """A count as it may be shown: 0, or at least ``minimum`` (``MIN_HOUSEHOLDS``) and then
    rounded to a multiple of ``ROUND_TO``; else withheld (``None``). ``exact``: the reader may see
    the families themselves (admins, their own facilitator), who get the count as it is."""
    if exact or value == 0:
        return value
    if value < minimum:
        return None
    return rounded(value)  # at least ROUND_TO: value >= minimum >= MIN_HOUSEHOLDS


publish = withhold  # the name the module's docstring uses for the rule


def shown(exact: bool) -> Callable[[int], str]:
    """How a count is written in a sentence: as published (exact, or rounded), or ``"< 5"``."""

    def text(n: int) -> str:
        value = withhold(n, exact=exact)
        return f"< {MIN_HOUSEHOLDS}" if value is None else str(value)

    return text


def safe_total(parts: Sequence[int], *, exact: bool) -> int | None:
    """A total over rows some of which are withheld, published only when it does not give the
    withheld rows away by subtraction: their sum must be 0, or at least ``MIN_HOUSEHOLDS`` and
    neither all ones nor all fours (``k`` rows of 1 to 4 summing to ``k`` or ``4k`` are each
    known)."""
    total = sum(parts)
    if exact:
        return total
    hidden = [n for n in parts if withhold(n) is None]
    k, rest = len(hidden), sum(hidden)
    if k == 0 or (rest >= MIN_HOUSEHOLDS and k < rest < 4 * k):
        return withhold(total)
    return None


def withhold_complementary(
    counts: Mapping[str, int], *, exact: bool = False, minimum: int = MIN_HOUSEHOLDS
) -> dict[str, int | None]:
    """Counts that add up to a published total, with those of 1 to ``minimum - 1`` withheld and,
    when only one is, the next smallest as well, so none can be derived; the rest rounded."""
    if exact:
        return dict(counts)
    small = [k for k, v in counts.items() if 0 < v < minimum]
    if len(small) == 1:
        others = sorted((v, k) for k, v in counts.items() if k not in small and v > 0)
        if others:
            small.append(others[0][1])
    return {k: (None if k in small else withhold(v, minimum=minimum)) for k, v in counts.items()}


@dataclass(frozen=True)
class CellCount:
    """One published H3 cell: its households and its other figures (withheld when small)."""

    cell: str  # H3 index, hexadecimal
    resolution: int
    households: int  # rounded to a multiple of ``ROUND_TO`` (at least ``MIN_HOUSEHOLDS`` were there)
    figures: dict[str, int | None] = field(default_factory=dict)
    merged: bool = False  # a parent cell holding the remainder of its too-small children

    def boundary(self) -> list[tuple[float, float]]:
        """The cell's outline as (longitude, latitude) pairs, closed."""
        ring = [(lng, lat) for lat, lng in h3i.cell_to_boundary(int(self.cell, 16))]
        return [*ring, ring[0]]


@dataclass(frozen=True)
class CellCounts:
    cells: list[CellCount]
    suppressed: int | None  # households in cells still too small after merging (None: withheld)
    located: int  # households with a known place


def cells_of(lats: Floats, lons: Floats, resolution: int) -> Ints:
    """The H3 cell (as int64) of each point."""
    return np.fromiter(
        (h3i.latlng_to_cell(a, b, resolution) for a, b in zip(lats.tolist(), lons.tolist(), strict=True)),
        dtype=np.int64,  # H3 indexes leave the top bit clear
        count=len(lats),
    )


def household_cells(
    lats: Floats,
    lons: Floats,
    resolution: int,
    figures: Mapping[str, Sequence[int] | NDArray[np.int64] | NDArray[np.bool_]] | None = None,
) -> CellCounts:
    """Households counted per H3 cell at ``resolution``, small cells merged upward, the rest
    suppressed. ``figures`` are per-household counts (0/1 flags, say) summed per cell.
    Households without coordinates (NaN) are left out."""
    lats = np.asarray(lats, dtype=np.float64)
    lons = np.asarray(lons, dtype=np.float64)
    known = ~(np.isnan(lats) | np.isnan(lons))
    values = {k: np.asarray(v, dtype=np.int64)[known] for k, v in (figures or {}).items()}
    cells = cells_of(lats[known], lons[known], resolution)
    out: list[CellCount] = []
    res = resolution
    pending = np.ones(cells.shape[0], dtype=bool)
    for level in range(MERGE_LEVELS + 1):
        if not pending.any():
            break
        uniq, inverse, counts = np.unique(cells[pending], return_inverse=True, return_counts=True)
        sums = {k: np.bincount(inverse, weights=v[pending], minlength=uniq.shape[0]) for k, v in values.items()}
        big = counts >= MIN_HOUSEHOLDS
        for j in np.flatnonzero(big):
            out.append(
                CellCount(
                    format(int(uniq[j]), "x"),
                    res,
                    rounded(int(counts[j])),
                    {k: withhold(int(s[j])) for k, s in sums.items()},
                    merged=level > 0,
                )
            )
        idx = np.flatnonzero(pending)
        done = big[inverse]
        pending[idx[done]] = False
        if level == MERGE_LEVELS or res == 0:
            break
        res -= 1
        small = np.flatnonzero(pending)
        uniq_small, back = np.unique(cells[small], return_inverse=True)
        parents = np.array([h3i.cell_to_parent(int(c), res) for c in uniq_small.tolist()], dtype=np.int64)
        cells[small] = parents[back]
    left = int(pending.sum())
    return CellCounts(out, withhold(left), int(known.sum()))


def fitting_resolution(
    lats: Floats, lons: Floats, *, finest: int, coarsest: int, share: float = 0.9, max_cells: int = MAX_CELLS
) -> int:
    """The finest H3 resolution, from ``finest`` down to ``coarsest``, at which at least
    ``share`` of the located households sit in cells of ``MIN_HOUSEHOLDS`` or more and there are
    at most ``max_cells`` cells: dense villages get small cells, sparse districts larger ones."""
    lats = np.asarray(lats, dtype=np.float64)
    lons = np.asarray(lons, dtype=np.float64)
    known = ~(np.isnan(lats) | np.isnan(lons))
    if not known.any():
        return coarsest
    uniq, inverse = np.unique(cells_of(lats[known], lons[known], finest), return_inverse=True)
    for res in range(finest, coarsest, -1):
        if res == finest:
            labels = inverse
        else:
            parents = np.array([h3i.cell_to_parent(int(c), res) for c in uniq.tolist()], dtype=np.int64)
            labels = np.unique(parents, return_inverse=True)[1][inverse]
        counts = np.bincount(labels)
        if counts.shape[0] <= max_cells and (counts[labels] >= MIN_HOUSEHOLDS).mean() >= share:
            return res
    return coarsest


def village_centres(
    villages: Sequence[str],
    lats: Floats,
    lons: Floats,
    public_points: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> dict[str, tuple[float, float]]:
    """Where to draw each village without a boundary: the mean of its located households when
    it has at least ``MIN_HOUSEHOLDS`` of them, else the mean of its public service points,
    rounded to ``CENTRE_DECIMALS``; villages with neither are left out."""
    lats = np.asarray(lats, dtype=np.float64)
    lons = np.asarray(lons, dtype=np.float64)
    known = ~(np.isnan(lats) | np.isnan(lons))
    out: dict[str, tuple[float, float]] = {}
    if known.any():
        codes = np.asarray(villages, dtype=object)[known]
        uniq, inverse, counts = np.unique(codes.astype(str), return_inverse=True, return_counts=True)
        lat_sum = np.bincount(inverse, weights=lats[known])
        lon_sum = np.bincount(inverse, weights=lons[known])
        for j in np.flatnonzero(counts >= MIN_HOUSEHOLDS):
            out[str(uniq[j])] = (
                round(float(lat_sum[j] / counts[j]), CENTRE_DECIMALS),
                round(float(lon_sum[j] / counts[j]), CENTRE_DECIMALS),
            )
    for code, points in (public_points or {}).items():
        if code not in out and points:
            out[code] = (
                round(sum(p[0] for p in points) / len(points), CENTRE_DECIMALS),
                round(sum(p[1] for p in points) / len(points), CENTRE_DECIMALS),
            )
    return out


# --- rules that touch sensitive fields ---------------------------------------------------------

Path = tuple[Any, ...]


def sensitive_paths(tree: Mapping[str, Any] | None) -> list[Path]:
    """The paths (keys and indexes) of the criteria of a rule tree on a ``SENSITIVE_FIELDS`` field."""
    out: list[Path] = []

    def walk(node: Any, path: Path) -> None:
        if not isinstance(node, Mapping):
            return
        for kind in ("all", "any"):
            if kind in node:
                for i, child in enumerate(node[kind]):
                    walk(child, (*path, kind, i))
                return
        if "not" in node:
            walk(node["not"], (*path, "not"))
        elif node.get("field") in SENSITIVE_FIELDS:
            out.append(path)

    walk(tree, ())
    return out


def _replaced(node: Any, path: Path, codes: Mapping[Path, int], here: Path = ()) -> Any:
    if here in codes:
        return {"const": codes[here]}
    if not isinstance(node, Mapping):
        return node
    for kind in ("all", "any"):
        if kind in node:
            return {kind: [_replaced(c, path, codes, (*here, kind, i)) for i, c in enumerate(node[kind])]}
    if "not" in node:
        return {"not": _replaced(node["not"], path, codes, (*here, "not"))}
    return dict(node)


def sensitive_variants(tree: Mapping[str, Any] | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """For each sensitive criterion of ``tree``: the tree with it forced true and forced false (every
    other sensitive criterion forced unknown), in the screening's three-valued codes (2, 0, 1).

    The households whose status differs between the two are those the criterion's value decides
    (``decided``). Measured so, on the rule's meaning and not its shape, padding a large group with
    ``OR (few AND disabled)`` or spreading it over branches (``(A OR few) AND (A OR disabled)``)
    both show a handful of decided households; and no sensitive value is read to decide whether
    counts are shown, so the refusal itself tells nothing about anyone's disability or income.
    """
    paths = sensitive_paths(tree)
    out = []
    for path in paths:
        others = {p: 1 for p in paths if p != path}
        out.append((_replaced(tree, path, {**others, path: 2}), _replaced(tree, path, {**others, path: 0})))
    return out


def decided(forced_true: NDArray[np.int8], forced_false: NDArray[np.int8]) -> int:
    """Households whose status differs between a rule's two ``sensitive_variants``."""
    return int((np.asarray(forced_true) != np.asarray(forced_false)).sum())


def sensitive_groups_safe(decided_counts: Sequence[int]) -> bool:
    """Whether counts resting on sensitive criteria may be shown: each criterion decides no one
    (the count does not depend on it) or at least ``SENSITIVE_MIN_GROUP`` households."""
    return all(n == 0 or n >= SENSITIVE_MIN_GROUP for n in decided_counts)
