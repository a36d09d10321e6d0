"""The three maps, built from the database as layers (``mapping.maps.MapDoc``):

* stakeholder map (organisers, facilitators, agencies, admins): organisations at their service
  points (icon by kind, colour by network community, size by betweenness), programmes' service
  areas, facilitators' areas, referral flows and suggested links;
* household map (the family's own facilitator and admins): the family, its eligible and
  near-miss programmes' nearest service points, with distances;
* gap map (organisers, agencies, admins, facilitators): families with unmet demand per area,
  filterable by need and sector, with the coverage of programmes meeting that need.

Households reach a map only through ``household_layers``: counts per H3 cell for everyone
(``mapping.privacy``), points only for the viewer's own families (admins: all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import union_all
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, select

from mapping import analysis as an
from mapping import privacy
from mapping.geo import km_between
from mapping.labels import value_label
from mapping.maps import WGS84, Layer, LegendEntry, MapDoc, frame, popup, radius_for
from mapping.network import node_id
from mapping.screening import NEED_BITS
from models.eligibility import NEEDS, SECTORS
from models.households import Household
from models.organizations import Location, Program, ProgramLocation, ProgramServiceArea
from models.types import code_within
from models.users import Role
from service import network as advice
from service.boundaries import load_boundaries
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope, require_region_in_reach
from service.errors import InvalidInput, NotFound
from service.hsds import organization_uuid, service_uuid
from service.i18n import translator
from service.matching import find_matches
from service.network import RegionNetwork, load_network, screen_chunks

# H3 resolutions of household cells: res 9 cells are about 0.1 km2, res 8 0.7 km2 (a kelurahan
# holds a handful), res 7 5 km2, res 6 36 km2. A map uses the finest at which nine families in
# ten sit in cells of at least five (mapping.privacy.fitting_resolution), and no coarser than
# its region's level allows.
FINEST = 9
COARSEST = {0: 6, 1: 7, 2: 8, 3: 8}
HOUSEHOLD_MAP_PROGRAMS = 12  # eligible, possible and near-miss programmes drawn on a family's map
SUGGESTIONS_PER_FACILITATOR = 3

COMMUNITY_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
)
NO_COMMUNITY = "#888888"
KIND_SHAPES = {  # organisation kind -> (letter, shape)
    "government_agency": ("D", "square"),
    "ministry_programme": ("K", "square"),
    "csr_company": ("C", "diamond"),
    "ngo": ("L", "circle"),
    "financial_institution": ("B", "diamond"),
    "cooperative": ("Ko", "circle"),
    "training_centre": ("P", "circle"),
    "marketplace": ("M", "circle"),
    "community_group": ("Kl", "circle"),
}
OUTCOME_COLOURS = {"completed": "#1a9641", "open": "#2c7bb6", "closed": "#d7191c"}
OUTCOME_OF = {
    "sent": "open",
    "accepted": "open",
    "enrolled": "open",
    "completed": "completed",
    "declined": "closed",
    "dropped": "closed",
    "withdrawn": "closed",
}
STATUS_COLOURS = {"eligible": "#1a9641", "unknown": "#fdae61", "ineligible": "#d7191c"}
HOUSEHOLD_COLOUR = "#7b3294"
SEQUENTIAL = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")


def _level(code: str) -> int:
    return code.count(".")


def resolution_for(homes: Homes, region: str) -> int:
    """The H3 resolution of ``homes``' cells on a map of ``region``."""
    return privacy.fitting_resolution(homes.lats, homes.lons, finest=FINEST, coarsest=COARSEST[min(3, _level(region))])


# --- households: the one gate ----------------------------------------------------------------


@dataclass
class Homes:
    """A region's households as columns (coordinates stay inside the service)."""

    ids: NDArray[np.int64]
    villages: list[str]
    facilitators: NDArray[np.int64]  # -1 for none
    lats: NDArray[np.float64]  # NaN when unknown
    lons: NDArray[np.float64]

    def entitled(self, scope: Scope) -> NDArray[np.bool_]:
        """Whose exact place ``scope`` may see: every family for admins, a facilitator's own
        caseload for the facilitator, no one for anyone else."""
        if scope.is_admin:
            return np.ones(self.ids.shape[0], dtype=bool)
        if scope.facilitator_id is not None:
            return self.facilitators == scope.facilitator_id
        return np.zeros(self.ids.shape[0], dtype=bool)


def homes_of(chunks: Sequence[an.Screened]) -> Homes:
    """The households of a region's screening, in its order (the screening read their places
    with them: no second pass over the household table)."""
    empty = np.zeros(0, dtype=np.float64)
    return Homes(
        ids=np.concatenate([c.household_ids for c in chunks] or [np.zeros(0, dtype=np.int64)]),
        villages=[v for c in chunks for v in c.villages],
        facilitators=np.concatenate([c.facilitators for c in chunks] or [np.zeros(0, dtype=np.int64)]),
        lats=np.concatenate([c.lats if c.lats is not None else empty for c in chunks] or [empty]),
        lons=np.concatenate([c.lons if c.lons is not None else empty for c in chunks] or [empty]),
    )


def household_layers(
    scope: Scope,
    homes: Homes,
    resolution: int,
    t: Any,
    *,
    figure: tuple[str, NDArray[np.bool_]] | None = None,
    points: bool = True,
) -> tuple[list[Layer], list[str]]:
    """The households of a map: counts per H3 cell for every viewer (cells under 5 merged
    upward or suppressed, ``figure`` summed per cell and withheld when small), and the exact
    places only of the families ``homes.entitled(scope)`` (as marker clusters). Returns the
    layers and the legend notes."""
    name, flags = figure if figure is not None else ("", None)
    counts = privacy.household_cells(
        homes.lats, homes.lons, resolution, {name: flags.astype(np.int64)} if flags is not None else None
    )
    measure = (lambda c: c.figures[name]) if flags is not None else (lambda c: c.households)
    top = max((measure(c) or 0 for c in counts.cells), default=0)
    rows, geoms = [], []
    for c in counts.cells:
        value = measure(c)
        lines = [t("map.households_n").format(n=c.households)]
        if flags is not None:
            lines.append(t(f"map.figure.{name}").format(n="< 5" if value is None else value))
        if c.merged:
            lines.append(t("map.merged_cell"))
        colour = SEQUENTIAL[min(4, int(4 * (value or 0) / top))] if top else SEQUENTIAL[0]
        rows.append(
            {"cell": c.cell, "resolution": c.resolution, "households": c.households}
            | ({name: value} if flags is not None else {})
            | {
                "popup": popup(t("map.cell"), lines),
                "color": "#444",
                "weight": 1,
                "fill_color": colour,
                "fill_opacity": 0.15 if flags is not None and not value else 0.55,
                "dash": "4 4" if c.merged else None,
            }
        )
        geoms.append(Polygon(c.boundary()))
    key = "unmet_cells" if flags is not None else "household_cells"
    layers = [Layer(key, t(f"map.layer.{key}"), "areas", frame(rows, geoms), simplify=False)]
    notes = [t("map.note.cells").format(k=privacy.MIN_HOUSEHOLDS)]
    unlocated = homes.ids.shape[0] - counts.located
    if counts.suppressed:
        notes.append(t("map.note.suppressed").format(n=counts.suppressed))
    if unlocated and privacy.withhold(unlocated) is not None:
        notes.append(t("map.note.unlocated").format(n=unlocated))
    mine = homes.entitled(scope) & ~np.isnan(homes.lats) & ~np.isnan(homes.lons)
    if points and mine.any():
        links = gpd.GeoDataFrame(
            {"link": [f"/kpm/{i}" for i in homes.ids[mine].tolist()]},
            geometry=shapely.points(homes.lons[mine], homes.lats[mine]),
            crs=WGS84,
        )
        layers.append(Layer("own_households", t("map.layer.own_households"), "cluster", links))
    return layers, notes


# --- places -----------------------------------------------------------------------------------


@dataclass
class Places:
    """Where a region's villages are drawn: imported boundaries, else an H3 patch (the cell of
    the privacy-safe village centre and its neighbours)."""

    boundaries: dict[str, BaseGeometry]
    centres: dict[str, tuple[float, float]]
    resolution: int
    _areas: dict[tuple[str, frozenset[str]], BaseGeometry | None] = field(default_factory=dict)
    _villages: dict[str, BaseGeometry | None] = field(default_factory=dict)

    def area(self, code: str, known: frozenset[str] = frozenset()) -> BaseGeometry | None:
        """The shape of region ``code``: its boundary, else the union of its ``known`` villages'
        (remembered: a province's programmes share a handful of service-area codes)."""
        if code in self.boundaries:
            return self.boundaries[code]
        key = (code, known)
        if key not in self._areas:
            parts = [self._village(v) for v in known if code_within(v, code)]
            shapes = [p for p in parts if p is not None]
            self._areas[key] = union_all(shapes) if shapes else None
        return self._areas[key]

    def _village(self, code: str) -> BaseGeometry | None:
        if code not in self._villages:
            found: BaseGeometry | None = self.boundaries.get(code)
            centre = self.centres.get(code)
            if found is None and centre is not None:
                cells = h3.grid_disk(h3.latlng_to_cell(centre[0], centre[1], self.resolution), 1)
                found = shape(h3.cells_to_h3shape(cells).__geo_interface__)
            self._villages[code] = found
        return self._villages[code]

    def centre(self, code: str) -> tuple[float, float] | None:
        """(lat, lon) to draw ``code`` at: its boundary's representative point or its centre."""
        if code in self.boundaries:
            p = self.boundaries[code].representative_point()
            return round(p.y, privacy.CENTRE_DECIMALS), round(p.x, privacy.CENTRE_DECIMALS)
        return self.centres.get(code)


def load_places(
    session: Session, homes: Homes, villages: Iterable[str], locations: Sequence[LocationRow], resolution: int
) -> Places:
    codes = sorted(set(villages) | set(homes.villages))
    public: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for loc in locations:
        public[loc.region_code].append((loc.lat, loc.lon))
    centres = privacy.village_centres(homes.villages, homes.lats, homes.lons, public)
    return Places(load_boundaries(session, codes), centres, resolution)


@dataclass(frozen=True)
class LocationRow:
    id: int
    organization_id: int
    name: str
    region_code: str
    lat: float
    lon: float


def load_locations(session: Session, *, org_ids: Iterable[int] = (), ids: Iterable[int] = ()) -> list[LocationRow]:
    """The located service points of the organisations ``org_ids``, or the points ``ids``."""
    column, wanted = (Location.id, sorted(set(ids))) if ids else (Location.organization_id, sorted(set(org_ids)))
    if not wanted:
        return []
    rows = session.exec(
        select(Location)
        .where(
            column.in_(wanted),  # type: ignore[union-attr]
            Location.latitude.is_not(None),  # type: ignore[union-attr]
            Location.longitude.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(Location.id)  # type: ignore[arg-type]
    ).all()
    return [
        LocationRow(x.id or 0, x.organization_id, x.name, x.region_code, x.latitude or 0.0, x.longitude or 0.0)
        for x in rows
    ]


def _grouped(session: Session, key: Any, value: Any, ids: Iterable[int]) -> dict[int, list[Any]]:
    """``value`` per ``key`` for the keys in ``ids`` (one query)."""
    wanted = sorted(set(ids))
    out: dict[int, list[Any]] = defaultdict(list)
    if wanted:
        for k, v in session.exec(select(key, value).where(key.in_(wanted))):
            out[k].append(v)
    return out


def program_locations(session: Session, program_ids: Iterable[int]) -> dict[int, list[int]]:
    """The service points (location ids) of each programme."""
    return _grouped(session, ProgramLocation.program_id, ProgramLocation.location_id, program_ids)


def service_areas(session: Session, program_ids: Iterable[int]) -> dict[int, list[str]]:
    """The region codes each programme serves."""
    return _grouped(session, ProgramServiceArea.program_id, ProgramServiceArea.region_code, program_ids)


# --- stakeholder map --------------------------------------------------------------------------


def _community_colour(c: int | None) -> str:
    return NO_COMMUNITY if c is None else COMMUNITY_COLOURS[c % len(COMMUNITY_COLOURS)]


def _icon(kind: str, colour: str, radius: float, isolated: bool) -> str:
    letter, form = KIND_SHAPES.get(kind, ("?", "circle"))
    size = int(radius * 2)
    ring = "outline:3px solid #d7191c;" if isolated else ""
    return (
        f'<div class="jj-i jj-{form}" style="width:{size}px;height:{size}px;background:{colour};{ring}">'
        f"<span>{letter}</span></div>"
    )


def stakeholder_map(session: Session, scope: Scope, region: str, *, today: date, lang: str) -> MapDoc:
    """The stakeholder map of ``region`` for ``scope`` (422 unknown region, 404 out of reach)."""
    t = translator(lang)
    found = load_network(session, scope, region, today=today)
    g = found.graph
    exact = scope.is_admin
    metrics = advice.region_metrics(g, exact=exact)
    per_node = metrics["nodes"]
    communities = {c["id"]: c["label"] for c in metrics["network"]["communities"]}
    isolated = {x.node for x in an.isolated_stakeholders(g)}
    orgs = {int(v.split(":")[1]): v for v, d in g.nodes(data=True) if d["kind"] == "organization"}
    locations = load_locations(session, org_ids=orgs)
    homes = homes_of(found.chunks)
    fac_villages = {
        int(v.split(":")[1]): sorted(
            code.split(":", 1)[1] for code in g.successors(v) if g.nodes[code]["kind"] == "village"
        )
        for v, d in g.nodes(data=True)
        if d["kind"] == "facilitator"
    }
    resolution = resolution_for(homes, region)
    known = frozenset({c for vs in fac_villages.values() for c in vs} | set(homes.villages))
    places = load_places(session, homes, known, locations, resolution)

    layers: list[Layer] = []
    legend: list[LegendEntry] = []
    notes: list[str] = []

    # households: cells for everyone, the viewer's own families as points
    hh_layers, hh_notes = household_layers(scope, homes, resolution, t)
    layers += hh_layers
    notes += hh_notes

    # service areas of the programmes
    served = service_areas(session, [int(v.split(":")[1]) for v, k in g.nodes(data="kind") if k == "program"])
    rows, geoms = [], []
    for v, d in g.nodes(data=True):
        if d["kind"] != "program":
            continue
        codes = served.get(int(v.split(":")[1]), [])
        area = union_all([a for c in codes if (a := places.area(c, known)) is not None]) if codes else None
        if area is None or area.is_empty:
            continue
        pid = int(v.split(":")[1])
        rows.append(
            {
                "program_id": pid,
                "name": d["label"],
                "color": "#2b8cbe",
                "fill_color": "#2b8cbe",
                "fill_opacity": 0.08,
                "weight": 1,
                "popup": popup(
                    d["label"], [t("map.service_area")], (t("map.record"), f"/hsds/services/{service_uuid(pid)}")
                ),
            }
        )
        geoms.append(area)
    layers.append(Layer("service_areas", t("map.layer.service_areas"), "areas", frame(rows, geoms), show=False))
    legend.append(LegendEntry(t("map.layer.service_areas"), "#2b8cbe", "area"))

    # facilitators' areas
    centres: dict[int, tuple[float, float]] = {}
    rows, geoms = [], []
    for fid, villages in sorted(fac_villages.items()):
        area = union_all([a for c in villages if (a := places.area(c, known)) is not None]) if villages else None
        points = [p for c in villages if (p := places.centre(c)) is not None]
        if points:
            centres[fid] = (  # rounded like the village centres it averages
                round(float(np.mean([p[0] for p in points])), privacy.CENTRE_DECIMALS),
                round(float(np.mean([p[1] for p in points])), privacy.CENTRE_DECIMALS),
            )
        if area is None or area.is_empty:
            continue
        label = g.nodes[node_id("facilitator", fid)]["label"]
        names = [g.nodes[f"village:{c}"]["label"] for c in villages]
        link = (t("map.open_network"), "/jejaring") if scope.facilitator_id == fid else None
        rows.append(
            {
                "facilitator_id": fid,
                "name": label,
                "color": "#7b3294",
                "fill_color": "#c2a5cf",
                "fill_opacity": 0.2,
                "weight": 2,
                "popup": popup(label, [t("map.facilitator_area"), ", ".join(names)], link),
            }
        )
        geoms.append(area)
    layers.append(Layer("facilitator_areas", t("map.layer.facilitator_areas"), "areas", frame(rows, geoms)))
    legend.append(LegendEntry(t("map.layer.facilitator_areas"), "#c2a5cf", "area"))

    # organisations at their service points
    top = max((per_node[v]["betweenness"] or 0 for v in orgs.values()), default=0.0)
    rows, geoms = [], []
    first_point: dict[int, tuple[float, float]] = {}
    placed = set()
    for loc in locations:
        v = orgs[loc.organization_id]
        d, m = g.nodes[v], per_node.get(v, {})
        first_point.setdefault(loc.organization_id, (loc.lat, loc.lon))
        placed.add(loc.organization_id)
        community = m.get("community")
        radius = radius_for(m.get("betweenness"), top)
        lines = [
            t(f"map.orgkind.{d.get('org_kind')}"),
            loc.name,
            t("map.community").format(name=communities.get(community, "-")),
            t("map.metrics").format(
                degree=m.get("degree", 0),
                betweenness=f"{m.get('betweenness') or 0:.3f}",
                pagerank=f"{m.get('pagerank') or 0:.3f}",
            ),
        ]
        if v in isolated:
            lines.append(t("map.isolated"))
        rows.append(
            {
                "organization_id": loc.organization_id,
                "location_id": loc.id,
                "name": d["label"],
                "kind": d.get("org_kind"),
                "community": community,
                "betweenness": m.get("betweenness"),
                "isolated": v in isolated,
                "radius": radius,
                "icon": _icon(str(d.get("org_kind")), _community_colour(community), radius, v in isolated),
                "popup": popup(
                    d["label"],
                    [x for x in lines if x],
                    (t("map.record"), f"/hsds/organizations/{organization_uuid(loc.organization_id)}"),
                ),
            }
        )
        geoms.append(Point(loc.lon, loc.lat))
    layers.append(Layer("organizations", t("map.layer.organizations"), "points", frame(rows, geoms)))
    for kind in sorted({str(g.nodes[orgs[o]].get("org_kind")) for o in placed}):
        legend.append(
            LegendEntry(
                f"{KIND_SHAPES.get(kind, ('?', ''))[0]} = {t(f'map.orgkind.{kind}')}",
                NO_COMMUNITY,
                "square" if KIND_SHAPES.get(kind, ("", ""))[1] == "square" else "circle",
            )
        )
    legend.append(LegendEntry(t("map.legend.isolated"), "#d7191c", "circle"))
    unplaced = len(orgs) - len(placed)
    if unplaced:
        notes.append(t("map.note.unplaced").format(n=unplaced))

    # referral flows: facilitator -> programme, by outcome
    owner = {int(b.split(":")[1]): int(a.split(":")[1]) for a, b, ty in g.edges(data="type") if ty == "offers"}
    rows, geoms = [], []
    for a, b, d in g.edges(data=True):
        if d["type"] != "refers":
            continue
        fid, pid = int(a.split(":")[1]), int(b.split(":")[1])
        start, end = centres.get(fid), first_point.get(owner.get(pid, -1))
        if start is None or end is None:
            continue
        by_outcome: dict[str, int] = defaultdict(int)
        for status, n in d.get("by_status", {}).items():
            by_outcome[OUTCOME_OF.get(status, "open")] += n
        main = max(by_outcome, key=lambda k: (by_outcome[k], k))
        lines = [t("map.referrals_n").format(n=d["weight"])] + [
            f"{t(f'map.outcome.{k}')}: {n}" for k, n in sorted(by_outcome.items())
        ]
        rows.append(
            {
                "facilitator_id": fid,
                "program_id": pid,
                "referrals": d["weight"],
                "outcome": main,
                "color": OUTCOME_COLOURS[main],
                "weight": min(10, 2 + d["weight"]),
                "opacity": 0.8,
                "popup": popup(f"{g.nodes[a]['label']} → {g.nodes[b]['label']}", lines),
            }
        )
        geoms.append(LineString([(start[1], start[0]), (end[1], end[0])]))
    layers.append(Layer("referrals", t("map.layer.referrals"), "lines", frame(rows, geoms)))
    for k, colour in OUTCOME_COLOURS.items():
        legend.append(LegendEntry(t("map.referrals") + ": " + t(f"map.outcome.{k}"), colour, "line"))

    # suggested links, dashed, with the reason
    rows, geoms = [], []
    for fid, start in sorted(centres.items()):
        if scope.role is Role.facilitator and scope.facilitator_id != fid:
            continue
        for s in _suggestions(found, fid)[:SUGGESTIONS_PER_FACILITATOR]:
            end = first_point.get(int(s.organization.split(":")[1]))
            if end is None:
                continue
            mine = scope.is_admin or scope.facilitator_id == fid
            reason = s.reason("en" if lang == "en" else "id", privacy.shown(mine))
            label = f"{g.nodes[node_id('facilitator', fid)]['label']} → {s.label}"
            rows.append(
                {
                    "facilitator_id": fid,
                    "organization_id": int(s.organization.split(":")[1]),
                    "eligible_households": privacy.withhold(s.eligible_households, exact=mine),
                    "color": "#e66101",
                    "weight": 3,
                    "dash": "8 6",
                    "opacity": 0.9,
                    "popup": popup(label, [t("map.suggested"), reason]),
                }
            )
            geoms.append(LineString([(start[1], start[0]), (end[1], end[0])]))
    layers.append(Layer("suggested_links", t("map.layer.suggested_links"), "lines", frame(rows, geoms)))
    legend.append(LegendEntry(t("map.layer.suggested_links"), "#e66101", "dash"))
    legend.append(LegendEntry(t("map.layer.household_cells"), SEQUENTIAL[3], "area"))

    name = region_names(session, [region]).get(region, region)
    doc = MapDoc(t("map.title.stakeholders").format(region=name), layers, legend, notes, lang, t("map.open_family"))
    local = [Point(loc.lon, loc.lat) for loc in locations if code_within(loc.region_code, region)]
    near = {"household_cells", "own_households", "facilitator_areas"}  # not service areas: a province's
    doc.focus = doc.bounds(near, local)
    return doc


def _suggestions(found: RegionNetwork, facilitator_id: int) -> list[an.LinkSuggestion]:
    """Link suggestions for one facilitator from the region's own screening, merged across the
    regency chunks (best count per organisation)."""
    best: dict[str, an.LinkSuggestion] = {}
    for chunk in found.chunks:
        keep = chunk.facilitators == facilitator_id
        if not keep.any():
            continue
        for s in an.link_suggestions(found.graph, facilitator_id, chunk.subset(keep)):
            if s.organization not in best or s.eligible_households > best[s.organization].eligible_households:
                best[s.organization] = s
    out = sorted(best.values(), key=lambda x: (x.tied, -x.eligible_households, -x.possible_households, x.label))
    return [s for s in out if not s.tied]


# --- household map ----------------------------------------------------------------------------


def household_map(session: Session, scope: Scope, household_id: int, *, today: date, lang: str) -> MapDoc:
    """One family's map: its place, its programmes' nearest service points and the distances.
    Only the family's own facilitator and admins (404 for anyone else)."""
    t = translator(lang)
    if not (scope.is_admin or scope.facilitator_id is not None):
        raise NotFound(f"household {household_id} not found")
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if not scope.is_admin and household.facilitator_id != scope.facilitator_id:
        raise NotFound(f"household {household_id} not found")
    found = find_matches(session, household, today=today, lang=lang, max_ineligible=3)
    items = found.items[:HOUSEHOLD_MAP_PROGRAMS]
    where = program_locations(session, [m["program_id"] for m in items])
    locations = {x.id: x for x in load_locations(session, ids=[lid for ids in where.values() for lid in ids])}
    origin: tuple[float, float] | None = None
    if household.latitude is not None and household.longitude is not None:
        origin = (household.latitude, household.longitude)
    layers: list[Layer] = []
    rows, geoms = [], []
    if origin is not None:
        rows.append(
            {
                "household_id": household.id,
                "color": "#fff",
                "fill_color": HOUSEHOLD_COLOUR,
                "fill_opacity": 1.0,
                "radius": 9,
                "weight": 3,
                "popup": popup(
                    household.head_name, [t("map.family_place")], (t("map.open_family"), f"/kpm/{household.id}")
                ),
            }
        )
        geoms.append(Point(origin[1], origin[0]))
    layers.append(Layer("household", t("map.layer.household"), "points", frame(rows, geoms)))
    point_rows, point_geoms, line_rows, line_geoms = [], [], [], []
    for m in items:
        points = [locations[lid] for lid in where.get(m["program_id"], []) if lid in locations]
        if not points:
            continue
        nearest = min(points, key=lambda p: km_between(origin, (p.lat, p.lon))) if origin else points[0]
        km = km_between(origin, (nearest.lat, nearest.lon)) if origin else None
        status = m["status"]
        lines = [m["organization_name"], nearest.name, t(f"map.status.{status}")]
        if km is not None:
            lines.append(t("map.distance").format(km=f"{km:.1f}"))
        refer = (t("map.refer"), f"/kpm/{household.id}#program-{m['program_id']}")
        point_rows.append(
            {
                "program_id": m["program_id"],
                "name": m["program_name"],
                "status": status,
                "distance_km": None if km is None else round(km, 2),
                "radius": 8,
                "color": "#fff",
                "fill_color": STATUS_COLOURS[status],
                "fill_opacity": 0.95,
                "weight": 2,
                "popup": popup(m["program_name"], lines, refer),
            }
        )
        point_geoms.append(Point(nearest.lon, nearest.lat))
        if origin is not None and km is not None:
            line_rows.append(
                {
                    "program_id": m["program_id"],
                    "distance_km": round(km, 2),
                    "status": status,
                    "color": STATUS_COLOURS[status],
                    "weight": 2,
                    "opacity": 0.8,
                    "dash": "2 6" if status == "ineligible" else None,
                    "popup": popup(m["program_name"], [t("map.distance").format(km=f"{km:.1f}")], refer),
                }
            )
            line_geoms.append(LineString([(origin[1], origin[0]), (nearest.lon, nearest.lat)]))
    layers.append(
        Layer("program_locations", t("map.layer.program_locations"), "points", frame(point_rows, point_geoms))
    )
    layers.append(Layer("distances", t("map.layer.distances"), "lines", frame(line_rows, line_geoms)))
    legend = [LegendEntry(t("map.layer.household"), HOUSEHOLD_COLOUR)] + [
        LegendEntry(t(f"map.status.{s}"), c) for s, c in STATUS_COLOURS.items()
    ]
    notes = [] if origin is not None else [t("map.note.no_place")]
    return MapDoc(
        t("map.title.household").format(name=household.head_name), layers, legend, notes, lang, t("map.open_family")
    )


# --- gap map ----------------------------------------------------------------------------------


def require_choice(value: str | None, allowed: Sequence[str], name: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise InvalidInput(f"unknown {name} {value!r}; use one of: {', '.join(allowed)}", loc=("query", name))
    return value


def gap_map(
    session: Session,
    scope: Scope,
    region: str,
    *,
    today: date,
    lang: str,
    need: str | None = None,
    sector: str | None = None,
) -> MapDoc:
    """Families with a business whose stated need (``need``, or any) no reachable programme
    meets, per H3 cell (or per village on imported boundaries), with the service areas of the
    programmes meeting that need."""
    t = translator(lang)
    need = require_choice(need, NEEDS, "need")
    sector = require_choice(sector, SECTORS, "sector")
    require_region_in_reach(session, scope, region)
    chunks = screen_chunks(session, region, today=today)
    homes = homes_of(chunks)
    resolution = resolution_for(homes, region)
    flags = [an.unmet_households(chunk, need=need, sector=sector) for chunk in chunks]
    unmet = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)  # in the order of homes_of
    meeting: set[int] = set()
    for chunk in chunks:
        bits = an.program_need_bits(chunk.programs)
        for p, b in zip(chunk.programs, bits.tolist(), strict=True):
            if need is None or b & NEED_BITS[need]:
                meeting.add(p.program_id)
    layers, notes = household_layers(scope, homes, resolution, t, figure=("unmet", unmet), points=False)
    villages = frozenset(homes.villages)
    places = load_places(session, homes, villages, [], resolution)
    # per village on imported boundaries (counts withheld when small)
    if places.boundaries:
        rows, geoms = [], []
        codes = np.array(homes.villages, dtype=object)
        names = region_names(session, sorted(v for v in villages if v in places.boundaries))
        for code in sorted(villages):
            if code not in places.boundaries:
                continue
            here = codes == code
            n = privacy.withhold(int(unmet[here].sum()))
            total = int(here.sum())
            if total < privacy.MIN_HOUSEHOLDS:
                continue
            rows.append(
                {
                    "village_code": code,
                    "households": total,
                    "unmet": n,
                    "color": "#444",
                    "weight": 1,
                    "fill_color": SEQUENTIAL[min(4, int(4 * (n or 0) / max(1, total)))],
                    "fill_opacity": 0.5,
                    "popup": popup(
                        f"{names.get(code, code)} ({code})",
                        [
                            t("map.households_n").format(n=total),
                            t("map.figure.unmet").format(n="< 5" if n is None else n),
                        ],
                    ),
                }
            )
            geoms.append(places.boundaries[code])
        layers.insert(0, Layer("unmet_villages", t("map.layer.unmet_villages"), "areas", frame(rows, geoms)))
    # coverage: service areas of the programmes that meet the need
    rows, geoms = [], []
    if meeting:
        areas = service_areas(session, meeting)
        names = dict(session.exec(select(Program.id, Program.name).where(Program.id.in_(sorted(meeting)))).all())  # type: ignore[union-attr]
        for pid in sorted(meeting):
            shapes = [a for c in areas.get(pid, []) if (a := places.area(c, villages)) is not None]
            if not shapes:
                continue
            rows.append(
                {
                    "program_id": pid,
                    "name": names.get(pid, str(pid)),
                    "color": "#2b8cbe",
                    "fill_color": "#2b8cbe",
                    "fill_opacity": 0.06,
                    "weight": 1,
                    "dash": "6 4",
                    "popup": popup(
                        names.get(pid, str(pid)),
                        [t("map.service_area")],
                        (t("map.record"), f"/hsds/services/{service_uuid(pid)}"),
                    ),
                }
            )
            geoms.append(union_all(shapes))
    # under the families' cells, so that a cell's popup opens where both overlap
    layers.insert(0, Layer("coverage", t("map.layer.coverage"), "areas", frame(rows, geoms)))
    legend = [
        LegendEntry(t("map.legend.unmet_low"), SEQUENTIAL[0], "area"),
        LegendEntry(t("map.legend.unmet_high"), SEQUENTIAL[4], "area"),
        LegendEntry(t("map.layer.coverage"), "#2b8cbe", "dash"),
    ]
    name = region_names(session, [region]).get(region, region)
    what = value_label(need, lang) if need else t("map.any_need")
    if sector:
        what += " · " + value_label(sector, lang)
    doc = MapDoc(t("map.title.gaps").format(region=name, need=what), layers, legend, notes, lang)
    doc.focus = doc.bounds({"unmet_cells", "unmet_villages"})
    return doc


def export_scope(region: str) -> Scope:
    """Whom ``jejaring maps export`` builds for when no user is named: an organiser of the
    region, so the file holds households only as counts (safe to hand to a forum)."""
    return Scope(user_id=0, role=Role.forum_organizer, forum_region=region)


def write_map(doc: MapDoc, out: Any, *, tiles: bool = True) -> int:
    """Write ``doc`` to ``out`` by its suffix: .html (Leaflet inlined: opens offline but for the
    tiles), .geojson or .gpkg. Returns the bytes written."""
    from pathlib import Path

    from mapping.maps import render_html, to_geojson, to_gpkg

    path = Path(out)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(render_html(doc, assets=None, tiles=tiles), encoding="utf-8")
    elif suffix in (".geojson", ".json"):
        import json

        path.write_text(json.dumps(to_geojson(doc), ensure_ascii=False), encoding="utf-8")
    elif suffix == ".gpkg":
        to_gpkg(doc, path)
    else:
        raise InvalidInput(f"unknown output type {suffix or '(none)'}: use .html, .geojson or .gpkg", loc=("out",))
    return path.stat().st_size
