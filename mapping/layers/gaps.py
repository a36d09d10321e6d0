"""The gap map's layers: families with a business whose stated need no reachable programme
meets, per H3 cell (and per village on imported boundaries), over the service areas of the
programmes meeting that need."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from mapping import analysis as an
from mapping import privacy
from mapping.labels import value_label
from mapping.layers.homes import CELL_LINE, SEQUENTIAL, Homes, household_layers
from mapping.layers.places import Places, RecordLinks
from mapping.maps import Layer, LegendEntry, MapDoc, frame, popup
from mapping.screening import NEED_BITS

COVERAGE_COLOUR = "#2b8cbe"

Translate = Callable[[str], str]


@dataclass(frozen=True)
class GapRecords:
    """What a gap map is drawn from."""

    region_name: str
    homes: Homes
    unmet: NDArray[np.bool_]  # per household of ``homes``: a need no reachable programme meets
    resolution: int
    places: Places
    village_names: Mapping[str, str]  # of the villages with a boundary
    meeting: Sequence[int]  # the programmes meeting the need, sorted
    service_areas: Mapping[int, Sequence[str]]  # region codes per programme meeting it
    program_names: Mapping[int, str]
    need: str | None = None
    sector: str | None = None


def unmet_households(chunks: Sequence[an.Screened], *, need: str | None, sector: str | None) -> NDArray[np.bool_]:
    """Per household of the chunks, in their order: a business (of ``sector``) stating ``need``
    (or any need) that no programme it may be eligible for meets (``analysis.unmet_households``)."""
    flags = [an.unmet_households(chunk, need=need, sector=sector) for chunk in chunks]
    return np.concatenate(flags) if flags else np.zeros(0, dtype=bool)


def programs_meeting(chunks: Sequence[an.Screened], need: str | None) -> list[int]:
    """The screened programmes whose kind meets ``need`` (any need when None), sorted by id."""
    meeting: set[int] = set()
    for chunk in chunks:
        bits = an.program_need_bits(chunk.programs)
        for p, b in zip(chunk.programs, bits.tolist(), strict=True):
            if need is None or b & NEED_BITS[need]:
                meeting.add(p.program_id)
    return sorted(meeting)


def village_layer(r: GapRecords, t: Translate) -> Layer:
    """Unmet families per village drawn on an imported boundary (villages of fewer than
    ``MIN_HOUSEHOLDS`` families left out, small counts withheld)."""
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    codes = np.array(r.homes.villages, dtype=object)
    for code in sorted(frozenset(r.homes.villages)):
        if code not in r.places.boundaries:
            continue
        here = codes == code
        n = privacy.withhold(int(r.unmet[here].sum()))
        if int(here.sum()) < privacy.MIN_HOUSEHOLDS:
            continue
        total = privacy.withhold(int(here.sum()))  # rounded, as every published count
        rows.append(
            {
                "village_code": code,
                "households": total,
                "unmet": n,
                "color": CELL_LINE,
                "weight": 1,
                "fill_color": SEQUENTIAL[min(4, int(4 * (n or 0) / max(1, total or 1)))],
                "fill_opacity": 0.5,
                "popup": popup(
                    f"{r.village_names.get(code, code)} ({code})",
                    [
                        t("map.households_n").format(n=total),
                        t("map.figure.unmet").format(n=f"< {privacy.MIN_HOUSEHOLDS}" if n is None else n),
                    ],
                ),
            }
        )
        geoms.append(r.places.boundaries[code])
    return Layer("unmet_villages", t("map.layer.unmet_villages"), "areas", frame(rows, geoms))


def coverage_layer(r: GapRecords, t: Translate, links: RecordLinks) -> Layer:
    """The service areas of the programmes meeting the need."""
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    for pid in r.meeting:
        area = r.places.union(r.service_areas.get(pid, []))
        if area is None:
            continue
        name = r.program_names.get(pid, str(pid))
        rows.append(
            {
                "program_id": pid,
                "name": name,
                "color": COVERAGE_COLOUR,
                "fill_color": COVERAGE_COLOUR,
                "fill_opacity": 0.06,
                "weight": 1,
                "dash": "6 4",
                "popup": popup(name, [t("map.service_area")], (t("map.record"), links.service(pid))),
            }
        )
        geoms.append(area)
    return Layer("coverage", t("map.layer.coverage"), "areas", frame(rows, geoms))


def gap_doc(r: GapRecords, t: Translate, lang: str, links: RecordLinks) -> MapDoc:
    """The gap map of a region.

    Parameters
    ----------
    r
        The region's records.
    t, lang
        The translator and the language of the viewer.
    links
        Addresses of the programmes' public records.

    Returns
    -------
    MapDoc
        The coverage, the unmet families per village (on imported boundaries) and per H3 cell
        (never as points), with the legend; opening on the families.
    """
    layers, notes = household_layers(r.homes, None, r.resolution, t, figure=("unmet", r.unmet))
    if r.places.boundaries:
        layers.insert(0, village_layer(r, t))
    # under the families' cells, so that a cell's popup opens where both overlap
    layers.insert(0, coverage_layer(r, t, links))
    legend = [
        LegendEntry(t("map.legend.unmet_low"), SEQUENTIAL[0], "area"),
        LegendEntry(t("map.legend.unmet_high"), SEQUENTIAL[4], "area"),
        LegendEntry(t("map.layer.coverage"), COVERAGE_COLOUR, "dash"),
    ]
    what = value_label(r.need, lang) if r.need else t("map.any_need")
    if r.sector:
        what += " · " + value_label(r.sector, lang)
    doc = MapDoc(t("map.title.gaps").format(region=r.region_name, need=what), layers, legend, notes, lang)
    doc.focus = doc.bounds({"unmet_cells", "unmet_villages"})
    return doc
