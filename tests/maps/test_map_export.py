"""``jejaring maps export`` and maps drawn on imported boundaries."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
from fastapi.testclient import TestClient
from shapely.geometry import box, shape
from sqlmodel import Session, select

from models.households import Household
from service.maps import import_boundaries
from tests.test_cli import jejaring

Headers = Callable[[str], dict[str, str]]
KEBON_JAYANTI = "32.73.16.1002"


def test_export_writes_an_offline_html_private_by_default(db_url: str, tmp_path: Path, session: Session) -> None:
    out = tmp_path / "bandung.html"
    result = jejaring(db_url, "maps", "export", "--region", "32.73", "--out", str(out), "--no-tiles")
    assert result.returncode == 0, result.stderr
    assert "organizations=" in result.stdout
    html = out.read_text(encoding="utf-8")
    # Leaflet inlined, no tiles: nothing to fetch, it opens offline
    assert "/static/vendor" not in html
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", html)
    assert "tile.openstreetmap.org" not in html
    assert "Dinas Koperasi dan UMKM Kota Bandung" in html
    assert "/kpm/" not in html  # no family's place without --user
    # as the family's facilitator: their own families as points
    mine = tmp_path / "mine.html"
    result = jejaring(
        db_url, "maps", "export", "--region", "32.73", "--out", str(mine), "--user", "pendamping.kebonjayanti"
    )
    assert result.returncode == 0, result.stderr
    assert "own_households=" in result.stdout and "/kpm/" in mine.read_text(encoding="utf-8")


def test_export_geopackage_of_the_gap_map(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "gaps.gpkg"
    result = jejaring(
        db_url, "maps", "export", "--region", "32.73", "--map", "gaps", "--need", "capital", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    cells = gpd.read_file(out, layer="unmet_cells")
    assert len(cells) and (cells["households"] >= 5).all()
    assert cells.crs.to_epsg() == 4326


def test_export_bad_input(db_url: str, tmp_path: Path) -> None:
    for args, message in (
        (["--region", "99.99", "--out", str(tmp_path / "a.html")], "99.99"),
        (["--region", "32.73", "--out", str(tmp_path / "a.txt")], ".html, .geojson or .gpkg"),
        (["--region", "32.73", "--out", str(tmp_path / "a.html"), "--map", "heat"], "stakeholders or gaps"),
        (["--region", "32.73", "--out", str(tmp_path / "a.html"), "--map", "gaps", "--need", "luck"], "capital"),
        (["--region", "32.73", "--out", str(tmp_path / "a.html"), "--user", "nobody"], "nobody"),
    ):
        result = jejaring(db_url, "maps", "export", *args)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
    assert not (tmp_path / "a.html").exists() and not (tmp_path / "a.txt").exists()


def test_maps_use_imported_boundaries(client: TestClient, as_user: Headers, session: Session, tmp_path: Path) -> None:
    homes = [
        h
        for h in session.exec(select(Household).where(Household.village_code == KEBON_JAYANTI)).all()
        if h.latitude is not None and h.longitude is not None
    ]
    outline = box(
        min(h.longitude for h in homes) - 0.001,  # type: ignore[type-var]
        min(h.latitude for h in homes) - 0.001,  # type: ignore[type-var]
        max(h.longitude for h in homes) + 0.001,  # type: ignore[type-var]
        max(h.latitude for h in homes) + 0.001,  # type: ignore[type-var]
    )
    path = tmp_path / "desa.geojson"
    gpd.GeoDataFrame({"kode": ["3273161002"]}, geometry=[outline], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    report = import_boundaries(session, path, "kode")
    assert report.stored == 1

    def geojson(url: str, **params: Any) -> dict[str, Any]:
        r = client.get(url, params={**params, "format": "geojson"}, headers=as_user("forum.bandung"))
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    gaps = geojson("/maps/gaps", region="32.73")
    villages = [f for f in gaps["features"] if f["properties"]["layer"] == "unmet_villages"]
    assert [f["properties"]["village_code"] for f in villages] == [KEBON_JAYANTI]
    assert shape(villages[0]["geometry"]).symmetric_difference(outline).area < 1e-3 * outline.area
    assert villages[0]["properties"]["households"] == len(
        session.exec(select(Household.id).where(Household.village_code == KEBON_JAYANTI)).all()
    )
    st = geojson("/maps/stakeholders", region="32.73")
    area = next(f for f in st["features"] if f["properties"]["layer"] == "facilitator_areas")
    # the boundary, not an H3 patch
    assert shape(area["geometry"]).symmetric_difference(outline).area < 1e-3 * outline.area
