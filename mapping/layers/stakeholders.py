"""The stakeholder map's layers: organisations at their service points (icon by kind, colour by
network community, size by betweenness), programmes' service areas, facilitators' areas,
referral flows by outcome and suggested links, over the households' cells."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from mapping import analysis as an
from mapping import privacy
from mapping.layers.homes import SEQUENTIAL, Homes, household_layers
from mapping.layers.places import Places, RecordLinks, ServicePoint
from mapping.maps import Layer, LegendEntry, MapDoc, frame, popup, radius_for
from mapping.network import node_id, node_key, parse_node_id
from models.types import code_within

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
ISOLATED_COLOUR = "#d7191c"
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
SERVICE_AREA_COLOUR = "#2b8cbe"
FACILITATOR_LINE, FACILITATOR_FILL = "#7b3294", "#c2a5cf"
SUGGESTION_COLOUR = "#e66101"
NEAR_LAYERS = frozenset({"household_cells", "own_households", "facilitator_areas"})
"""What the map opens on (with the region's own service points): not service areas, which a
province-wide programme would stretch over the province."""

Translate = Callable[[str], str]
Rows = tuple[list[dict[str, Any]], list[BaseGeometry]]


@dataclass(frozen=True)
class MapViewer:
    """Who a stakeholder map is drawn for."""

    sees_all: bool  # may see every family's figures (administrators)
    facilitator_id: int | None = None  # the viewer's own facilitator record
    own_links_only: bool = False  # only the viewer's own suggested links (facilitators)

    def exact_for(self, facilitator_id: int) -> bool:
        """Whether the viewer may see exact counts of ``facilitator_id``'s families."""
        return self.sees_all or self.facilitator_id == facilitator_id


@dataclass(frozen=True)
class StakeholderRecords:
    """What a stakeholder map is drawn from: the region's network, its metrics and screening,
    its households, places, service points and programmes' service areas."""

    region: str
    region_name: str
    graph: nx.MultiDiGraph
    metrics: Mapping[str, Any]  # mapping.network.metrics, small counts withheld for the viewer
    chunks: Sequence[an.Screened]
    homes: Homes
    resolution: int
    places: Places
    locations: Sequence[ServicePoint]  # the organisations' located service points
    service_areas: Mapping[int, Sequence[str]]  # region codes per programme


# --- what the graph holds ---------------------------------------------------------------------


def nodes_of_kind(g: nx.MultiDiGraph, kind: str) -> dict[int, str]:
    """Record id -> node id of the graph's nodes of ``kind`` (not villages), in graph order."""
    return {node_key(v): v for v, k in g.nodes(data="kind") if k == kind}


def facilitator_villages(g: nx.MultiDiGraph) -> dict[int, list[str]]:
    """The village codes each facilitator of the graph serves, sorted."""
    return {
        node_key(v): sorted(parse_node_id(c)[1] for c in g.successors(v) if g.nodes[c]["kind"] == "village")
        for v, kind in g.nodes(data="kind")
        if kind == "facilitator"
    }


def stakeholder_villages(g: nx.MultiDiGraph, homes: Homes) -> frozenset[str]:
    """The villages a stakeholder map knows: the facilitators' and the households'."""
    return frozenset({c for vs in facilitator_villages(g).values() for c in vs} | set(homes.villages))


def link_suggestions(g: nx.MultiDiGraph, chunks: Sequence[an.Screened], facilitator_id: int) -> list[an.LinkSuggestion]:
    """Untied organisations for one facilitator to meet, from the region's own screening.

    Parameters
    ----------
    g
        The region's network.
    chunks
        The region's screening, regency by regency.
    facilitator_id
        The facilitator.

    Returns
    -------
    list of LinkSuggestion
        Merged across the chunks (best count per organisation), most families first.
    """
    best: dict[str, an.LinkSuggestion] = {}
    for chunk in chunks:
        keep = chunk.facilitators == facilitator_id
        if not keep.any():
            continue
        for s in an.link_suggestions(g, facilitator_id, chunk.subset(keep)):
            if s.organization not in best or s.eligible_households > best[s.organization].eligible_households:
                best[s.organization] = s
    out = sorted(best.values(), key=lambda x: (x.tied, -x.eligible_households, -x.possible_households, x.label))
    return [s for s in out if not s.tied]


# --- layers -----------------------------------------------------------------------------------


def _community_colour(c: int | None) -> str:
    return NO_COMMUNITY if c is None else COMMUNITY_COLOURS[c % len(COMMUNITY_COLOURS)]


def _icon(kind: str, colour: str, radius: float, isolated: bool) -> str:
    letter, form = KIND_SHAPES.get(kind, ("?", "circle"))
    size = int(radius * 2)
    ring = f"outline:3px solid {ISOLATED_COLOUR};" if isolated else ""
    return (
        f'<div class="jj-i jj-{form}" style="width:{size}px;height:{size}px;background:{colour};{ring}">'
        f"<span>{letter}</span></div>"
    )


def _line(start: tuple[float, float], end: tuple[float, float]) -> LineString:
    """A line between two (lat, lon) points."""
    return LineString([(start[1], start[0]), (end[1], end[0])])


def service_area_layer(r: StakeholderRecords, t: Translate, links: RecordLinks) -> Layer:
    """The programmes' service areas (hidden at first)."""
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    for pid, v in nodes_of_kind(r.graph, "program").items():
        codes = r.service_areas.get(pid, [])
        area = r.places.union(codes)
        if area is None or area.is_empty:
            continue
        label = r.graph.nodes[v]["label"]
        rows.append(
            {
                "program_id": pid,
                "name": label,
                "color": SERVICE_AREA_COLOUR,
                "fill_color": SERVICE_AREA_COLOUR,
                "fill_opacity": 0.08,
                "weight": 1,
                "popup": popup(label, [t("map.service_area")], (t("map.record"), links.service(pid))),
            }
        )
        geoms.append(area)
    return Layer("service_areas", t("map.layer.service_areas"), "areas", frame(rows, geoms), show=False)


def facilitator_centres(g: nx.MultiDiGraph, places: Places) -> dict[int, tuple[float, float]]:
    """Where each facilitator is drawn: the mean of their villages' centres, rounded like them."""
    centres: dict[int, tuple[float, float]] = {}
    for fid, villages in sorted(facilitator_villages(g).items()):
        points = [p for c in villages if (p := places.centre(c)) is not None]
        if points:
            centres[fid] = (
                round(float(np.mean([p[0] for p in points])), privacy.CENTRE_DECIMALS),
                round(float(np.mean([p[1] for p in points])), privacy.CENTRE_DECIMALS),
            )
    return centres


def facilitator_area_layer(r: StakeholderRecords, viewer: MapViewer, t: Translate) -> Layer:
    """The facilitators' areas: the union of the villages each serves."""
    g = r.graph
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    for fid, villages in sorted(facilitator_villages(g).items()):
        area = r.places.union(villages)
        if area is None or area.is_empty:
            continue
        label = g.nodes[node_id("facilitator", fid)]["label"]
        names = [g.nodes[node_id("village", c)]["label"] for c in villages]
        link = (t("map.open_network"), "/jejaring") if viewer.facilitator_id == fid else None
        rows.append(
            {
                "facilitator_id": fid,
                "name": label,
                "color": FACILITATOR_LINE,
                "fill_color": FACILITATOR_FILL,
                "fill_opacity": 0.2,
                "weight": 2,
                "popup": popup(label, [t("map.facilitator_area"), ", ".join(names)], link),
            }
        )
        geoms.append(area)
    return Layer("facilitator_areas", t("map.layer.facilitator_areas"), "areas", frame(rows, geoms))


def _organization_row(
    r: StakeholderRecords,
    loc: ServicePoint,
    v: str,
    *,
    isolated: bool,
    top: float,
    communities: Mapping[int, str],
    t: Translate,
    links: RecordLinks,
) -> dict[str, Any]:
    d, m = r.graph.nodes[v], r.metrics["nodes"].get(v, {})
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
    if isolated:
        lines.append(t("map.isolated"))
    return {
        "organization_id": loc.organization_id,
        "location_id": loc.id,
        "name": d["label"],
        "kind": d.get("org_kind"),
        "community": community,
        "betweenness": m.get("betweenness"),
        "isolated": isolated,
        "radius": radius,
        "icon": _icon(str(d.get("org_kind")), _community_colour(community), radius, isolated),
        "popup": popup(d["label"], [x for x in lines if x], (t("map.record"), links.organization(loc.organization_id))),
    }


def organization_layer(r: StakeholderRecords, t: Translate, links: RecordLinks) -> tuple[Layer, list[LegendEntry], int]:
    """The organisations at their service points, their kinds' legend entries and how many
    organisations have no located point."""
    g = r.graph
    orgs = nodes_of_kind(g, "organization")
    isolated = {x.node for x in an.isolated_stakeholders(g)}
    top = max((r.metrics["nodes"][v]["betweenness"] or 0 for v in orgs.values()), default=0.0)
    communities = {c["id"]: c["label"] for c in r.metrics["network"]["communities"]}
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    placed = set()
    for loc in r.locations:
        v = orgs[loc.organization_id]
        placed.add(loc.organization_id)
        rows.append(
            _organization_row(r, loc, v, isolated=v in isolated, top=top, communities=communities, t=t, links=links)
        )
        geoms.append(Point(loc.lon, loc.lat))
    legend = []
    for kind in sorted({str(g.nodes[orgs[o]].get("org_kind")) for o in placed}):
        letter, form = KIND_SHAPES.get(kind, ("?", ""))
        legend.append(
            LegendEntry(
                f"{letter} = {t(f'map.orgkind.{kind}')}", NO_COMMUNITY, "square" if form == "square" else "circle"
            )
        )
    legend.append(LegendEntry(t("map.legend.isolated"), ISOLATED_COLOUR, "circle"))
    layer = Layer("organizations", t("map.layer.organizations"), "points", frame(rows, geoms))
    return layer, legend, len(orgs) - len(placed)


def first_points(locations: Sequence[ServicePoint]) -> dict[int, tuple[float, float]]:
    """(lat, lon) of each organisation's first service point: where flows and links end."""
    out: dict[int, tuple[float, float]] = {}
    for loc in locations:
        out.setdefault(loc.organization_id, (loc.lat, loc.lon))
    return out


def referral_layer(
    g: nx.MultiDiGraph,
    centres: Mapping[int, tuple[float, float]],
    ends: Mapping[int, tuple[float, float]],
    t: Translate,
) -> Layer:
    """Referral flows facilitator -> programme (at its organisation's first point), coloured by
    their main outcome."""
    owner = {node_key(b): node_key(a) for a, b, ty in g.edges(data="type") if ty == "offers"}
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    for a, b, d in g.edges(data=True):
        if d["type"] != "refers":
            continue
        fid, pid = node_key(a), node_key(b)
        start, end = centres.get(fid), ends.get(owner.get(pid, -1))
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
        geoms.append(_line(start, end))
    return Layer("referrals", t("map.layer.referrals"), "lines", frame(rows, geoms))


def suggestion_layer(
    r: StakeholderRecords,
    viewer: MapViewer,
    centres: Mapping[int, tuple[float, float]],
    ends: Mapping[int, tuple[float, float]],
    t: Translate,
    lang: str,
) -> Layer:
    """Suggested links facilitator -> organisation, dashed, with the reason (counts withheld
    from viewers who may not see the facilitator's families)."""
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    for fid, start in sorted(centres.items()):
        if viewer.own_links_only and viewer.facilitator_id != fid:
            continue
        for s in link_suggestions(r.graph, r.chunks, fid)[:SUGGESTIONS_PER_FACILITATOR]:
            org = node_key(s.organization)
            end = ends.get(org)
            if end is None:
                continue
            mine = viewer.exact_for(fid)
            reason = s.reason("en" if lang == "en" else "id", privacy.shown(mine))
            label = f"{r.graph.nodes[node_id('facilitator', fid)]['label']} → {s.label}"
            rows.append(
                {
                    "facilitator_id": fid,
                    "organization_id": org,
                    "eligible_households": privacy.withhold(s.eligible_households, exact=mine),
                    "color": SUGGESTION_COLOUR,
                    "weight": 3,
                    "dash": "8 6",
                    "opacity": 0.9,
                    "popup": popup(label, [t("map.suggested"), reason]),
                }
            )
            geoms.append(_line(start, end))
    return Layer("suggested_links", t("map.layer.suggested_links"), "lines", frame(rows, geoms))


def stakeholder_doc(
    r: StakeholderRecords,
    viewer: MapViewer,
    entitled: NDArray[np.bool_],
    t: Translate,
    lang: str,
    links: RecordLinks,
) -> MapDoc:
    """The stakeholder map of a region.

    Parameters
    ----------
    r
        The region's records.
    viewer
        Who it is drawn for (exact counts, their own area's link, which suggested links).
    entitled
        Per household of ``r.homes``, whether the viewer may see its exact place.
    t, lang
        The translator and the language of the viewer.
    links
        Addresses of the organisations' and programmes' public records.

    Returns
    -------
    MapDoc
        Household cells (and the entitled families as points), service areas, facilitators'
        areas, organisations, referral flows and suggested links with their legend, opening
        on the region's own places.
    """
    layers, notes = household_layers(r.homes, entitled, r.resolution, t)
    legend = [LegendEntry(t("map.layer.service_areas"), SERVICE_AREA_COLOUR, "area")]
    layers.append(service_area_layer(r, t, links))
    layers.append(facilitator_area_layer(r, viewer, t))
    legend.append(LegendEntry(t("map.layer.facilitator_areas"), FACILITATOR_FILL, "area"))
    organizations, kinds, unplaced = organization_layer(r, t, links)
    layers.append(organizations)
    legend += kinds
    if unplaced:
        notes.append(t("map.note.unplaced").format(n=unplaced))
    centres, ends = facilitator_centres(r.graph, r.places), first_points(r.locations)
    layers.append(referral_layer(r.graph, centres, ends, t))
    for k, colour in OUTCOME_COLOURS.items():
        legend.append(LegendEntry(t("map.referrals") + ": " + t(f"map.outcome.{k}"), colour, "line"))
    layers.append(suggestion_layer(r, viewer, centres, ends, t, lang))
    legend.append(LegendEntry(t("map.layer.suggested_links"), SUGGESTION_COLOUR, "dash"))
    legend.append(LegendEntry(t("map.layer.household_cells"), SEQUENTIAL[3], "area"))
    title = t("map.title.stakeholders").format(region=r.region_name)
    doc = MapDoc(title, layers, legend, notes, lang, t("map.open_family"))
    local = [Point(loc.lon, loc.lat) for loc in r.locations if code_within(loc.region_code, r.region)]
    doc.focus = doc.bounds(NEAR_LAYERS, local)
    return doc
