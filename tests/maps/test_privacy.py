"""The privacy rule of maps (mapping.privacy) and the renderer's formats (mapping.maps)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
from shapely.geometry import Point

from mapping.maps import Layer, LegendEntry, MapDoc, frame, popup, render_html, to_geojson, to_gpkg
from mapping.privacy import MIN_HOUSEHOLDS, ROUND_TO, fitting_resolution, household_cells, rounded, village_centres


def _scatter(n: int, seed: int, sd: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(-6.93, sd, n), rng.normal(107.62, sd, n)


def test_every_published_cell_holds_at_least_five_and_all_are_accounted_for() -> None:
    lats, lons = _scatter(400, 1)
    lats[:3] = np.nan  # no coordinates: left out
    flags = np.zeros(400, dtype=np.int64)
    flags[::7] = 1
    out = household_cells(lats, lons, 9, {"unmet": flags})
    assert out.located == 397
    assert out.cells and all(c.households >= MIN_HOUSEHOLDS for c in out.cells)
    assert all(c.figures["unmet"] is None or c.figures["unmet"] == 0 or c.figures["unmet"] >= 5 for c in out.cells)
    # Published counts are rounded to multiples of 5 (issue 15 #1), each within 2 of the truth.
    assert all(c.households % ROUND_TO == 0 for c in out.cells) and (out.suppressed or 0) % ROUND_TO == 0
    shown = sum(c.households for c in out.cells)
    slack = 2 * (len(out.cells) + 1)
    assert abs(shown + (out.suppressed or 0) - 397) <= slack or (out.suppressed is None and 397 - shown < slack)
    # cells are disjoint in households: each family is counted once, at the finest cell that is big enough
    fine = {c.cell: c.households for c in out.cells if not c.merged}
    for cell, n in fine.items():
        res = h3.get_resolution(cell)
        inside = sum(1 for a, b in zip(lats[3:], lons[3:], strict=True) if h3.latlng_to_cell(a, b, res) == cell)
        assert rounded(inside) == n
    assert any(c.merged for c in out.cells), "sparse edges are merged into parent cells"


def test_a_lone_family_is_never_a_cell() -> None:
    lats, lons = _scatter(50, 2, sd=0.002)
    lats = np.append(lats, -7.5)  # one family far away: its cell and its parents hold only it
    lons = np.append(lons, 108.4)
    out = household_cells(lats, lons, 9)
    far = h3.latlng_to_cell(-7.5, 108.4, 9)
    assert all(h3.cell_to_parent(far, c.resolution) != c.cell for c in out.cells)
    total = sum(c.households for c in out.cells) + (out.suppressed or 0)  # rounded per cell (issue 15 #1)
    assert abs(total - 50) <= 2 * (len(out.cells) + 1)


def test_village_centres_need_five_families_or_a_public_point() -> None:
    lats = np.array([-6.9, -6.91, -6.92, -6.93, -6.94, -7.0, -7.01])
    lons = np.array([107.6, 107.61, 107.62, 107.63, 107.64, 108.0, 108.01])
    villages = ["A"] * 5 + ["B"] * 2
    centres = village_centres(villages, lats, lons, {"C": [(-7.2, 108.2)], "B": [(-7.05, 108.05)]})
    assert centres["A"] == (round(float(lats[:5].mean()), 3), round(float(lons[:5].mean()), 3))
    assert centres["B"] == (-7.05, 108.05)  # two families: drawn at its office, not at them
    assert centres["C"] == (-7.2, 108.2)
    only_two = village_centres(["D", "D"], lats[:2], lons[:2])
    assert "D" not in only_two


def _doc() -> MapDoc:
    hostile = "</script><script>alert(1)</script>"
    pts = frame(
        [{"name": hostile, "popup": popup(hostile, ["a & b"], ("Buka", "/x?a=1&b=2")), "radius": 8}],
        [Point(107.6, -6.9)],
    )
    cluster = frame([{"link": "/kpm/1"}, {"link": "/kpm/2"}], [Point(107.61, -6.91), Point(107.612, -6.912)])
    return MapDoc("Peta uji", [Layer("orgs", "Lembaga", "points", pts), Layer("own", "KPM", "cluster", cluster)],
                  [LegendEntry("Dinas", "#f00")], ["catatan"], cluster_label="Buka")  # fmt: skip


def test_html_escapes_text_and_loads_nothing_from_a_cdn() -> None:
    html = render_html(_doc(), tiles=False)
    assert "<script>alert(1)" not in html
    assert "&lt;/script&gt;" in html or "\\u003c/script" in html
    assert "https://" not in html  # no tiles asked for: nothing from outside
    assert "/static/vendor/leaflet/leaflet.js" in html and "leaflet.markercluster.js" in html
    offline = render_html(_doc(), assets=None, tiles=False)
    assert "/static/vendor" not in offline and "L.map(" in offline
    assert len(offline) > len(html) + 100_000  # Leaflet itself is inside


def test_geojson_and_geopackage_carry_the_same_layers(tmp_path: Path) -> None:
    doc = _doc()
    body = to_geojson(doc)
    assert [x["key"] for x in body["layers"]] == ["orgs", "own"]
    assert {f["properties"]["layer"] for f in body["features"]} == {"orgs", "own"}
    json.dumps(body)
    path = tmp_path / "peta.gpkg"
    to_gpkg(doc, path)
    orgs = gpd.read_file(path, layer="orgs")
    assert list(orgs["name"]) == ["</script><script>alert(1)</script>"]
    assert "popup" not in orgs.columns
    assert len(gpd.read_file(path, layer="own")) == 2


def test_cells_are_as_fine_as_the_families_allow() -> None:
    dense = _scatter(2000, 3, sd=0.003)  # a crowded kelurahan
    sparse = _scatter(300, 4, sd=0.01)  # families spread over a district
    fine = fitting_resolution(*dense, finest=9, coarsest=6)
    coarse = fitting_resolution(*sparse, finest=9, coarsest=6)
    assert fine == 9 and coarse < 8
    # at the chosen resolution nine families in ten are in a published cell
    out = household_cells(*sparse, coarse)
    assert sum(c.households for c in out.cells if not c.merged) >= 0.9 * 300
    # never more cells than a map can carry
    assert fitting_resolution(*dense, finest=9, coarsest=6, max_cells=3) < fine
    assert fitting_resolution(np.array([np.nan]), np.array([np.nan]), finest=9, coarsest=7) == 7
