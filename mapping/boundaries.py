"""Administrative boundaries read from a GeoJSON or GeoPackage file, keyed by Kemendagri code.

The file is checked feature by feature: each feature needs a region code (dotted, ``32.73.16.1002``,
or digits only, ``3273161002``) that names a known region, and a valid, non-empty polygon or
multipolygon. Features that fail are refused with their index and the reason; several features with
the same code (a village in several parts) are unioned into one geometry. Whatever the file's
coordinate reference system, the geometries come back in WGS84 (EPSG:4326).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from shapely.geometry.base import BaseGeometry

from models.types import REGION_CODE_PATTERN

WGS84 = "EPSG:4326"
DRIVERS = frozenset({"GeoJSON", "GeoJSONSeq", "GPKG"})
"""The GDAL drivers whose files are read: GeoJSON (also one feature per line) and GeoPackage."""

_DOTTED_RE = re.compile(REGION_CODE_PATTERN)
_DIGITS_RE = re.compile(r"^\d+$")
_SPLITS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError)


class BoundaryFileError(ValueError):
    """The boundary file cannot be used at all; the message says what to fix."""


@dataclass(frozen=True)
class RefusedFeature:
    """A feature that was not taken: its index in the file, its code as given, and why."""

    index: int
    code: str
    reason: str


@dataclass
class BoundaryFile:
    """What a boundary file holds: accepted geometries per region code and what was refused."""

    source: str
    """The file's name."""
    geometries: dict[str, BaseGeometry] = field(default_factory=dict)
    """Per region code, its (multi)polygon in WGS84; parts with the same code are unioned."""
    refused: list[RefusedFeature] = field(default_factory=list)
    """The features not taken, in file order."""
    unmatched_codes: list[str] = field(default_factory=list)
    """Well-formed region codes in the file that are not among the known codes, sorted."""
    feature_count: int = 0
    """How many features the file (layer) has."""


def normalize_code(value: object) -> str | None:
    """Turn a region code as boundary files carry it into the dotted Kemendagri form.

    Parameters
    ----------
    value
        A dotted code (``"32.73.16.1002"``), a digit string of length 2, 4, 6 or 10
        (``"3273161002"``), or an integer (``3273``, also as an integral float).

    Returns
    -------
    str or None
        The dotted code, or None when ``value`` is missing or not shaped like a region code.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        text = str(int(value))
    elif isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number) or not number.is_integer():
            return None
        text = str(int(number))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if _DOTTED_RE.match(text):
        return text
    if not _DIGITS_RE.match(text) or len(text) not in _SPLITS:
        return None
    parts, start = [], 0
    for width in _SPLITS[len(text)]:
        parts.append(text[start : start + width])
        start += width
    return ".".join(parts)


def _as_given(value: object) -> str:
    """The code value as the file gives it, for reports ('' when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral) and float(value).is_integer():
        return str(int(float(value)))
    return str(value)


def _layer_info(path: Path, code_column: str, layer: str | None) -> dict[str, Any]:
    """Open the file's layer and check it can be read as boundaries; return pyogrio's layer info."""
    if not path.is_file():
        raise BoundaryFileError(f"{path} does not exist or is not a file")
    try:
        layers = [str(name) for name, _kind in pyogrio.list_layers(path)]
        if layer is not None and layer not in layers:
            raise BoundaryFileError(f"{path.name} has no layer {layer!r}; its layers: {', '.join(layers)}")
        if layer is None and len(layers) > 1:
            raise BoundaryFileError(f"{path.name} has {len(layers)} layers; name the one to read: {', '.join(layers)}")
        info: dict[str, Any] = pyogrio.read_info(path, layer=layer)
    except _READ_ERRORS as exc:
        raise BoundaryFileError(f"{path.name} is not a GeoJSON or GeoPackage file: {exc}") from exc
    driver = str(info.get("driver"))
    if driver not in DRIVERS:
        raise BoundaryFileError(f"{path.name} is not a GeoJSON or GeoPackage file: GDAL reads it as {driver}")
    if info.get("features") == 0:
        raise BoundaryFileError(f"{path.name} has no features; export the layer with its boundaries")
    columns = [str(c) for c in info.get("fields", [])]
    if code_column not in columns:
        available = ", ".join(columns) if columns else "none"
        raise BoundaryFileError(f"{path.name} has no column {code_column!r}; its columns: {available}")
    return info


def codes_in_file(path: str | PathLike[str], code_column: str, *, layer: str | None = None) -> set[str]:
    """The well-formed region codes a boundary file names, read without its geometries.

    Parameters
    ----------
    path
        A GeoJSON or GeoPackage file.
    code_column
        The attribute holding the region code.
    layer
        The layer to read; needed only when the file has several.

    Returns
    -------
    set of str
        The dotted codes (values that are not shaped like a code are left out).

    Raises
    ------
    BoundaryFileError
        When the file cannot be read as boundaries at all.
    """
    path = Path(path)
    _layer_info(path, code_column, layer)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, columns=[code_column], read_geometry=False)
    except _READ_ERRORS as exc:
        raise BoundaryFileError(f"{path.name} is not a GeoJSON or GeoPackage file: {exc}") from exc
    codes = (normalize_code(v) for v in frame[code_column].tolist())
    return {c for c in codes if c is not None}


def _to_wgs84(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """The frame in WGS84; refuse the file when its coordinates cannot be longitude/latitude."""
    if frame.crs is not None:
        frame = frame.to_crs(WGS84)
    present = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if len(present):
        minx, miny, maxx, maxy = (float(b) for b in present.total_bounds)
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            declared = "declares no coordinate reference system" if frame.crs is None else "declares WGS84"
            raise BoundaryFileError(
                f"{name} {declared} but its coordinates are not longitude/latitude "
                f"(bounds {minx:.6g}, {miny:.6g}, {maxx:.6g}, {maxy:.6g}); "
                "save it with its coordinate reference system or reproject it to EPSG:4326"
            )
    return frame if frame.crs is not None else frame.set_crs(WGS84)


def read_boundaries(
    path: str | PathLike[str],
    code_column: str,
    known_codes: Collection[str],
    *,
    layer: str | None = None,
) -> BoundaryFile:
    """Read region outlines from a GeoJSON or GeoPackage file and check them feature by feature.

    Parameters
    ----------
    path
        A GeoJSON or GeoPackage file.
    code_column
        The attribute holding the Kemendagri code, dotted or digits only.
    known_codes
        The region codes a feature may name (at least those in the file; others do no harm).
    layer
        The layer to read; needed only when the file has several.

    Returns
    -------
    BoundaryFile
        Accepted geometries per code (WGS84, parts with one code unioned), the refused features
        with their reason, and the well-formed codes that are not known. When any part of a
        region is refused, its other parts are refused too, so no region is taken incomplete.

    Raises
    ------
    BoundaryFileError
        When the file is not GeoJSON or GeoPackage, lacks ``code_column``, has no features, or
        has coordinates that cannot be longitude/latitude.
    """
    path = Path(path)
    _layer_info(path, code_column, layer)
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except _READ_ERRORS as exc:
        raise BoundaryFileError(f"{path.name} is not a GeoJSON or GeoPackage file: {exc}") from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.active_geometry_name is None:
        raise BoundaryFileError(f"{path.name} has no geometry column")
    if len(frame) == 0:
        raise BoundaryFileError(f"{path.name} has no features; export the layer with its boundaries")
    frame = _to_wgs84(frame, path.name)

    geoms = shapely.force_2d(np.asarray(frame.geometry.array, dtype=object))
    missing = shapely.is_missing(geoms)
    empty = missing | shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    valid = shapely.is_valid(geoms)
    raw_codes: list[object] = frame[code_column].tolist()

    result = BoundaryFile(source=path.name, feature_count=len(frame))
    unmatched: set[str] = set()
    parts: dict[str, list[int]] = {}
    refused_codes: set[str] = set()
    for i, raw in enumerate(raw_codes):
        given = _as_given(raw)
        code = normalize_code(raw)
        reason: str | None = None
        if code is None:
            reason = "no code" if given.strip() == "" else "unknown region code"
        elif code not in known_codes:
            reason = "unknown region code"
            unmatched.add(code)
        elif empty[i]:
            reason = "empty geometry"
        elif not polygonal[i]:
            reason = "not a polygon"
        elif not valid[i]:
            reason = f"invalid geometry: {shapely.is_valid_reason(geoms[i])}"
        if reason is not None:
            result.refused.append(RefusedFeature(index=i, code=given, reason=reason))
            if code is not None:
                refused_codes.add(code)
            continue
        assert code is not None
        parts.setdefault(code, []).append(i)

    for code, indexes in parts.items():
        if code in refused_codes:
            result.refused.extend(
                RefusedFeature(index=i, code=_as_given(raw_codes[i]), reason="another part of this region was refused")
                for i in indexes
            )
            continue
        geometry: BaseGeometry = geoms[indexes[0]] if len(indexes) == 1 else shapely.union_all(geoms[indexes])
        result.geometries[code] = geometry
    result.refused.sort(key=lambda r: r.index)
    result.unmatched_codes = sorted(unmatched)
    return result
