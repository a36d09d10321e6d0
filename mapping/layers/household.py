"""One family's map: its place, the nearest service point of each of its eligible, possible and
near-miss programmes, and the distances."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from mapping.geo import km_between
from mapping.layers.places import ServicePoint
from mapping.maps import Layer, LegendEntry, MapDoc, frame, popup

HOUSEHOLD_MAP_PROGRAMS = 12  # eligible, possible and near-miss programmes drawn on a family's map
HOUSEHOLD_COLOUR = "#7b3294"
STATUS_COLOURS = {"eligible": "#1a9641", "unknown": "#fdae61", "ineligible": "#d7191c"}

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Family:
    """The family a household map is drawn for."""

    id: int
    head_name: str
    lat: float | None = None
    lon: float | None = None

    @property
    def place(self) -> tuple[float, float] | None:
        """(lat, lon), when known."""
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


@dataclass(frozen=True)
class MatchedProgram:
    """One of the family's ranked programmes."""

    program_id: int
    program_name: str
    organization_name: str
    status: str  # eligible, unknown or ineligible


def _family_layer(family: Family, t: Translate) -> Layer:
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    if family.place is not None:
        lat, lon = family.place
        rows.append(
            {
                "household_id": family.id,
                "color": "#fff",
                "fill_color": HOUSEHOLD_COLOUR,
                "fill_opacity": 1.0,
                "radius": 9,
                "weight": 3,
                "popup": popup(family.head_name, [t("map.family_place")], (t("map.open_family"), f"/kpm/{family.id}")),
            }
        )
        geoms.append(Point(lon, lat))
    return Layer("household", t("map.layer.household"), "points", frame(rows, geoms))


def _program_layers(
    family: Family,
    programs: Sequence[MatchedProgram],
    points: Mapping[int, Sequence[ServicePoint]],
    t: Translate,
) -> tuple[Layer, Layer]:
    origin = family.place
    point_rows: list[dict[str, Any]] = []
    point_geoms: list[BaseGeometry] = []
    line_rows: list[dict[str, Any]] = []
    line_geoms: list[BaseGeometry] = []
    for m in programs:
        candidates = points.get(m.program_id, [])
        if not candidates:
            continue
        nearest = min(candidates, key=lambda p: km_between(origin, (p.lat, p.lon))) if origin else candidates[0]
        km = km_between(origin, (nearest.lat, nearest.lon)) if origin else None
        lines = [m.organization_name, nearest.name, t(f"map.status.{m.status}")]
        if km is not None:
            lines.append(t("map.distance").format(km=f"{km:.1f}"))
        refer = (t("map.refer"), f"/kpm/{family.id}#program-{m.program_id}")
        point_rows.append(
            {
                "program_id": m.program_id,
                "name": m.program_name,
                "status": m.status,
                "distance_km": None if km is None else round(km, 2),
                "radius": 8,
                "color": "#fff",
                "fill_color": STATUS_COLOURS[m.status],
                "fill_opacity": 0.95,
                "weight": 2,
                "popup": popup(m.program_name, lines, refer),
            }
        )
        point_geoms.append(Point(nearest.lon, nearest.lat))
        if origin is not None and km is not None:
            line_rows.append(
                {
                    "program_id": m.program_id,
                    "distance_km": round(km, 2),
                    "status": m.status,
                    "color": STATUS_COLOURS[m.status],
                    "weight": 2,
                    "opacity": 0.8,
                    "dash": "2 6" if m.status == "ineligible" else None,
                    "popup": popup(m.program_name, [t("map.distance").format(km=f"{km:.1f}")], refer),
                }
            )
            line_geoms.append(LineString([(origin[1], origin[0]), (nearest.lon, nearest.lat)]))
    return (
        Layer("program_locations", t("map.layer.program_locations"), "points", frame(point_rows, point_geoms)),
        Layer("distances", t("map.layer.distances"), "lines", frame(line_rows, line_geoms)),
    )


def household_doc(
    family: Family,
    programs: Sequence[MatchedProgram],
    points: Mapping[int, Sequence[ServicePoint]],
    t: Translate,
    lang: str,
) -> MapDoc:
    """A family's map.

    Parameters
    ----------
    family
        The family (its place, when known).
    programs
        Its ranked programmes (at most ``HOUSEHOLD_MAP_PROGRAMS`` are worth drawing).
    points
        The located service points of each programme; a programme without one is left out.
    t, lang
        The translator and the language of the viewer.

    Returns
    -------
    MapDoc
        The family's place, each programme's nearest service point (the first without a place)
        coloured by status, and the distances as lines.
    """
    places, distances = _program_layers(family, programs, points, t)
    layers = [_family_layer(family, t), places, distances]
    legend = [LegendEntry(t("map.layer.household"), HOUSEHOLD_COLOUR)] + [
        LegendEntry(t(f"map.status.{s}"), c) for s, c in STATUS_COLOURS.items()
    ]
    notes = [] if family.place is not None else [t("map.note.no_place")]
    title = t("map.title.household").format(name=family.head_name)
    return MapDoc(title, layers, legend, notes, lang, t("map.open_family"))
