"""Loads the official region list (idn-area-data 3.1.2, ODbL) shipped in ``seeds/data/regions``."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from models.regions import Region, RegionLevel
from models.types import utcnow

DATA_DIR = Path(__file__).parent / "data" / "regions"
# file, level, name of the parent column
FILES = (
    ("provinces.csv.gz", RegionLevel.province, None),
    ("regencies.csv.gz", RegionLevel.regency, "province_code"),
    ("districts.csv.gz", RegionLevel.district, "regency_code"),
    ("villages.csv.gz", RegionLevel.village, "district_code"),
)
BATCH = 5_000


def region_rows() -> Iterator[dict[str, str | None]]:
    """Every region, parents before children, as dicts of code, level, name, parent_code."""
    for filename, level, parent_column in FILES:
        with gzip.open(DATA_DIR / filename, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield {
                    "code": row["code"],
                    "level": level.value,
                    "name": row["name"],
                    "parent_code": row[parent_column] if parent_column else None,
                }


def load_regions(session: Session) -> dict[str, int]:
    """Insert the regions not yet present (idempotent); return the count per level."""
    existing = set(session.exec(select(Region.code)).all())
    now = utcnow()
    batch: list[dict[str, object]] = []
    for row in region_rows():
        if row["code"] in existing:
            continue
        batch.append({**row, "created_at": now, "updated_at": now})
        if len(batch) >= BATCH:
            session.execute(sa.insert(Region), batch)
            batch = []
    if batch:
        session.execute(sa.insert(Region), batch)
    session.commit()
    counts = session.exec(select(Region.level, sa.func.count()).group_by(Region.level)).all()
    return {str(level): int(n) for level, n in counts}
