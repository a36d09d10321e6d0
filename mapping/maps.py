"""Maps as data first: a ``MapDoc`` is a list of layers (GeoDataFrames in WGS84 with their
popups and styles), rendered three ways from the same layers -- folium HTML, GeoJSON and a
GeoPackage -- so whatever the privacy rule let into a layer is all any format can show.

The HTML loads Leaflet from the service's own ``/static/vendor`` (or inlines it, for a file
exported to work offline): only the base tiles come from outside, and the layers show without
them.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from folium.plugins import FastMarkerCluster
from folium.template import Template as FoliumTemplate
from folium.utilities import JsCode
from jinja2 import Template
from markupsafe import escape
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
VENDOR = Path(__file__).resolve().parent.parent / "service" / "web" / "static" / "vendor"
LEAFLET_JS = ("leaflet/leaflet.js",)
LEAFLET_CSS = ("leaflet/leaflet.css",)
CLUSTER_JS = ("leaflet.markercluster/leaflet.markercluster.js",)
CLUSTER_CSS = ("leaflet.markercluster/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.Default.css")
COORD_GRID = 1e-5  # coordinates written to about a metre: more digits only weigh

LayerKind = Literal["points", "areas", "lines", "cluster"]
Shape = Literal["circle", "square", "diamond", "line", "dash", "area"]

# Per-feature style columns a layer's frame may carry (all optional).
STYLE_COLUMNS = ("color", "fill_color", "weight", "dash", "radius", "opacity", "fill_opacity", "icon")


@dataclass
class Layer:
    """One switchable layer. ``frame`` is in WGS84; its ``popup`` column holds escaped HTML and
    its style columns (``STYLE_COLUMNS``) how each feature is drawn. A ``cluster`` layer holds
    points drawn in marker clusters; its ``link`` column is the address each point opens."""

    key: str
    title: str
    kind: LayerKind
    frame: gpd.GeoDataFrame
    show: bool = True
    simplify: bool = True  # boundaries are simplified for the zoom shown; H3 cells are not


@dataclass(frozen=True)
class LegendEntry:
    label: str
    color: str
    shape: Shape = "circle"


@dataclass
class MapDoc:
    title: str
    layers: list[Layer]
    legend: list[LegendEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lang: str = "id"
    cluster_label: str = ""  # the link text of a clustered point's popup
    focus: tuple[float, float, float, float] | None = None  # what the map opens on (else every layer)

    def bounds(
        self, keys: Collection[str] | None = None, extra: Sequence[BaseGeometry] = ()
    ) -> tuple[float, float, float, float] | None:
        """(min lon, min lat, max lon, max lat) over the layers named in ``keys`` (default every
        layer) and the ``extra`` geometries; None when all are empty."""
        chosen = [x for x in self.layers if (keys is None or x.key in keys) and len(x.frame)]
        boxes = [x.frame.total_bounds for x in chosen] + [np.array(g.bounds) for g in extra]
        if not boxes:
            return None
        b = np.vstack(boxes)
        return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def frame(rows: Sequence[dict[str, Any]], geometries: Sequence[Any]) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame of ``rows`` (properties) and their shapely geometries."""
    return gpd.GeoDataFrame(list(rows), geometry=list(geometries), crs=WGS84)


def popup(title: str, lines: Sequence[str] = (), link: tuple[str, str] | None = None) -> str:
    """Popup HTML: a bold title, lines of text and a link, all escaped."""
    parts = [f"<b>{escape(title)}</b>"] + [f"<br>{escape(x)}" for x in lines]
    if link:
        parts.append(f'<br><a href="{escape(link[1])}" target="_top">{escape(link[0])}</a>')
    return "".join(parts)


def simplify_tolerance(bounds: tuple[float, float, float, float] | None) -> float:
    """Degrees a boundary may move when simplified: about a pixel at the zoom that fits the
    map's extent on a 1,000-pixel screen."""
    if bounds is None:
        return 0.0
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1])
    return span / 1000.0


# --- GeoJSON ----------------------------------------------------------------------------------


def _light(layer: Layer, tolerance: float) -> gpd.GeoDataFrame:
    f = layer.frame
    if not len(f):
        return f
    geoms = f.geometry
    if layer.kind == "areas" and layer.simplify and tolerance > 0:
        geoms = geoms.simplify(tolerance, preserve_topology=True)
    out = f.copy()
    out.geometry = shapely.set_precision(geoms.values, COORD_GRID)
    return out


def _features(f: gpd.GeoDataFrame, extra: dict[str, Any]) -> list[dict[str, Any]]:
    if not len(f):
        return []
    body = json.loads(f.to_json(drop_id=True, na="null"))
    for feature in body["features"]:
        feature["properties"] |= extra
    return body["features"]  # type: ignore[no-any-return]


def to_geojson(doc: MapDoc) -> dict[str, Any]:
    """One FeatureCollection of every layer; each feature names its ``layer``."""
    tolerance = simplify_tolerance(doc.bounds())
    features: list[dict[str, Any]] = []
    for layer in doc.layers:
        features += _features(_light(layer, tolerance), {"layer": layer.key})
    return {
        "type": "FeatureCollection",
        "name": doc.title,
        "layers": [{"key": x.key, "title": x.title, "features": len(x.frame)} for x in doc.layers],
        "notes": doc.notes,
        "features": features,
    }


def to_gpkg(doc: MapDoc, path: Path) -> None:
    """A GeoPackage with one table per non-empty layer (popups left out: they are HTML)."""
    if path.exists():
        path.unlink()
    for layer in doc.layers:
        if not len(layer.frame):
            continue
        f = layer.frame.drop(columns=[c for c in ("popup", *STYLE_COLUMNS) if c in layer.frame.columns])
        f.to_file(path, layer=layer.key, driver="GPKG", engine="pyogrio")


# --- HTML -------------------------------------------------------------------------------------


_STYLE = """
.jj-i{display:flex;align-items:center;justify-content:center;color:#fff;font:bold 11px/1 sans-serif;
 border:2px solid #fff;box-shadow:0 0 2px #000;box-sizing:border-box}
.jj-circle{border-radius:50%}.jj-square{border-radius:2px}.jj-diamond{transform:rotate(45deg)}
.jj-diamond span{transform:rotate(-45deg)}
.jj-dot{background:#7b3294;border:2px solid #fff;border-radius:50%;box-shadow:0 0 2px #000}
.jj-legend{position:absolute;z-index:1000;bottom:18px;left:8px;background:rgba(255,255,255,.92);
 padding:6px 8px;font:12px/1.35 sans-serif;max-width:60%;max-height:45%;overflow:auto;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3)}
.jj-legend summary{font-weight:bold;font-size:13px;cursor:pointer}.jj-legend ul{list-style:none;margin:0;padding:0}
.jj-legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-2px}
.jj-legend i.circle{border-radius:50%}.jj-legend i.diamond{transform:rotate(45deg) scale(.8)}
.jj-legend i.line{height:3px;vertical-align:3px}
.jj-legend i.dash{height:0;border-top:3px dashed;vertical-align:3px;background:none!important}
.jj-legend i.area{opacity:.6}.jj-legend p{margin:4px 0 0;color:#444}
"""


class _Legend(MacroElement):
    _template = Template(
        """
{% macro header(this, kwargs) %}<style>{{ this.style }}</style>{% endmacro %}
{% macro html(this, kwargs) %}<details class="jj-legend" id="legend" open><summary>{{ this.title }}</summary><ul>
{%- for e in this.entries %}
<li><i class="{{ e.shape }}" style="background:{{ e.color }};color:{{ e.color }}"></i>{{ e.label }}</li>{% endfor %}
</ul>{% for n in this.notes %}<p>{{ n }}</p>{% endfor %}</details>
<script>if (window.innerWidth < 600) document.getElementById("legend").open = false;</script>{% endmacro %}
""",
        autoescape=True,
    )

    def __init__(self, title: str, entries: Sequence[LegendEntry], notes: Sequence[str]):
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.title = title
        self.entries = list(entries)
        self.notes = list(notes)
        self.style = _STYLE


@lru_cache(maxsize=8)
def _vendored(path: str) -> str:
    text = (VENDOR / path).read_text(encoding="utf-8")
    if path.endswith(".css"):  # images referenced by the stylesheet, inlined
        folder = (VENDOR / path).parent
        for image in sorted(folder.glob("images/*.png")):
            data = base64.b64encode(image.read_bytes()).decode()
            text = text.replace(f"images/{image.name}", f"data:image/png;base64,{data}")
    return text


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _own_assets(m: folium.Map, *, assets: str | None, cluster: bool) -> None:
    """Replace folium's CDN links (Leaflet, jQuery, Bootstrap, Font Awesome...) with the
    vendored Leaflet (and marker cluster) only: linked from ``assets`` or inlined when None."""
    for element in _walk(m):
        if hasattr(element, "default_js"):
            element.default_js = []
            element.default_css = []
    figure = m.get_root()
    assert isinstance(figure, Figure)
    js = LEAFLET_JS + (CLUSTER_JS if cluster else ())
    css = LEAFLET_CSS + (CLUSTER_CSS if cluster else ())
    for i, path in enumerate(css):
        tag = f'<link rel="stylesheet" href="{assets}/{path}"/>' if assets is not None else None
        figure.header.add_child(Element(tag or f"<style>{_vendored(path)}</style>"), name=f"jj_css_{i}")
    for i, path in enumerate(js):
        tag = f'<script src="{assets}/{path}"></script>' if assets is not None else None
        figure.header.add_child(Element(tag or f"<script>{_vendored(path)}</script>"), name=f"jj_js_{i}")


def _script_json(value: Any) -> str:
    """Compact JSON that is safe inside a <script> element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _common_prefix(texts: Sequence[str]) -> str:
    low, high = min(texts), max(texts)  # the lexicographic extremes share what all share
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[:n]


class _Cluster(FastMarkerCluster):
    """Points in marker clusters, written as three flat arrays (latitudes, longitudes, and the
    links less their common prefix, as numbers when they are) and added to the cluster group in
    one ``addLayers`` call, in chunks after the first paint: 100,000 points show in about a
    second and a half, where one ``addTo`` each takes ten."""

    _template = FoliumTemplate(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                var prefix = {{ this.prefix|tojson }}, label = {{ this.label|tojson }};
                var lat = {{ this.lats|safe }}, lon = {{ this.lons|safe }}, ref = {{ this.refs|safe }};
                var icon = L.divIcon({className: "jj-dot", iconSize: [12, 12]});
                var markers = new Array(lat.length);
                for (var i = 0; i < lat.length; i++) {
                    markers[i] = L.marker([lat[i], lon[i]], {icon: icon, href: prefix + ref[i]});
                }
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                cluster.on("click", function (e) {  // one handler, not a popup bound to each point
                    var a = document.createElement("a");
                    a.href = e.layer.options.href; a.target = "_top"; a.textContent = label;
                    L.popup().setLatLng(e.layer.getLatLng()).setContent(a).openOn(cluster._map);
                });
                cluster.addTo({{ this._parent.get_name() }});
                // after the script, once the layer group is on the map: added in chunks, so the
                // other layers show at once and the page stays responsive while points load
                setTimeout(function () { cluster.addLayers(markers); }, 0);
                return cluster;
            })();
        {% endmacro %}"""
    )

    def __init__(self, data: gpd.GeoDataFrame, label: str, name: str):
        super().__init__([], name=name, chunkedLoading=True)  # type: ignore[no-untyped-call]
        xy = np.round(shapely.get_coordinates(data.geometry.values), 5)
        links = data["link"].astype(str).tolist()
        self.prefix = _common_prefix(links) if len(links) > 1 else ""
        cut = len(self.prefix)
        rest = [link[cut:] for link in links]
        refs: list[Any] = [int(x) for x in rest] if all(x.isdigit() and x[0] != "0" for x in rest) else rest
        self.lats, self.lons, self.refs = (_script_json(v) for v in (xy[:, 1].tolist(), xy[:, 0].tolist(), refs))
        self.label = label


_BIND_POPUP = JsCode(
    "function (feature, layer) { if (feature.properties.popup) layer.bindPopup(feature.properties.popup); }"
)


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    p = feature["properties"]
    style: dict[str, Any] = {}
    for key, name in (
        ("color", "color"),
        ("fill_color", "fillColor"),
        ("weight", "weight"),
        ("dash", "dashArray"),
        ("opacity", "opacity"),
        ("fill_opacity", "fillOpacity"),
        ("radius", "radius"),
    ):
        if p.get(key) is not None:
            style[name] = p[key]
    if p.get("icon"):
        size = int(p.get("radius") or 10) * 2
        style = {"html": p["icon"], "iconSize": [size, size], "iconAnchor": [size // 2, size // 2], "className": ""}
    return style


def _add_layer(m: folium.Map, layer: Layer, data: gpd.GeoDataFrame, cluster_label: str) -> None:
    group = folium.FeatureGroup(name=layer.title, show=layer.show)
    group.add_to(m)
    if not len(data):
        return
    if layer.kind == "cluster":
        _Cluster(data, cluster_label, layer.title).add_to(group)
        return
    body = {"type": "FeatureCollection", "features": _features(data, {})}
    marker: Any = None
    if layer.kind == "points":
        has_icons = "icon" in data.columns and data["icon"].notna().any()
        marker = folium.Marker(icon=folium.DivIcon()) if has_icons else folium.CircleMarker(radius=6, fill=True)
    folium.GeoJson(body, name=layer.title, style_function=_style, marker=marker, on_each_feature=_BIND_POPUP).add_to(
        group
    )


def render_html(doc: MapDoc, *, assets: str | None = "/static/vendor", tiles: bool = True) -> str:
    """The map as one HTML document: layers switchable, a legend, popups, fitted to its data.
    ``assets`` is where the vendored Leaflet is served (None inlines it: an offline file)."""
    bounds = doc.bounds()
    view = doc.focus or bounds
    # maxZoom on the map itself: without tiles, marker clusters need it
    m = folium.Map(location=[-2.5, 118.0], zoom_start=5, tiles=None, control_scale=True, maxZoom=19)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False, control=True, max_zoom=19).add_to(m)
    tolerance = simplify_tolerance(bounds)
    cluster = False
    for layer in doc.layers:
        _add_layer(m, layer, _light(layer, tolerance), doc.cluster_label)
        cluster = cluster or (layer.kind == "cluster" and len(layer.frame) > 0)
    folium.LayerControl(collapsed=True).add_to(m)
    m.add_child(_Legend(doc.title, doc.legend, doc.notes))
    if view is not None:
        pad = 0.002
        m.fit_bounds([[view[1] - pad, view[0] - pad], [view[3] + pad, view[2] + pad]])
    _own_assets(m, assets=assets, cluster=cluster)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = doc.title
    figure.header.add_child(Element(f'<meta http-equiv="content-language" content="{escape(doc.lang)}">'))
    return str(figure.render())


def radius_for(value: float | None, top: float, smallest: float = 7.0, largest: float = 18.0) -> float:
    """A marker radius growing with the square root of ``value`` (area reads as size)."""
    if not value or top <= 0:
        return smallest
    return round(smallest + (largest - smallest) * math.sqrt(max(0.0, value) / top), 1)
