"""Importing boundary files into the database, and the ``jejaring boundaries import`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, col, select

from mapping.boundaries import BoundaryFileError, RefusedFeature
from models.regions import Region, RegionBoundary
from service.maps import (
    BoundaryImportRefused,
    ImportReport,
    boundary_count,
    import_boundaries,
    load_boundaries,
)
from tests.test_cli import jejaring

KOTA_BANDUNG = "32.73"
KIARACONDONG = "32.73.16"
KEBON_JAYANTI = "32.73.16.1002"
SUKAPURA = "32.73.16.1001"
BOW_TIE = Polygon([(107.60, -6.90), (107.62, -6.92), (107.62, -6.90), (107.60, -6.92)])


def square(lon: float = 107.64, lat: float = -6.92, size: float = 0.01) -> Polygon:
    return box(lon, lat, lon + size, lat + size)


def same(a: BaseGeometry, b: BaseGeometry) -> bool:
    """Equal up to the digits GeoJSON and GeoPackage files keep."""
    return bool(a.normalize().equals_exact(b.normalize(), tolerance=1e-9))


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in row.items() if k != "geometry"} for row in rows],
        geometry=[row["geometry"] for row in rows],
        crs="EPSG:4326",
    )
    frame.to_file(path, engine="pyogrio")
    return path


def test_region_codes_used_here_are_in_the_region_list(session: Session) -> None:
    names = dict(session.exec(select(Region.code, Region.name).where(
        col(Region.code).in_([KOTA_BANDUNG, KIARACONDONG, KEBON_JAYANTI, SUKAPURA])
    )).all())  # fmt: skip
    assert names == {
        KOTA_BANDUNG: "KOTA BANDUNG",
        KIARACONDONG: "Kiaracondong",
        KEBON_JAYANTI: "Kebon Jayanti",
        SUKAPURA: "Sukapura",
    }


def test_import_boundaries_stores_each_region_once(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "desa.gpkg",
        [
            {"kode": "3273161002", "geometry": square(107.64)},
            {"kode": "3273161001", "geometry": square(107.66)},
            {"kode": "3273161001", "geometry": square(107.68)},  # Sukapura in two parts
        ],
    )
    report = import_boundaries(session, path, "kode")
    assert (report.stored, report.replaced, report.refused, report.unmatched_codes) == (2, 0, [], [])
    assert boundary_count(session) == 2
    loaded = load_boundaries(session, [KEBON_JAYANTI, SUKAPURA, KIARACONDONG])
    assert set(loaded) == {KEBON_JAYANTI, SUKAPURA}
    assert same(loaded[KEBON_JAYANTI], square(107.64))
    assert isinstance(loaded[SUKAPURA], MultiPolygon) and len(loaded[SUKAPURA].geoms) == 2
    row = session.get(RegionBoundary, KEBON_JAYANTI)
    assert row is not None and row.source == "desa.gpkg"


def test_import_boundaries_stores_nothing_when_a_feature_is_refused(session: Session, tmp_path: Path) -> None:
    import_boundaries(
        session, write(tmp_path / "first.geojson", [{"kode": KEBON_JAYANTI, "geometry": square()}]), "kode"
    )
    second = write(
        tmp_path / "second.geojson",
        [
            {"kode": KEBON_JAYANTI, "geometry": square(107.70)},
            {"kode": SUKAPURA, "geometry": square(107.66)},
            {"kode": KIARACONDONG, "geometry": BOW_TIE},
        ],
    )
    with pytest.raises(BoundaryImportRefused) as refused:
        import_boundaries(session, second, "kode")
    report = refused.value.report
    assert report.stored == 0 and report.source == "second.geojson"
    assert [(r.index, r.code) for r in report.refused] == [(2, KIARACONDONG)]
    assert report.refused[0].reason.startswith("invalid geometry: Self-intersection")
    assert refused.value.status_code == 422 and "nothing stored" in refused.value.message

    assert boundary_count(session) == 1
    assert same(load_boundaries(session, [KEBON_JAYANTI])[KEBON_JAYANTI], square())  # unchanged
    row = session.get(RegionBoundary, KEBON_JAYANTI)
    assert row is not None and row.source == "first.geojson"


def test_import_boundaries_refuses_codes_missing_from_the_region_list(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "baru.geojson",
        [{"kode": "3273161999", "geometry": square()}, {"kode": KEBON_JAYANTI, "geometry": square(107.7)}],
    )
    with pytest.raises(BoundaryImportRefused) as refused:
        import_boundaries(session, path, "kode")
    assert refused.value.report.refused == [RefusedFeature(0, "3273161999", "unknown region code")]
    assert refused.value.report.unmatched_codes == ["32.73.16.1999"]
    assert boundary_count(session) == 0


def test_import_boundaries_with_accept_partial_stores_the_good_features(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "campur.geojson",
        [
            {"kode": KEBON_JAYANTI, "geometry": square()},
            {"kode": KIARACONDONG, "geometry": BOW_TIE},
            {"kode": "3273161999", "geometry": square()},
        ],
    )
    report = import_boundaries(session, path, "kode", accept_partial=True)
    assert report.stored == 1 and report.replaced == 0
    assert [(r.index, r.reason.split(":")[0]) for r in report.refused] == [
        (1, "invalid geometry"),
        (2, "unknown region code"),
    ]
    assert report.unmatched_codes == ["32.73.16.1999"]
    assert set(load_boundaries(session, [KEBON_JAYANTI, KIARACONDONG])) == {KEBON_JAYANTI}


def test_import_boundaries_again_replaces_the_stored_outline(session: Session, tmp_path: Path) -> None:
    import_boundaries(session, write(tmp_path / "v1.geojson", [{"kode": KEBON_JAYANTI, "geometry": square()}]), "kode")
    before = session.get(RegionBoundary, KEBON_JAYANTI)
    assert before is not None
    created_at = before.created_at
    session.expunge_all()

    rows = [{"kode": KEBON_JAYANTI, "geometry": square(107.70)}, {"kode": SUKAPURA, "geometry": square(107.66)}]
    report = import_boundaries(session, write(tmp_path / "v2.geojson", rows), "kode")
    assert (report.stored, report.replaced) == (2, 1)
    assert boundary_count(session) == 2
    assert same(load_boundaries(session, [KEBON_JAYANTI])[KEBON_JAYANTI], square(107.70))
    after = session.get(RegionBoundary, KEBON_JAYANTI)
    assert after is not None and after.source == "v2.geojson"
    assert after.created_at == created_at and after.updated_at > created_at


def test_import_boundaries_rolls_back_when_storing_fails_midway(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_boundaries(session, write(tmp_path / "v1.geojson", [{"kode": KEBON_JAYANTI, "geometry": square()}]), "kode")
    execute = session.execute
    calls: list[str] = []

    def failing_execute(statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_insert", False):
            calls.append("insert")
            raise RuntimeError("disk full")
        return execute(statement, *args, **kwargs)

    monkeypatch.setattr(session, "execute", failing_execute)
    rows = [{"kode": KEBON_JAYANTI, "geometry": square(107.70)}, {"kode": SUKAPURA, "geometry": square(107.66)}]
    with pytest.raises(RuntimeError, match="disk full"):
        import_boundaries(session, write(tmp_path / "v2.geojson", rows), "kode")
    monkeypatch.undo()

    assert calls == ["insert"]  # the replacement of Kebon Jayanti had been sent before
    assert boundary_count(session) == 1
    assert same(load_boundaries(session, [KEBON_JAYANTI])[KEBON_JAYANTI], square())


def test_import_boundaries_queries_many_codes_in_batches(session: Session, tmp_path: Path) -> None:
    villages = session.exec(
        select(Region.code).where(col(Region.code).startswith("32.73.")).where(Region.level == "village")
    ).all()
    central_java = session.exec(select(Region.code).where(col(Region.code).startswith("33.")).limit(450)).all()
    # villages of Kota Bandung, the province of Central Java and some of its regions
    codes = [*sorted(villages)[:150], "33", *sorted(central_java)]
    assert len(set(codes)) > 500
    rows = [
        {"kode": code.replace(".", ""), "geometry": square(107 + i * 0.001, size=0.001)} for i, code in enumerate(codes)
    ]
    report = import_boundaries(session, write(tmp_path / "banyak.gpkg", rows), "kode")
    assert report.stored == len(codes) and report.refused == []
    assert len(load_boundaries(session, codes)) == len(codes) == boundary_count(session)


def test_import_boundaries_raises_for_an_unusable_file(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "desa.geojson", [{"KDEPUM": "3273161002", "geometry": square()}])
    with pytest.raises(BoundaryFileError, match="no column 'kode'; its columns: KDEPUM"):
        import_boundaries(session, path, "kode")


def test_import_report_lists_at_most_fifty_lines_each() -> None:
    report = ImportReport(
        source="x.geojson",
        stored=3,
        replaced=1,
        refused=[RefusedFeature(i, "", "no code") for i in range(53)],
        unmatched_codes=[f"32.73.16.{2000 + i}" for i in range(51)],
    )
    lines = report.lines()
    assert lines[0] == "stored 3 boundaries (1 replaced)"
    assert lines[1] == "refused 53 features:" and lines[2] == "  #0 code '': no code"
    assert "  … and 3 more" in lines and "  … and 1 more" in lines
    assert len(lines) == 1 + (1 + 50 + 1) + (1 + 50 + 1)


def test_cli_boundaries_import_stores_and_reports(db_url: str, session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "desa.geojson", [{"kode": "3273161002", "geometry": square()}])
    result = jejaring(db_url, "boundaries", "import", str(path), "--code-column", "kode")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stored 1 boundaries (0 replaced)"
    again = jejaring(db_url, "boundaries", "import", str(path), "--code-column", "kode")
    assert again.returncode == 0 and "stored 1 boundaries (1 replaced)" in again.stdout
    assert boundary_count(session) == 1


def test_cli_boundaries_import_reads_the_named_layer(db_url: str, session: Session, tmp_path: Path) -> None:
    package = tmp_path / "batas.gpkg"
    for layer, code in (("kecamatan", "327316"), ("desa", "3273161002")):
        frame = gpd.GeoDataFrame({"kode": [code]}, geometry=[square()], crs="EPSG:4326")
        frame.to_file(package, layer=layer, engine="pyogrio")
    unnamed = jejaring(db_url, "boundaries", "import", str(package), "--code-column", "kode")
    assert unnamed.returncode == 2 and "name the one to read: kecamatan, desa" in unnamed.stderr
    named = jejaring(db_url, "boundaries", "import", str(package), "--code-column", "kode", "--layer", "desa")
    assert named.returncode == 0, named.stderr
    assert set(load_boundaries(session, [KEBON_JAYANTI, KIARACONDONG])) == {KEBON_JAYANTI}


def test_cli_boundaries_import_refuses_in_strict_mode_and_takes_partial(
    db_url: str, session: Session, tmp_path: Path
) -> None:
    rows = [
        {"kode": "3273161002", "geometry": square()},
        {"kode": "3273161999", "geometry": square(107.7)},
        {"kode": "327316", "geometry": BOW_TIE},
    ]
    path = write(tmp_path / "campur.geojson", rows)
    strict = jejaring(db_url, "boundaries", "import", str(path), "--code-column", "kode")
    assert strict.returncode == 2
    assert "refused 2 features:" in strict.stdout
    assert "#1 code '3273161999': unknown region code" in strict.stdout
    assert "#2 code '327316': invalid geometry: Self-intersection" in strict.stdout
    assert "1 codes are not in the region list:\n  32.73.16.1999" in strict.stdout
    assert "nothing stored; fix the features above or pass --accept-partial" in strict.stderr
    assert boundary_count(session) == 0

    partial = jejaring(db_url, "boundaries", "import", str(path), "--code-column", "kode", "--accept-partial")
    assert partial.returncode == 0, partial.stderr
    assert partial.stdout.startswith("stored 1 boundaries (0 replaced)\nrefused 2 features:")
    assert set(load_boundaries(session, [KEBON_JAYANTI, KIARACONDONG])) == {KEBON_JAYANTI}


def test_cli_boundaries_import_exits_2_for_an_unusable_file(db_url: str, tmp_path: Path) -> None:
    text = tmp_path / "x.geojson"
    text.write_text("not geodata\n")
    result = jejaring(db_url, "boundaries", "import", str(text), "--code-column", "kode")
    assert result.returncode == 2
    assert "error: x.geojson is not a GeoJSON or GeoPackage file: " in result.stderr
    path = write(tmp_path / "desa.geojson", [{"KDEPUM": "3273161002", "geometry": square()}])
    missing = jejaring(db_url, "boundaries", "import", str(path), "--code-column", "kode")
    assert missing.returncode == 2 and "its columns: KDEPUM" in missing.stderr
