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

Everything that puts households on a map, into a count or into an export goes through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import h3.api.numpy_int as h3i
import numpy as np
from numpy.typing import NDArray

MIN_HOUSEHOLDS = 5
MERGE_LEVELS = 2
CENTRE_DECIMALS = 3  # about 110 m of latitude
MAX_CELLS = 3000  # cells on one map: about 1 MB of HTML before compression

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def withhold(value: int, *, exact: bool = False) -> int | None:
    """A count as it may be shown: 0, or at least ``MIN_HOUSEHOLDS``; else withheld (``None``).
    ``exact``: the reader may see the families themselves (admins, their own facilitator)."""
    return value if exact or value == 0 or value >= MIN_HOUSEHOLDS else None


def shown(exact: bool) -> Callable[[int], str]:
    """How a count is written in a sentence: exactly, or ``"< 5"`` when withheld."""
    return lambda n: str(n) if withhold(n, exact=exact) is not None else f"< {MIN_HOUSEHOLDS}"


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
        return total
    return None


def withhold_complementary(counts: Mapping[str, int], *, exact: bool = False) -> dict[str, int | None]:
    """Counts that add up to a published total, with those of 1 to ``MIN_HOUSEHOLDS - 1``
    withheld and, when only one is, the next smallest as well, so none can be derived."""
    if exact:
        return dict(counts)
    small = [k for k, v in counts.items() if 0 < v < MIN_HOUSEHOLDS]
    if len(small) == 1:
        others = sorted((v, k) for k, v in counts.items() if k not in small and v > 0)
        if others:
            small.append(others[0][1])
    return {k: (None if k in small else v) for k, v in counts.items()}


@dataclass(frozen=True)
class CellCount:
    """One published H3 cell: its households and its other figures (withheld when small)."""

    cell: str  # H3 index, hexadecimal
    resolution: int
    households: int
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
                    int(counts[j]),
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
