"""Optional administrative boundaries: imported once from a file, read back as shapely geometries.

``import_boundaries`` checks a GeoJSON or GeoPackage file against the region list and stores each
region's outline as GeoJSON text in WGS84. It is strict by default: one refused feature and nothing
is written. Storing is one transaction that replaces the outlines of codes already stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from shapely import to_geojson
from sqlmodel import Session

from mapping.boundaries import RefusedFeature, codes_in_file, read_boundaries
from models.types import utcnow
from service.errors import ServiceError
from service.maps import queries

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What a boundary import stored, replaced and refused."""

    source: str
    stored: int = 0
    replaced: int = 0
    refused: list[RefusedFeature] = field(default_factory=list)
    unmatched_codes: list[str] = field(default_factory=list)

    def lines(self, *, limit: int = 50) -> list[str]:
        """The report as text lines, at most ``limit`` refused features and unmatched codes each."""
        out = [f"stored {self.stored} boundaries ({self.replaced} replaced)"]
        if self.refused:
            out.append(f"refused {len(self.refused)} features:")
            out += [f"  #{r.index} code {r.code!r}: {r.reason}" for r in self.refused[:limit]]
            if len(self.refused) > limit:
                out.append(f"  … and {len(self.refused) - limit} more")
        if self.unmatched_codes:
            out.append(f"{len(self.unmatched_codes)} codes are not in the region list:")
            out += [f"  {code}" for code in self.unmatched_codes[:limit]]
            if len(self.unmatched_codes) > limit:
                out.append(f"  … and {len(self.unmatched_codes) - limit} more")
        return out


class BoundaryImportRefused(ServiceError):
    """A strict import found refused features and stored nothing; ``report`` says which and why."""

    status_code = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{report.source}: {len(report.refused)} features refused; nothing stored "
            "(fix the features or accept a partial import)"
        )
        self.report = report


def import_boundaries(
    session: Session,
    path: str | PathLike[str],
    code_column: str,
    *,
    layer: str | None = None,
    accept_partial: bool = False,
) -> ImportReport:
    """Store the region outlines of a GeoJSON or GeoPackage file, all or (if accepted) the valid ones."""
    path = Path(path)
    known = queries.known_region_codes(session, codes_in_file(path, code_column, layer=layer))
    boundaries = read_boundaries(path, code_column, known, layer=layer)
    report = ImportReport(
        source=boundaries.source, refused=boundaries.refused, unmatched_codes=boundaries.unmatched_codes
    )
    if report.refused and not accept_partial:
        raise BoundaryImportRefused(report)
    try:
        existing = queries.stored_boundary_codes(session, boundaries.geometries)
        now = utcnow()
        rows = [
            {"region_code": code, "geometry": to_geojson(geometry), "source": report.source[:200], "updated_at": now}
            for code, geometry in boundaries.geometries.items()
        ]
        updates = [r for r in rows if r["region_code"] in existing]
        inserts = [{**r, "created_at": now} for r in rows if r["region_code"] not in existing]
        queries.write_boundaries(session, updates=updates, inserts=inserts)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    report.stored, report.replaced = len(rows), len(updates)
    logger.info(
        "boundaries imported",
        extra={
            "source": report.source,
            "stored": report.stored,
            "replaced": report.replaced,
            "refused": len(report.refused),
        },
    )
    return report
