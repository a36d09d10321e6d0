"""Households on a map: a region's homes as columns, the H3 resolution of their cells, and the
one layer that draws them.

Households reach a map only through ``household_layers``: counts per H3 cell for every viewer
(``mapping.privacy``), exact places only of the families the caller marks as ``entitled``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon

from mapping import privacy
from mapping.analysis import Screened
from mapping.maps import WGS84, Layer, frame, popup

# H3 resolutions of household cells: res 9 cells are about 0.1 km2, res 8 0.7 km2 (a kelurahan
# holds a handful), res 7 5 km2, res 6 36 km2. A map uses the finest at which nine families in
# ten sit in cells of at least five (mapping.privacy.fitting_resolution), and no coarser than
# its region's level allows.
FINEST = 9
COARSEST = {0: 6, 1: 7, 2: 8, 3: 8}

SEQUENTIAL = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
"""Fill colours of a count, low to high (cells and villages)."""
CELL_LINE = "#444"


@dataclass
class Homes:
    """A region's households as columns (the caller decides who may see which one)."""

    ids: NDArray[np.int64]
    villages: list[str]
    facilitators: NDArray[np.int64]  # -1 for none
    lats: NDArray[np.float64]  # NaN when unknown
    lons: NDArray[np.float64]


def homes_of(chunks: Sequence[Screened]) -> Homes:
    """The households of a region's screening, in its order.

    Parameters
    ----------
    chunks
        The region's screening, regency by regency (each read its households' places with it:
        no second pass over the household table).

    Returns
    -------
    Homes
        Ids, villages, facilitators and coordinates (NaN when unknown), chunk after chunk.
    """
    empty = np.zeros(0, dtype=np.float64)
    return Homes(
        ids=np.concatenate([c.household_ids for c in chunks] or [np.zeros(0, dtype=np.int64)]),
        villages=[v for c in chunks for v in c.villages],
        facilitators=np.concatenate([c.facilitators for c in chunks] or [np.zeros(0, dtype=np.int64)]),
        lats=np.concatenate([c.lats if c.lats is not None else empty for c in chunks] or [empty]),
        lons=np.concatenate([c.lons if c.lons is not None else empty for c in chunks] or [empty]),
    )


def resolution_for(homes: Homes, region: str) -> int:
    """The H3 resolution of ``homes``' cells on a map of ``region``.

    Parameters
    ----------
    homes
        The households drawn.
    region
        The region code of the map (its level bounds the coarsest resolution).

    Returns
    -------
    int
        The finest resolution from ``FINEST`` down to the region level's ``COARSEST`` at which
        nine families in ten share a cell with at least four others.
    """
    coarsest = COARSEST[min(3, region.count("."))]
    return privacy.fitting_resolution(homes.lats, homes.lons, finest=FINEST, coarsest=coarsest)


def _cell_rows(
    counts: privacy.CellCounts, name: str, has_figure: bool, t: Callable[[str], str]
) -> tuple[list[dict[str, Any]], list[Polygon]]:
    """One row (properties, style, popup) and one polygon per published cell."""

    def measure(c: privacy.CellCount) -> int | None:
        return c.figures[name] if has_figure else c.households

    top = max((measure(c) or 0 for c in counts.cells), default=0)
    rows: list[dict[str, Any]] = []
    geoms: list[Polygon] = []
    for c in counts.cells:
        value = measure(c)
        lines = [t("map.households_n").format(n=c.households)]
        if has_figure:
            lines.append(t(f"map.figure.{name}").format(n=f"< {privacy.MIN_HOUSEHOLDS}" if value is None else value))
        if c.merged:
            lines.append(t("map.merged_cell"))
        colour = SEQUENTIAL[min(4, int(4 * (value or 0) / top))] if top else SEQUENTIAL[0]
        rows.append(
            {"cell": c.cell, "resolution": c.resolution, "households": c.households}
            | ({name: value} if has_figure else {})
            | {
                "popup": popup(t("map.cell"), lines),
                "color": CELL_LINE,
                "weight": 1,
                "fill_color": colour,
                "fill_opacity": 0.15 if has_figure and not value else 0.55,
                "dash": "4 4" if c.merged else None,
            }
        )
        geoms.append(Polygon(c.boundary()))
    return rows, geoms


def household_layers(
    homes: Homes,
    entitled: NDArray[np.bool_] | None,
    resolution: int,
    t: Callable[[str], str],
    *,
    figure: tuple[str, NDArray[np.bool_]] | None = None,
) -> tuple[list[Layer], list[str]]:
    """The households of a map.

    Parameters
    ----------
    homes
        The region's households.
    entitled
        Per household, whether the viewer may see its exact place (``None``: no one's; no
        points are drawn).
    resolution
        The H3 resolution of the cells (``resolution_for``).
    t
        The translator of the viewer's language.
    figure
        A name and a per-household flag summed per cell (families with unmet demand, say),
        withheld per cell when small; the cells are coloured by it.

    Returns
    -------
    tuple of list of Layer and list of str
        The cell layer (counts per cell for every viewer: cells under ``MIN_HOUSEHOLDS`` merged
        upward or suppressed), the entitled families' places as a marker-cluster layer when there
        are any, and the legend notes.
    """
    name, flags = figure if figure is not None else ("", None)
    counts = privacy.household_cells(
        homes.lats, homes.lons, resolution, {name: flags.astype(np.int64)} if flags is not None else None
    )
    rows, geoms = _cell_rows(counts, name, flags is not None, t)
    key = "unmet_cells" if flags is not None else "household_cells"
    layers = [Layer(key, t(f"map.layer.{key}"), "areas", frame(rows, geoms), simplify=False)]
    notes = [t("map.note.cells").format(k=privacy.MIN_HOUSEHOLDS)]
    unlocated = homes.ids.shape[0] - counts.located
    if counts.suppressed:
        notes.append(t("map.note.suppressed").format(n=counts.suppressed))
    if unlocated and privacy.withhold(unlocated) is not None:
        notes.append(t("map.note.unlocated").format(n=privacy.withhold(unlocated)))
    if entitled is None:
        return layers, notes
    mine = entitled & ~np.isnan(homes.lats) & ~np.isnan(homes.lons)
    if mine.any():
        links = gpd.GeoDataFrame(
            {"link": [f"/kpm/{i}" for i in homes.ids[mine].tolist()]},
            geometry=shapely.points(homes.lons[mine], homes.lats[mine]),
            crs=WGS84,
        )
        layers.append(Layer("own_households", t("map.layer.own_households"), "cluster", links))
    return layers, notes
