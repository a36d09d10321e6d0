"""Facilitators, KPM groups, households (KPM) and their micro-businesses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import Field as PydanticField
from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

from models.organizations import Need, Sector
from models.types import (
    Address,
    DbId,
    Identifier,
    Latitude,
    Longitude,
    Name,
    Phone,
    RegionCode,
    Rupiah,
    ShortName,
    Timestamped,
    UTCDateTime,
    Version,
    Versioned,
    enum_column,
    json_column,
)


class EducationBackground(StrEnum):
    social_work = "social_work"
    other = "other"
    other_with_volunteer_experience = "other_with_volunteer_experience"


class PkhStatus(StrEnum):
    active = "active"
    graduated_natural = "graduated_natural"
    graduated_self_sufficient = "graduated_self_sufficient"
    exited = "exited"


class SalesChannel(StrEnum):
    whatsapp = "whatsapp"
    marketplace = "marketplace"
    bazaar = "bazaar"
    shop = "shop"
    social_media = "social_media"
    door_to_door = "door_to_door"


Nik = Annotated[str, StringConstraints(min_length=16, max_length=16, pattern=r"^\d{16}$")]
Sex = Literal["F", "M"]


# --- Facilitator ------------------------------------------------------------------------------


class FacilitatorBase(SQLModel):
    name: Name = Field(max_length=200)
    education_background: EducationBackground = enum_column(EducationBackground)
    phone: Phone | None = Field(default=None, max_length=40)
    region_code: RegionCode | None = Field(
        default=None,
        foreign_key="region.code",
        max_length=13,
        index=True,
        description="The regency or district the facilitator is posted to",
    )


class Facilitator(FacilitatorBase, Versioned, table=True):
    """A pendamping sosial; serves the households assigned to them in their villages."""

    id: int | None = Field(default=None, primary_key=True)


class FacilitatorVillage(Timestamped, table=True):
    facilitator_id: int = Field(foreign_key="facilitator.id", primary_key=True, ondelete="CASCADE")
    village_code: str = Field(foreign_key="region.code", primary_key=True, max_length=13, index=True)


class FacilitatorCreate(FacilitatorBase):
    village_codes: list[RegionCode] = Field(default_factory=list)


class FacilitatorUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: Name | None = None
    education_background: EducationBackground | None = None
    phone: Phone | None = None
    region_code: RegionCode | None = None
    village_codes: list[RegionCode] | None = None


class FacilitatorPublic(FacilitatorBase):
    id: int
    version: int
    village_codes: list[str]
    household_count: int


# --- KPM group --------------------------------------------------------------------------------


class KpmGroup(Versioned, table=True):
    """A P2K2 group of 20-35 KPM with a ketua kelompok.

    ``leader_household_id`` has no database foreign key (a household also points to its
    group); the service checks that the leader is a member.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: ShortName = Field(max_length=120)
    village_code: str = Field(foreign_key="region.code", max_length=13, index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id", index=True)
    leader_household_id: int | None = Field(default=None, index=True)


class KpmGroupCreate(SQLModel):
    name: ShortName
    village_code: RegionCode
    facilitator_id: DbId | None = Field(
        default=None, description="The group's facilitator (a facilitator creating a group: themselves, the default)"
    )


class KpmGroupUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: ShortName | None = None
    leader_household_id: DbId | None = Field(
        default=None, description="The ketua kelompok: a member household of the group (null: none)"
    )
    facilitator_id: DbId | None = Field(default=None, description="Administrators only: the group's facilitator")


class KpmGroupMembers(SQLModel):
    household_ids: list[DbId] = Field(min_length=1, max_length=500, description="The families to put in the group")


class KpmGroupPublic(SQLModel):
    id: int
    name: str
    village_code: str
    facilitator_id: int | None
    leader_household_id: int | None
    version: int = 1
    member_count: int = 0
    leader_name: str | None = Field(default=None, description="The leader's name, when the leader is yours to see")


# --- Household --------------------------------------------------------------------------------


class HouseholdFields(SQLModel):
    """Household fields safe to echo back to those who may see the household."""

    pkh_id: Identifier = Field(max_length=40, unique=True, min_length=1)
    head_name: Name = Field(max_length=200)
    head_birth_date: date | None = None
    head_sex: Sex | None = Field(default=None, sa_type=sa.String(1))
    phone: Phone | None = Field(default=None, max_length=40)
    village_code: RegionCode = Field(foreign_key="region.code", max_length=13, index=True)
    address: Address | None = Field(default=None, max_length=500)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    group_id: DbId | None = Field(default=None, foreign_key="kpmgroup.id", index=True)
    facilitator_id: DbId | None = Field(default=None, foreign_key="facilitator.id", index=True)
    pkh_status: PkhStatus = enum_column(PkhStatus, default=PkhStatus.active, index=True)
    pkh_joined_year: int | None = Field(default=None, ge=2007, le=2100)
    dtsen_decile: int | None = Field(default=None, ge=1, le=10)
    prse: bool | None = None
    disability: bool | None = None
    elderly: bool | None = None
    school_age_children: int | None = Field(default=None, ge=0, le=30)
    agreed_to_graduate: bool | None = None


class Household(HouseholdFields, Versioned, table=True):
    """A KPM. The head's NIK is kept only as a keyed hash (lookup) and a masked form (display)."""

    id: int | None = Field(default=None, primary_key=True)
    nik_hash: str = Field(max_length=64, unique=True)
    nik_masked: str = Field(max_length=16)
    # UU PDP: when the family left PKH (graduated or exited; retention counts from it), since when
    # its data may not be processed (restriction), and when it was anonymised (erasure).
    exited_on: date | None = Field(default=None, index=True)
    restricted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # No index: nearly every row is NULL, and SQLite's planner would take it over village_code's.
    anonymised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HouseholdCreate(HouseholdFields):
    nik: Nik


class NikLookup(SQLModel):
    """A NIK to find, sent in a request body so that it never lands in an address or a log."""

    nik: Nik


class HouseholdUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    nik: Nik | None = None
    head_name: Name | None = None
    head_birth_date: date | None = None
    head_sex: Sex | None = None
    phone: Phone | None = None
    village_code: RegionCode | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    group_id: DbId | None = None
    facilitator_id: DbId | None = None
    pkh_status: PkhStatus | None = None
    pkh_joined_year: int | None = PydanticField(default=None, ge=2007, le=2100)
    dtsen_decile: int | None = PydanticField(default=None, ge=1, le=10)
    prse: bool | None = None
    disability: bool | None = None
    elderly: bool | None = None
    school_age_children: int | None = PydanticField(default=None, ge=0, le=30)
    agreed_to_graduate: bool | None = None


# --- Business ---------------------------------------------------------------------------------


class BusinessFields(SQLModel):
    name: Name | None = Field(default=None, max_length=200)
    sector: Sector = enum_column(Sector, index=True)
    started_on: date | None = None
    monthly_revenue: Rupiah | None = Field(default=None, sa_type=sa.BigInteger)
    workers: int | None = Field(default=None, ge=0, le=1000)
    has_nib: bool | None = None
    has_pirt: bool | None = None
    has_halal: bool | None = None


class Business(BusinessFields, Versioned, table=True):
    """A usaha mikro run by a household; a household may run several."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True, ondelete="CASCADE")
    sales_channels: list[str] = json_column(nullable=False, default_factory=list)
    needs: list[str] = json_column(nullable=False, default_factory=list)


class BusinessCreate(BusinessFields):
    sales_channels: list[SalesChannel] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)


class BusinessUpdate(SQLModel):
    version: Version
    name: Name | None = None
    sector: Sector | None = None
    started_on: date | None = None
    monthly_revenue: Rupiah | None = None
    workers: int | None = PydanticField(default=None, ge=0, le=1000)
    has_nib: bool | None = None
    has_pirt: bool | None = None
    has_halal: bool | None = None
    sales_channels: list[SalesChannel] | None = None
    needs: list[Need] | None = None


class BusinessPublic(BusinessFields):
    id: int
    household_id: int
    sales_channels: list[str]
    needs: list[str]
    version: int


class HouseholdPublic(HouseholdFields):
    """What the household's facilitator and admins see: never the NIK in clear."""

    id: int
    nik_masked: str
    version: int
    created_at: datetime
    updated_at: datetime
    businesses: list[BusinessPublic] = []
