"""Administrative regions (Kemendagri codes): province, regency, district, village."""

from __future__ import annotations

from enum import StrEnum

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
