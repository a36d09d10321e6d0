"""Reading boundary files: codes, reprojection, refusals and whole-file errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from mapping.boundaries import BoundaryFileError, RefusedFeature, codes_in_file, normalize_code, read_boundaries

KOTA_BANDUNG = "32.73"
KIARACONDONG = "32.73.16"
KEBON_JAYANTI = "32.73.16.1002"
SUKAPURA = "32.73.16.1001"
KNOWN = {KOTA_BANDUNG, KIARACONDONG, KEBON_JAYANTI, SUKAPURA}
BOW_TIE = Polygon([(107.60, -6.90), (107.62, -6.92), (107.62, -6.90), (107.60, -6.92)])


def square(lon: float = 107.64, lat: float = -6.92, size: float = 0.01) -> Polygon:
    return box(lon, lat, lon + size, lat + size)


def write(tmp_path: Path, rows: list[dict[str, Any]], *, name: str = "batas.geojson", crs: str | None = "EPSG:4326",
          layer: str | None = None) -> Path:  # fmt: skip
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in row.items() if k != "geometry"} for row in rows],
        geometry=[row["geometry"] for row in rows],
        crs=crs,
    )
    path = tmp_path / name
    frame.to_file(path, layer=layer, engine="pyogrio")
    return path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("32", "32"),
        ("3273", "32.73"),
        ("327316", "32.73.16"),
        ("3273161002", "32.73.16.1002"),
        (3273161002, "32.73.16.1002"),
        (3273.0, "32.73"),
        (" 32.73.16.1002 ", "32.73.16.1002"),
        ("32.73", "32.73"),
        ("32731", None),
        ("32.7", None),
        ("Bandung", None),
        ("", None),
        (None, None),
        (float("nan"), None),
        (3273.5, None),
        (True, None),
    ],
)
def test_normalize_code_turns_digits_into_dotted_codes(value: object, expected: str | None) -> None:
    assert normalize_code(value) == expected


def test_read_boundaries_accepts_dotted_and_digit_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"kode": "3273161002", "geometry": square()},
            {"kode": "32.73.16.1001", "geometry": square(107.66)},
        ],
    )
    result = read_boundaries(path, "kode", KNOWN)
    assert set(result.geometries) == {KEBON_JAYANTI, SUKAPURA}
    assert result.refused == [] and result.unmatched_codes == []
    assert result.source == "batas.geojson" and result.feature_count == 2
    assert result.geometries[KEBON_JAYANTI].equals(square())


def test_read_boundaries_reprojects_a_metric_file_to_wgs84(tmp_path: Path) -> None:
    outline = square()
    metric = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs("EPSG:3857").iloc[0]
    assert metric.bounds[0] > 1_000_000  # really metres
    for name in ("web-mercator.geojson", "web-mercator.gpkg"):
        path = write(tmp_path, [{"kode": KEBON_JAYANTI, "geometry": metric}], name=name, crs="EPSG:3857")
        back = read_boundaries(path, "kode", KNOWN).geometries[KEBON_JAYANTI]
        assert back.equals_exact(outline, tolerance=1e-9), name


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_read_boundaries_takes_a_file_without_crs_only_in_lon_lat(tmp_path: Path) -> None:
    lon_lat = write(tmp_path, [{"kode": KEBON_JAYANTI, "geometry": square()}], name="no-crs.gpkg", crs=None)
    assert KEBON_JAYANTI in read_boundaries(lon_lat, "kode", KNOWN).geometries

    metres = write(tmp_path, [{"kode": KEBON_JAYANTI, "geometry": box(11_980_000, -770_000, 11_981_000, -769_000)}],
                   name="metres.gpkg", crs=None)  # fmt: skip
    with pytest.raises(BoundaryFileError, match="not longitude/latitude"):
        read_boundaries(metres, "kode", KNOWN)


def test_read_boundaries_refuses_a_bow_tie_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, [{"kode": KEBON_JAYANTI, "geometry": BOW_TIE}, {"kode": SUKAPURA, "geometry": square()}])
    result = read_boundaries(path, "kode", KNOWN)
    assert set(result.geometries) == {SUKAPURA}
    [refused] = result.refused
    assert refused.index == 0 and refused.code == KEBON_JAYANTI
    assert refused.reason.startswith("invalid geometry: Self-intersection")


def test_read_boundaries_refuses_points_lines_and_missing_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"kode": KEBON_JAYANTI, "geometry": Point(107.64, -6.92)},
            {"kode": SUKAPURA, "geometry": LineString([(107.6, -6.9), (107.7, -6.9)])},
            {"kode": None, "geometry": square()},
            {"kode": "Bandung", "geometry": square()},
            {"kode": "3273161999", "geometry": square()},
            {"kode": KOTA_BANDUNG, "geometry": Polygon()},
            {"kode": KIARACONDONG, "geometry": square()},
        ],
    )
    result = read_boundaries(path, "kode", KNOWN)
    assert set(result.geometries) == {KIARACONDONG}
    assert result.refused == [
        RefusedFeature(0, KEBON_JAYANTI, "not a polygon"),
        RefusedFeature(1, SUKAPURA, "not a polygon"),
        RefusedFeature(2, "", "no code"),
        RefusedFeature(3, "Bandung", "unknown region code"),
        RefusedFeature(4, "3273161999", "unknown region code"),
        RefusedFeature(5, KOTA_BANDUNG, "empty geometry"),
    ]
    assert result.unmatched_codes == ["32.73.16.1999"]


def test_read_boundaries_unions_the_parts_of_one_region(tmp_path: Path) -> None:
    west, east = square(107.64), square(107.70)
    path = write(tmp_path, [{"kode": 3273161002, "geometry": west}, {"kode": 3273161002, "geometry": east}])
    geometry = read_boundaries(path, "kode", KNOWN).geometries[KEBON_JAYANTI]
    assert isinstance(geometry, MultiPolygon)
    assert geometry.area == pytest.approx(west.area + east.area)


def test_read_boundaries_refuses_the_other_parts_of_a_region_with_a_refused_part(tmp_path: Path) -> None:
    parts = [{"kode": KEBON_JAYANTI, "geometry": square()}, {"kode": KEBON_JAYANTI, "geometry": BOW_TIE}]
    path = write(tmp_path, parts)
    result = read_boundaries(path, "kode", KNOWN)
    assert result.geometries == {}
    assert [(r.index, r.reason.split(":")[0]) for r in result.refused] == [
        (0, "another part of this region was refused"),
        (1, "invalid geometry"),
    ]


def test_read_boundaries_reads_a_geopackage_layer(tmp_path: Path) -> None:
    path = write(tmp_path, [{"kode": "327316", "geometry": square()}], name="batas.gpkg", layer="kecamatan")
    write(tmp_path, [{"kode": "3273161002", "geometry": square()}], name="batas.gpkg", layer="desa")
    assert set(read_boundaries(path, "kode", KNOWN, layer="kecamatan").geometries) == {KIARACONDONG}
    assert set(read_boundaries(path, "kode", KNOWN, layer="desa").geometries) == {KEBON_JAYANTI}
    assert codes_in_file(path, "kode", layer="desa") == {KEBON_JAYANTI}
    with pytest.raises(BoundaryFileError, match="2 layers; name the one to read: "):
        read_boundaries(path, "kode", KNOWN)
    with pytest.raises(BoundaryFileError, match="has no layer 'kelurahan'; its layers: "):
        read_boundaries(path, "kode", KNOWN, layer="kelurahan")


def test_read_boundaries_lists_the_columns_when_the_code_column_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, [{"KDEPUM": "3273161002", "WADMKD": "Kebon Jayanti", "geometry": square()}])
    with pytest.raises(BoundaryFileError, match=r"no column 'kode'; its columns: KDEPUM, WADMKD"):
        read_boundaries(path, "kode", KNOWN)


def test_read_boundaries_refuses_a_file_that_is_not_geodata(tmp_path: Path) -> None:
    text = tmp_path / "x.geojson"
    text.write_text("kode,nama\n3273161002,Kebon Jayanti\n")
    with pytest.raises(BoundaryFileError, match=r"^x.geojson is not a GeoJSON or GeoPackage file: "):
        read_boundaries(text, "kode", KNOWN)
    with pytest.raises(BoundaryFileError, match="does not exist"):
        read_boundaries(tmp_path / "missing.gpkg", "kode", KNOWN)


def test_read_boundaries_refuses_a_file_without_features(tmp_path: Path) -> None:
    plain = tmp_path / "kosong.geojson"
    plain.write_text('{"type": "FeatureCollection", "features": []}')
    package = write(tmp_path, [{"kode": KEBON_JAYANTI, "geometry": square()}], name="kosong.gpkg")
    gpd.read_file(package).iloc[:0].to_file(package, engine="pyogrio")
    for path in (plain, package):
        with pytest.raises(BoundaryFileError, match=f"^{path.name} has no features"):
            read_boundaries(path, "kode", KNOWN)
