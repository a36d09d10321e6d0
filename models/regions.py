"""Administrative regions (Kemendagri codes): province, regency, district, village."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import Timestamped, enum_column


class RegionLevel(StrEnum):
    province = "province"
    regency = "regency"
    district = "district"
    village = "village"


class RegionBase(SQLModel):
    code: str = Field(primary_key=True, max_length=13)
    level: RegionLevel = enum_column(RegionLevel, index=True)
    name: str = Field(max_length=120, index=True)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=13)


class Region(RegionBase, Timestamped, table=True):
    """One row of the official code list; reference data, loaded by ``jejaring seed regions``."""


class RegionPublic(RegionBase):
    pass


class RegionBoundary(Timestamped, table=True):
    """A region's outline, imported once from a boundary file by ``jejaring boundaries import``.

    The (multi)polygon is kept as GeoJSON geometry text in WGS84 (EPSG:4326), so the same column
    works on SQLite and PostgreSQL without a spatial extension.
    """

    __tablename__ = "region_boundary"

    region_code: str = Field(primary_key=True, foreign_key="region.code", max_length=13, ondelete="CASCADE")
    geometry: str = Field(sa_type=sa.Text, nullable=False)  # GeoJSON geometry, WGS84
    source: str = Field(max_length=200)  # the file name it came from
