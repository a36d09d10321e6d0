"""Graduation: a family's readiness to leave PKH (weighted indicators per region), and the record of
its graduation (date, type, reason) that sets ``Household.pkh_status``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from models.types import MAX_ID, Note, RegionCode, Timestamped, enum_column


class GraduationType(StrEnum):
    """How a family left PKH: on its own feet, or because it no longer qualifies."""

    graduated_self_sufficient = "graduated_self_sufficient"
    graduated_natural = "graduated_natural"


class ReadinessIndicatorName(StrEnum):
    """The indicators a region's readiness assessment may weigh (``mapping.graduation``)."""

    revenue_3m = "revenue_3m"  # the family's revenue at or above the threshold in each of the last 3 months
    business_age = "business_age"  # its oldest business has run at least the threshold in months
    children_covered = "children_covered"  # no more school-age children than the threshold left to the PKH
    agreed = "agreed"  # the family agreed to graduate
    years_in_pkh = "years_in_pkh"  # at least the threshold in years since it joined PKH


class ReadinessRule(Timestamped, table=True):
    """One weighted indicator of a region's readiness assessment (``region_code`` null: the national
    default). A family is assessed by the rules of the most specific region holding its village."""

    __table_args__ = (sa.Index("ix_readinessrule_region_indicator", "region_code", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=13)
    indicator: ReadinessIndicatorName = enum_column(ReadinessIndicatorName)
    weight: float = Field(ge=0, le=100)
    threshold: float | None = Field(default=None, ge=0)


class ReadinessRuleIn(SQLModel):
    name: ReadinessIndicatorName
    weight: float = PydanticField(gt=0, le=100, description="Its share of the score (weights are normalised)")
    threshold: float | None = PydanticField(
        default=None, ge=0, description="Rupiah, months, children or years, by indicator; null: the default"
    )


class ReadinessRules(SQLModel):
    """A region's readiness indicators (``region_code`` null: the national default)."""

    region_code: RegionCode | None = None
    indicators: list[ReadinessRuleIn] = PydanticField(min_length=1, max_length=len(ReadinessIndicatorName))


class Graduation(Timestamped, table=True):
    """A family's graduation from PKH: one per family."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", unique=True, ondelete="CASCADE")
    graduated_on: date
    type: GraduationType = enum_column(GraduationType, index=True)
    reason: str | None = Field(default=None, max_length=2000)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user.id", ge=1, le=MAX_ID)


class GraduationCreate(SQLModel):
    graduated_on: date = PydanticField(description="The day the family left PKH (not in the future)")
    type: GraduationType
    reason: Note | None = None


class GraduationPublic(SQLModel):
    id: int
    household_id: int
    graduated_on: date
    type: GraduationType
    reason: str | None
    pkh_status: str
    recorded_by_user_id: int | None
    created_at: datetime


class IndicatorResult(SQLModel):
    name: ReadinessIndicatorName
    met: bool
    value: float | None = PydanticField(
        description="The family's value (rupiah, months, children, 1/0, years); null: unknown"
    )
    weight: float
    threshold: float | None


class ReadinessPublic(SQLModel):
    household_id: int
    score: int = PydanticField(ge=0, le=100)
    indicators: list[IndicatorResult]
    missing: list[ReadinessIndicatorName] = PydanticField(description="The indicators not met (or not known)")
    rules_region: str | None = PydanticField(description="The region whose rules apply; null: the national default")


class PotentialPublic(SQLModel):
    """A family of the "KPM potensial" list."""

    household_id: int
    pkh_id: str
    head_name: str
    village_code: str
    score: int
    missing: list[ReadinessIndicatorName]
    pkh_joined_year: int | None
    near_five_years: bool
    has_pathway: bool = PydanticField(description="A completed or open referral (until pathways land)")


class IndicatorRow(SQLModel):
    """One village's or facilitator's graduation figures for a year (``None``: withheld, under 5)."""

    kind: str  # "village" or "facilitator"
    code: str
    name: str
    graduated_self_sufficient: int | None
    graduated_natural: int | None
    self_sufficient_share: float | None
    graduations_per_month: float | None
    target_per_month: float
    on_target: bool | None
    caseload: int | None
    caseload_mark: int
    over_caseload_mark: bool | None
    business_families: int | None
    checkin_coverage: float | None


class IndicatorsPublic(SQLModel):
    region: str | None
    year: int
    months: int
    exact: bool = PydanticField(description="Counts as they are (false: under 5 withheld, the rest rounded to 5)")
    villages: list[IndicatorRow]
    facilitators: list[IndicatorRow]
    total: IndicatorRow
