"""The published catalogue compiled for matching, kept per database while it is unchanged.

The published programmes (active and paused, their service areas and service points) are
compiled once (``mapping.catalog.CompiledCatalog``) and reused while a one-query stamp of the
catalogue tables is unchanged, so a family's page evaluates thousands of programmes with array
operations instead of loading and walking every rule per request.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from mapping.catalog import CompiledCatalog
from mapping.geo import PointSet
from models.organizations import Program, ProgramStatus
from service.matching.queries import catalogue_stamp, program_facts

PUBLISHED = (ProgramStatus.active, ProgramStatus.paused)


@dataclass(frozen=True)
class Catalog:
    """The published programmes compiled for matching, with their service points."""

    stamp: tuple[Any, ...]
    compiled: CompiledCatalog
    points: PointSet


_catalogs: weakref.WeakKeyDictionary[Engine, Catalog] = weakref.WeakKeyDictionary()
_catalog_lock = threading.Lock()


def published_catalog(session: Session) -> Catalog:
    """The compiled published catalogue, rebuilt only when the catalogue tables changed."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    stamp = catalogue_stamp(session)
    cached = _catalogs.get(engine)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _catalog_lock:
        cached = _catalogs.get(engine)
        if cached is not None and cached.stamp == stamp:
            return cached
        programs, points = program_facts(session, [col(Program.status).in_(PUBLISHED)])
        position = {p.program_id: i for i, p in enumerate(programs)}
        owners, lats, lons = [], [], []
        for pid, pts in points.items():
            for lat, lon in pts:
                owners.append(position[pid])
                lats.append(lat)
                lons.append(lon)
        catalog = Catalog(stamp, CompiledCatalog(programs), PointSet(owners, lats, lons, len(programs)))
        _catalogs[engine] = catalog
        return catalog
