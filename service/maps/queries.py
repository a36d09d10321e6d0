"""SQL of the maps domain: service points, programmes' places and names, region outlines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from shapely import from_geojson
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, col, select

from mapping.layers.places import ServicePoint
from models.organizations import Location, Program, ProgramLocation, ProgramServiceArea
from models.regions import Region, RegionBoundary

BATCH = 500
"""Codes per ``IN (...)`` query."""


def load_locations(session: Session, *, org_ids: Iterable[int] = (), ids: Iterable[int] = ()) -> list[ServicePoint]:
    """The located, open service points of the organisations ``org_ids``, or the points ``ids``
    (a closed one is off the maps)."""
    column, wanted = (
        (col(Location.id), sorted(set(ids))) if ids else (col(Location.organization_id), sorted(set(org_ids)))
    )
    if not wanted:
        return []
    rows = session.exec(
        select(Location)
        .where(
            column.in_(wanted),
            col(Location.latitude).is_not(None),
            col(Location.longitude).is_not(None),
            col(Location.closed_on).is_(None),
        )
        .order_by(col(Location.id))
    ).all()
    return [
        ServicePoint(x.id or 0, x.organization_id, x.name, x.region_code, x.latitude or 0.0, x.longitude or 0.0)
        for x in rows
    ]


def program_locations(session: Session, program_ids: Iterable[int]) -> dict[int, list[int]]:
    """The service points (location ids) of each programme."""
    wanted = sorted(set(program_ids))
    out: dict[int, list[int]] = defaultdict(list)
    if wanted:
        stmt = select(ProgramLocation.program_id, ProgramLocation.location_id)
        for pid, lid in session.exec(stmt.where(col(ProgramLocation.program_id).in_(wanted))):
            out[pid].append(lid)
    return out


def service_areas(session: Session, program_ids: Iterable[int]) -> dict[int, list[str]]:
    """The region codes each programme serves."""
    wanted = sorted(set(program_ids))
    out: dict[int, list[str]] = defaultdict(list)
    if wanted:
        stmt = select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)
        for pid, code in session.exec(stmt.where(col(ProgramServiceArea.program_id).in_(wanted))):
            out[pid].append(code)
    return out


def program_names(session: Session, program_ids: Sequence[int]) -> dict[int, str]:
    """The names of the programmes ``program_ids``."""
    if not program_ids:
        return {}
    stmt = select(Program.id, Program.name).where(col(Program.id).in_(list(program_ids)))
    return {pid: name for pid, name in session.exec(stmt).all() if pid is not None}


# --- region outlines --------------------------------------------------------------------------


def _batches(codes: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(codes))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def load_boundaries(session: Session, codes: Iterable[str]) -> dict[str, BaseGeometry]:
    """The stored outlines of ``codes`` (those that have one), as shapely geometries in WGS84."""
    out: dict[str, BaseGeometry] = {}
    for batch in _batches(codes):
        stmt = select(RegionBoundary.region_code, RegionBoundary.geometry).where(
            col(RegionBoundary.region_code).in_(batch)
        )
        for code, text in session.exec(stmt).all():
            out[code] = from_geojson(text)
    return out


def boundary_count(session: Session) -> int:
    """How many regions have a stored outline."""
    return int(session.exec(select(sa.func.count()).select_from(RegionBoundary)).one())


def known_region_codes(session: Session, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` are in the region list."""
    found: set[str] = set()
    for batch in _batches(codes):
        found.update(session.exec(select(Region.code).where(col(Region.code).in_(batch))).all())
    return found


def stored_boundary_codes(session: Session, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` already have a stored outline."""
    found: set[str] = set()
    for batch in _batches(codes):
        stmt = select(RegionBoundary.region_code).where(col(RegionBoundary.region_code).in_(batch))
        found.update(session.exec(stmt).all())
    return found


def write_boundaries(session: Session, *, updates: list[dict[str, Any]], inserts: list[dict[str, Any]]) -> None:
    """Replace the stored outlines ``updates`` and add ``inserts`` (bulk, in this order; not committed)."""
    if updates:
        session.execute(sa.update(RegionBoundary), updates)
    if inserts:
        session.execute(sa.insert(RegionBoundary), inserts)
