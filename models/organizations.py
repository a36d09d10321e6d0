"""Organisations, their service points (locations) and their programmes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, AnyHttpUrl, EmailStr, UrlConstraints, model_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from models.eligibility import NEEDS, SECTORS, EligibilityRule
from models.types import (
    Address,
    Amount,
    DbId,
    Description,
    Email,
    Latitude,
    Longitude,
    Name,
    Phone,
    RegionCode,
    Rupiah,
    Timestamped,
    UTCDateTime,
    Version,
    Versioned,
    WebAddress,
    enum_column,
    json_column,
    utcnow,
)


class OrganizationKind(StrEnum):
    government_agency = "government_agency"
    ministry_programme = "ministry_programme"
    csr_company = "csr_company"
    ngo = "ngo"
    financial_institution = "financial_institution"
    cooperative = "cooperative"
    training_centre = "training_centre"
    marketplace = "marketplace"
    community_group = "community_group"


class ProgramKind(StrEnum):
    training = "training"
    capital_grant = "capital_grant"
    loan = "loan"
    marketing = "marketing"
    certification = "certification"
    mentoring = "mentoring"
    equipment = "equipment"


class ProgramStatus(StrEnum):
    draft = "draft"
    active = "active"
    paused = "paused"
    closed = "closed"


class CapacityUnit(StrEnum):
    seats = "seats"
    rupiah = "rupiah"


def _fits_column(url: AnyHttpUrl) -> AnyHttpUrl:
    """``url`` if its normal form (a ``/`` added, a domain in punycode) still fits its column."""
    if len(str(url)) > 500:
        raise ValueError("the web address is longer than 500 characters once written out")
    return url


WebUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=500), AfterValidator(_fits_column)]
"""A web address as written (http or https), no longer than the column that keeps it."""

Sector = StrEnum("Sector", {s: s for s in SECTORS})  # type: ignore[misc]
Need = StrEnum("Need", {n: n for n in NEEDS})  # type: ignore[misc]


# --- Organization ---------------------------------------------------------------------------


class OrganizationBase(SQLModel):
    name: Name = Field(max_length=200, index=True)
    kind: OrganizationKind = enum_column(OrganizationKind, index=True)
    region_code: RegionCode = Field(foreign_key="region.code", index=True, max_length=13)
    address: Address | None = Field(default=None, max_length=500)
    phone: Phone | None = Field(default=None, max_length=40)
    email: EmailStr | None = Field(default=None, max_length=200)
    website: WebAddress | None = Field(default=None, max_length=500)
    description: Description | None = Field(default=None, max_length=4000)


class Organization(OrganizationBase, Versioned, table=True):
    __table_args__ = (sa.UniqueConstraint("name", "region_code"),)

    id: int | None = Field(default=None, primary_key=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A user id; no database foreign key, which would close a cycle user -> organisation -> user.
    verified_by: int | None = Field(default=None)


class OrganizationCreate(OrganizationBase):
    website: WebUrl | None = None  # type: ignore[assignment]


class OrganizationUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: Name | None = None
    kind: OrganizationKind | None = None
    region_code: RegionCode | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: WebUrl | None = None
    description: Description | None = None


class OrganizationPublic(OrganizationBase):
    id: int
    version: int
    verified_at: datetime | None
    created_at: datetime
    updated_at: datetime


# --- Location ---------------------------------------------------------------------------------


class Weekday(StrEnum):
    """The days of the week, by their iCalendar (RFC 5545) codes in lower case, Monday first."""

    mo = "mo"
    tu = "tu"
    we = "we"
    th = "th"
    fr = "fr"
    sa = "sa"
    su = "su"


ClockTime = Annotated[
    str, PydanticField(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", max_length=5, description="HH:MM, 24-hour clock")
]


class OpeningHours(SQLModel):
    """When a service point is open on one day of the week (local time)."""

    day: Weekday
    opens: ClockTime
    closes: ClockTime

    @model_validator(mode="after")
    def _order(self) -> OpeningHours:
        if self.opens >= self.closes:
            raise ValueError(f"{self.day.value}: the closing time must come after the opening time")
        return self


def _one_range_per_day(hours: list[OpeningHours]) -> list[OpeningHours]:
    """The week's hours, Monday first; a day named twice is refused."""
    days = [h.day for h in hours]
    twice = sorted({d.value for d in days if days.count(d) > 1})
    if twice:
        raise ValueError(f"one opening time per day: {', '.join(twice)} named more than once")
    order = list(Weekday)
    return sorted(hours, key=lambda h: order.index(h.day))


WeekHours = Annotated[list[OpeningHours], PydanticField(max_length=7), AfterValidator(_one_range_per_day)]
"""A service point's week: at most one opening time per day; a day left out is a closed day."""


class LocationBase(SQLModel):
    name: Name = Field(max_length=200)
    region_code: RegionCode = Field(foreign_key="region.code", index=True, max_length=13)
    address: Address | None = Field(default=None, max_length=500)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    phone: Phone | None = Field(default=None, max_length=40)
    email: EmailStr | None = Field(default=None, max_length=200)


class Location(LocationBase, Versioned, table=True):
    """A service point of an organisation: an office, a training hall, a market stall."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    # ``WeekHours`` as plain dicts ({"day", "opens", "closes"}); None: not stated.
    opening_hours: list[dict[str, str]] | None = json_column()
    # From this day the service point no longer serves (kept for the record and its programmes' history).
    closed_on: date | None = Field(default=None)


class LocationCreate(LocationBase):
    opening_hours: WeekHours | None = None


class LocationUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: Name | None = None
    region_code: RegionCode | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    phone: Phone | None = None
    email: Email | None = None
    opening_hours: WeekHours | None = None
    closed_on: date | None = Field(default=None, description="Close the service point from this day; null reopens it")


class LocationClose(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    closed_on: date | None = Field(default=None, description="The first day it no longer serves (default: today)")


class LocationPublic(LocationBase):
    id: int
    organization_id: int
    version: int
    opening_hours: list[OpeningHours] | None = None
    closed_on: date | None = None
    is_open: bool = True


# --- Program ----------------------------------------------------------------------------------


class ProgramServiceArea(Timestamped, table=True):
    """One region (any level) a programme serves; a household is served when its village lies in it."""

    program_id: int = Field(foreign_key="program.id", primary_key=True, ondelete="CASCADE")
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=13, index=True)
    # An area beyond the organisation's own region widens its staff's reach only once an admin
    # approved it (``service.core.scope.reach_of``). A user id, no foreign key (as ``verified_by``).
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: int | None = Field(default=None)


class ProgramLocation(Timestamped, table=True):
    program_id: int = Field(foreign_key="program.id", primary_key=True, ondelete="CASCADE")
    location_id: int = Field(foreign_key="location.id", primary_key=True, ondelete="CASCADE")


class ProgramFields(SQLModel):
    """Fields a programme's owner writes; shared by the table and the API schemas."""

    name: Name = Field(max_length=200, index=True)
    kind: ProgramKind = enum_column(ProgramKind, index=True)
    description: Description | None = Field(default=None, max_length=4000)
    benefit_min: Rupiah | None = Field(default=None, sa_type=sa.BigInteger)
    benefit_max: Rupiah | None = Field(default=None, sa_type=sa.BigInteger)
    interest_rate: float | None = Field(default=None, ge=0, le=100, description="Loans: percent per year")
    capacity: Amount | None = Field(default=None, ge=0, sa_type=sa.BigInteger)
    capacity_remaining: Amount | None = Field(default=None, ge=0, sa_type=sa.BigInteger)
    capacity_unit: CapacityUnit = enum_column(CapacityUnit, default=CapacityUnit.seats)
    opens_on: date | None = None
    closes_on: date | None = None
    status: ProgramStatus = enum_column(ProgramStatus, default=ProgramStatus.draft, index=True)
    valid_from: date | None = None
    valid_to: date | None = None
    source_url: WebAddress | None = Field(default=None, max_length=500)


class Program(ProgramFields, Versioned, table=True):
    """An offering: training, a grant, a loan, a marketing outlet, certification, mentoring."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    eligibility: dict[str, Any] | None = json_column()
    sectors: list[str] = json_column(nullable=False, default_factory=list)


def check_program_ranges(p: dict[str, Any]) -> None:
    """Raise ``ValueError`` when a programme's low/high pairs are inverted."""
    pairs = (
        ("benefit_min", "benefit_max"),
        ("opens_on", "closes_on"),
        ("valid_from", "valid_to"),
        ("capacity_remaining", "capacity"),
    )
    for low, high in pairs:
        if p.get(low) is not None and p.get(high) is not None and p[low] > p[high]:
            raise ValueError(f"{low} cannot exceed {high}")


class ProgramCreate(ProgramFields):
    organization_id: DbId
    eligibility: EligibilityRule = None
    service_area: list[RegionCode] = Field(default_factory=list, max_length=500)
    location_ids: list[DbId] = Field(default_factory=list, max_length=500)
    sectors: list[Sector] = Field(default_factory=list)
    source_url: WebUrl | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _ranges(self) -> ProgramCreate:
        check_program_ranges(self.model_dump())
        return self


class ProgramUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: Name | None = None
    kind: ProgramKind | None = None
    description: Description | None = None
    benefit_min: Rupiah | None = None
    benefit_max: Rupiah | None = None
    interest_rate: float | None = Field(default=None, ge=0, le=100)
    capacity: Amount | None = None
    capacity_remaining: Amount | None = None
    capacity_unit: CapacityUnit | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    status: ProgramStatus | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source_url: WebUrl | None = None
    eligibility: EligibilityRule = None
    service_area: list[RegionCode] | None = Field(default=None, max_length=500)
    location_ids: list[DbId] | None = Field(default=None, max_length=500)
    sectors: list[Sector] | None = None


class ProgramPublic(ProgramFields):
    id: int
    organization_id: int
    organization_name: str
    eligibility: dict[str, Any] | None
    service_area: list[str]
    # Areas beyond the organisation's own region no admin approved yet: served, but they do not
    # widen its staff's reach (network, gaps, maps, demand, preview).
    service_area_unapproved: list[str] = []
    location_ids: list[int]
    sectors: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class ProgramRevision(Timestamped, table=True):
    """One change of a programme: who, when, which version, and each field's old and new value."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    version: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=20)  # create, update, publish
    changes: dict[str, Any] = json_column(nullable=False, default_factory=dict)


class HsdsExternalId(Timestamped, table=True):
    """Which local record an HSDS id of another publisher was imported as (import idempotency)."""

    __tablename__ = "hsds_external_id"

    source: str = Field(primary_key=True, max_length=200)  # the package's publisher (datapackage name)
    entity: str = Field(primary_key=True, max_length=20)  # organization, location, service
    external_id: str = Field(primary_key=True, max_length=64)
    local_id: int = Field(index=True)
