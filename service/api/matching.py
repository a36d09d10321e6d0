"""Matching endpoints: a household's ranked programmes, caseload screening, rule preview."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import numpy as np
import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, select

from mapping.matching import ProgramFacts
from mapping.screening import screen
from models.eligibility import EligibilityRule, region_codes_in
from models.households import Business, Household
from models.types import RegionCode, utcnow
from models.users import Role
from service import matching as svc
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope, within
from service.deps import ScopeDep, SessionDep, SettingsDep
from service.errors import Forbidden, InvalidInput

router = APIRouter(tags=["matching"])

MAX_SCREENING = 50_000
MAX_LISTED = 10_000  # household_ids in one request (each is a bound parameter)
MAX_PREVIEW = 500_000


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
    status: Literal["eligible", "unknown", "ineligible"]
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
    counts: dict[Literal["eligible", "unknown", "ineligible"], int] = Field(
        description="Programmes serving the family's regency, per status"
    )
    total: int = Field(description="Matches in the list before paging (ineligible ones only when asked for)")
    limit: int
    offset: int
    matches: list[Match]


@router.get("/households/{household_id}/matches", response_model=Matches)
def household_matches(
    household_id: int,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    lang: Annotated[Literal["id", "en"], Query()] = "id",
    include_ineligible: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Matches:
    """The programmes this family qualifies for, may qualify for, or nearly does, with reasons.

    Ranked: eligible first; then unknown, fewest unknowns first; then the near misses, fewest
    failing criteria first; within each band by score. Only programmes serving the family's
    regency (or everywhere) are listed.
    """
    household = get_in_scope(session, scope, Household, household_id, "Household")
    now = utcnow()
    found = svc.find_matches(
        session,
        household,
        today=settings.today(),
        lang=lang,
        include_ineligible=include_ineligible,
        limit=limit,
        offset=offset,
    )
    return Matches(
        household_id=household_id,
        evaluated_at=now.isoformat(),
        counts=found.counts,  # type: ignore[arg-type]
        total=found.total,
        limit=limit,
        offset=offset,
        matches=found.items,  # type: ignore[arg-type]
    )


class ScreeningRequest(BaseModel):
    household_ids: list[int] | None = Field(default=None, max_length=MAX_LISTED)
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


@router.post("/screenings", response_model=Screening)
def screen_caseload(body: ScreeningRequest, session: SessionDep, scope: ScopeDep, settings: SettingsDep) -> Screening:
    """Screen your caseload (or the listed households of it) against the programmes serving it.

    Programmes are the published ones serving the screened households' regencies (or everywhere).
    Households you name that are not in your care are not screened; ``left_out`` counts them.
    """
    scope.require_list(Household, "household records")
    clauses: list[Any] = [scope.where(Household)]
    if body.region:
        require_regions(session, [body.region], loc=("body", "region"))
        clauses.append(within(Household.village_code, body.region))
    if body.has_business is not None:
        exists = sa.exists().where(Business.household_id == Household.id)
        clauses.append(exists if body.has_business else ~exists)
    where = clauses
    wanted: set[int] = set()
    if body.household_ids is not None:
        wanted = set(body.household_ids)
        where = [*clauses, Household.id.in_(wanted)]  # type: ignore[union-attr]
    selected = session.exec(select(sa.func.count()).select_from(Household).where(*where)).one()
    if selected > MAX_SCREENING:
        raise InvalidInput(f"a screening takes at most {MAX_SCREENING} households; narrow the filter", loc=("body",))
    left_out = len(wanted) - selected if body.household_ids is not None else 0
    now = utcnow()
    ids, programs, codes = svc.screen_where(session, where, today=settings.today())
    out_households = []
    for j, hid in enumerate(ids):
        column = codes[:, j]
        out_households.append(
            ScreenedHousehold(
                household_id=hid,
                eligible=[programs[i].program_id for i in np.flatnonzero(column == 2)],
                unknown=[programs[i].program_id for i in np.flatnonzero(column == 1)],
                ineligible=[programs[i].program_id for i in np.flatnonzero(column == 0)],
            )
        )
    counts = [
        ProgramCount(
            program_id=p.program_id,
            program_name=p.name,
            eligible=int((codes[i] == 2).sum()),
            unknown=int((codes[i] == 1).sum()),
        )
        for i, p in enumerate(programs)
    ]
    return Screening(
        evaluated_at=now.isoformat(), screened=len(ids), left_out=left_out, households=out_households, programs=counts
    )


class PreviewRequest(BaseModel):
    eligibility: EligibilityRule = None
    service_area: list[RegionCode] = Field(min_length=1, max_length=500)


SMALL_COUNT = 5


class Preview(BaseModel):
    households_in_area: int
    eligible: int | None = Field(description="null: between 1 and 4, withheld so no family can be singled out")
    unknown: int | None
    ineligible: int | None
    withheld_below: int | None = Field(
        description="Counts from 1 to this number minus one are withheld (null) for everyone but administrators"
    )


def withhold_small_counts(counts: dict[str, int]) -> dict[str, int | None]:
    """Withhold counts of 1-4 and, if only one is withheld, the next smallest, so none can be derived."""
    small = [k for k, v in counts.items() if 0 < v < SMALL_COUNT]
    if len(small) == 1:
        others = sorted((v, k) for k, v in counts.items() if k not in small and v > 0)
        if others:
            small.append(others[0][1])
    return {k: (None if k in small else v) for k, v in counts.items()}


@router.post("/programs/preview", response_model=Preview)
def preview_rule(body: PreviewRequest, session: SessionDep, scope: ScopeDep, settings: SettingsDep) -> Preview:
    """How many households in a service area a draft rule would admit (counts only, no identities)."""
    return preview_counts(session, scope, body, today=settings.today())


def preview_counts(session: Session, scope: Scope, body: PreviewRequest, *, today: date) -> Preview:
    """The body of ``POST /programs/preview``, shared with the agency pages' live preview."""
    if scope.role is Role.facilitator:
        raise Forbidden("Rule previews are for agencies, forum organisers and administrators")
    require_regions(session, body.service_area, loc=("body", "service_area"))
    if body.eligibility:
        require_regions(session, region_codes_in(body.eligibility), loc=("body", "eligibility"))
    area = sa.or_(*[within(Household.village_code, code) for code in body.service_area])
    in_area = session.exec(select(sa.func.count()).select_from(Household).where(area)).one()
    if in_area > MAX_PREVIEW:
        raise InvalidInput(
            f"a preview covers at most {MAX_PREVIEW} households; choose a smaller area", loc=("body", "service_area")
        )
    program = ProgramFacts(
        program_id=0,
        name="preview",
        organization_name="",
        kind="training",
        status="active",
        eligibility=body.eligibility,
        service_area=tuple(body.service_area),
    )
    codes = screen(svc.load_columns(session, [area], today=today), [program], today=today)[0]
    eligible, unknown = int((codes == 2).sum()), int((codes == 1).sum())
    counts = {"eligible": eligible, "unknown": unknown, "ineligible": in_area - eligible - unknown}
    if scope.role is Role.admin:
        return Preview(households_in_area=in_area, withheld_below=None, **counts)
    return Preview(households_in_area=in_area, withheld_below=SMALL_COUNT, **withhold_small_counts(counts))
