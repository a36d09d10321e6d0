"""Where a map draws its villages and service areas: imported boundaries, else H3 patches around
the privacy-safe village centres; and the service points organisations are drawn at."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import h3
from shapely import union_all
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from mapping import privacy
from mapping.layers.homes import Homes
from models.types import code_within


@dataclass(frozen=True)
class ServicePoint:
    """A located service point (an organisation's office, a programme's venue)."""

    id: int
    organization_id: int
    name: str
    region_code: str
    lat: float
    lon: float


@dataclass(frozen=True)
class RecordLinks:
    """Addresses of the public (HSDS) records the popups link to, by record id."""

    organization: Callable[[int], str]
    service: Callable[[int], str]


@dataclass
class Places:
    """Where a region's villages are drawn: imported boundaries, else an H3 patch (the cell of
    the privacy-safe village centre and its neighbours). ``villages`` are the villages the map
    knows: a service area without a boundary is the union of those within it."""

    boundaries: dict[str, BaseGeometry]
    centres: dict[str, tuple[float, float]]
    resolution: int
    villages: frozenset[str] = frozenset()
    _areas: dict[str, BaseGeometry | None] = field(default_factory=dict)
    _patches: dict[str, BaseGeometry | None] = field(default_factory=dict)

    def area(self, code: str) -> BaseGeometry | None:
        """The shape of region ``code``.

        Parameters
        ----------
        code
            A region code of any level.

        Returns
        -------
        BaseGeometry or None
            Its boundary, else the union of its known villages' shapes (remembered: a
            province's programmes share a handful of service-area codes); None without either.
        """
        if code in self.boundaries:
            return self.boundaries[code]
        if code not in self._areas:
            parts = [self._village(v) for v in self.villages if code_within(v, code)]
            shapes = [p for p in parts if p is not None]
            self._areas[code] = union_all(shapes) if shapes else None
        return self._areas[code]

    def union(self, codes: Iterable[str]) -> BaseGeometry | None:
        """The union of the shapes of ``codes`` that have one (None when none has)."""
        shapes = [a for c in codes if (a := self.area(c)) is not None]
        return union_all(shapes) if shapes else None

    def _village(self, code: str) -> BaseGeometry | None:
        if code not in self._patches:
            found: BaseGeometry | None = self.boundaries.get(code)
            centre = self.centres.get(code)
            if found is None and centre is not None:
                cells = h3.grid_disk(h3.latlng_to_cell(centre[0], centre[1], self.resolution), 1)
                found = shape(h3.cells_to_h3shape(cells).__geo_interface__)
            self._patches[code] = found
        return self._patches[code]

    def centre(self, code: str) -> tuple[float, float] | None:
        """(lat, lon) to draw ``code`` at: its boundary's representative point or its centre."""
        if code in self.boundaries:
            p = self.boundaries[code].representative_point()
            return round(p.y, privacy.CENTRE_DECIMALS), round(p.x, privacy.CENTRE_DECIMALS)
        return self.centres.get(code)


def village_places(
    boundaries: Mapping[str, BaseGeometry],
    villages: frozenset[str],
    homes: Homes,
    points: Sequence[ServicePoint],
    resolution: int,
) -> Places:
    """The places of a map's villages.

    Parameters
    ----------
    boundaries
        The imported outlines of (some of) the villages and regions, in WGS84.
    villages
        The villages the map knows (the households' own among them).
    homes
        The region's households (a village without a boundary sits at the mean of at least
        ``MIN_HOUSEHOLDS`` of them, ``mapping.privacy.village_centres``).
    points
        Public service points: a village with too few located families sits at theirs.
    resolution
        The H3 resolution of the patches drawn for villages without a boundary.

    Returns
    -------
    Places
    """
    public: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for p in points:
        public[p.region_code].append((p.lat, p.lon))
    centres = privacy.village_centres(homes.villages, homes.lats, homes.lons, public)
    return Places(dict(boundaries), centres, resolution, villages)
