"""What the matching use cases return: a family's matches, a caseload's screening, a rule
preview and an organisation's demand."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from models.eligibility import EligibilityRule
from models.types import DbId, RegionCode

MAX_LISTED = 10_000  # household_ids in one screening request (each is a bound parameter)

Status = Literal["eligible", "unknown", "ineligible"]


class Reason(BaseModel):
    field: str
    op: str
    expected: Any
    actual: Any
    result: Literal["pass", "fail", "unknown"] = Field(description="How the criterion counts for this family")
    message: str
    path: str = Field(description='Where the criterion sits in the rule ("all[2].any[0]"); "" for reach checks')


class Match(BaseModel):
    program_id: int
    program_name: str
    organization_name: str
    organization_verified: bool = Field(description="An administrator or forum organiser checked the organisation")
    kind: str
    status: Status
    score: float
    score_parts: dict[str, float]
    distance_km: float | None
    business_id: int | None
    failing: int = Field(description="Criteria that fail (for near misses: what is missing)")
    unknowns: int = Field(description="Criteria with no data yet (ask the family)")
    reasons: list[Reason]


class Matches(BaseModel):
    household_id: int
    evaluated_at: str
    counts: dict[Status, int] = Field(description="Programmes serving the family's regency, per status")
    total: int = Field(description="Matches in the list before paging (ineligible ones only when asked for)")
    limit: int
    offset: int
    matches: list[Match]


class ScreeningRequest(BaseModel):
    household_ids: list[DbId] | None = Field(default=None, max_length=MAX_LISTED)
    region: RegionCode | None = None
    has_business: bool | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> ScreeningRequest:
        if self.household_ids is None and self.region is None and self.has_business is None:
            raise ValueError("send household_ids, or a filter (region, has_business)")
        return self


class ScreenedHousehold(BaseModel):
    household_id: int
    eligible: list[int]
    unknown: list[int]
    ineligible: list[int]


class ProgramCount(BaseModel):
    program_id: int
    program_name: str
    eligible: int
    unknown: int


class Screening(BaseModel):
    evaluated_at: str
    screened: int
    left_out: int = Field(description="Requested households outside your caseload (not screened)")
    households: list[ScreenedHousehold]
    programs: list[ProgramCount]


class PreviewRequest(BaseModel):
    eligibility: EligibilityRule = None
    service_area: list[RegionCode] = Field(min_length=1, max_length=500)


class Preview(BaseModel):
    households_in_area: int | None = Field(
        description="Rounded to a multiple of rounded_to; null when the area is smaller than min_area_households"
    )
    eligible: int | None = Field(description="null: between 1 and 4, withheld so no family can be singled out")
    unknown: int | None
    ineligible: int | None
    withheld_below: int | None = Field(
        description="Counts from 1 to this number minus one are withheld (null) for everyone but administrators "
        "(10 when the rule touches a sensitive field)"
    )
    rounded_to: int | None = Field(
        default=None, description="Shown counts are rounded to a multiple of this (null: exact, for administrators)"
    )
    withheld_reason: str | None = Field(
        default=None,
        description="Why every count is null: small_area (fewer households than min_area_households) or "
        "sensitive_group (a sensitive condition decides fewer than 10 households)",
    )


class VillageDemandPublic(BaseModel):
    village_code: str
    village_name: str | None
    households: int | None
    with_fitting_business: int | None
    eligible: int | None
    referred: int | None


class Demand(BaseModel):
    organization_id: int
    withheld_below: int | None
    villages: list[VillageDemandPublic]
