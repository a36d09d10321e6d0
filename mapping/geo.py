"""Distances in a metric projection (geopandas/shapely), from WGS84 inputs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

WGS84 = "EPSG:4326"


def utm_crs(latitude: float, longitude: float) -> str:
    """The WGS 84 / UTM zone of a point (Indonesia: zones 46 to 54, north or south)."""
    zone = min(60, max(1, int((longitude + 180.0) // 6.0) + 1))
    return f"EPSG:{(32600 if latitude >= 0 else 32700) + zone}"


@lru_cache(maxsize=16)
def _to_utm(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Kilometres between two (lat, lon) points, measured in the first one's UTM zone."""
    to = _to_utm(utm_crs(*a))
    x0, y0 = to.transform(a[1], a[0])
    x1, y1 = to.transform(b[1], b[0])
    return float(np.hypot(x1 - x0, y1 - y0) / 1000.0)


class PointSet:
    """Service points owned by items (programmes), for nearest-point distances from one origin.

    The points are projected once per UTM zone asked for (Indonesia spans zones 46 to 54) and the
    projection is kept, so a request measures 10,000 points with a few array operations.
    """

    def __init__(self, owners: Sequence[int], latitudes: Sequence[float], longitudes: Sequence[float], n_items: int):
        order = np.argsort(np.asarray(owners, dtype=np.int64), kind="stable")
        self.owners = np.asarray(owners, dtype=np.int64)[order]
        self.lats = np.asarray(latitudes, dtype=np.float64)[order]
        self.lons = np.asarray(longitudes, dtype=np.float64)[order]
        self.n_items = n_items
        self._projected: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}

    def _in(self, crs: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if crs not in self._projected:
            there = gpd.GeoSeries(gpd.points_from_xy(self.lons, self.lats), crs=WGS84).to_crs(crs)
            self._projected[crs] = (there.x.to_numpy(), there.y.to_numpy())
        return self._projected[crs]

    def nearest_km(self, origin: tuple[float, float]) -> NDArray[np.float64]:
        """Per item, km from ``origin`` (lat, lon) to its nearest point in the origin's UTM zone; NaN if none."""
        out = np.full(self.n_items, np.nan)
        if self.owners.size == 0:
            return out
        crs = utm_crs(*origin)
        x0, y0 = _to_utm(crs).transform(origin[1], origin[0])
        xs, ys = self._in(crs)
        km = np.hypot(xs - x0, ys - y0) / 1000.0
        starts = np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]])
        out[self.owners[starts]] = np.minimum.reduceat(km, starts)
        return out
