"""Maps as files for ``jejaring maps export``: whom they are built for and how they are written."""

from __future__ import annotations

import json
from pathlib import Path

from mapping.maps import MapDoc, render_html, to_geojson, to_gpkg
from models.users import Role
from service.core.scope import Scope
from service.errors import InvalidInput


def export_scope(region: str) -> Scope:
    """Whom ``jejaring maps export`` builds for when no user is named: an organiser of the
    region, so the file holds households only as counts (safe to hand to a forum)."""
    return Scope(user_id=0, role=Role.forum_organizer, forum_region=region)


def write_map(doc: MapDoc, out: str | Path, *, tiles: bool = True) -> int:
    """Write ``doc`` to ``out`` by its suffix: .html (Leaflet inlined: opens offline but for the
    tiles), .geojson or .gpkg. Returns the bytes written."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(render_html(doc, assets=None, tiles=tiles), encoding="utf-8")
    elif suffix in (".geojson", ".json"):
        path.write_text(json.dumps(to_geojson(doc), ensure_ascii=False), encoding="utf-8")
    elif suffix == ".gpkg":
        to_gpkg(doc, path)
    else:
        raise InvalidInput(f"unknown output type {suffix or '(none)'}: use .html, .geojson or .gpkg", loc=("out",))
    return path.stat().st_size
