"""Matching endpoints: a household's ranked programmes, caseload screening, rule preview."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from service.api.params import IdPath, Offset
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.matching import matches, preview, screening
from service.matching.schemas import Matches, Preview, PreviewRequest, Screening, ScreeningRequest

router = APIRouter(tags=["matching"])


@router.get("/households/{household_id}/matches", response_model=Matches)
def household_matches(
    household_id: IdPath,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    lang: Annotated[Literal["id", "en"], Query()] = "id",
    include_ineligible: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Matches:
    """The programmes this family qualifies for, may qualify for, or nearly does, with reasons.

    Ranked: eligible first; then unknown, fewest unknowns first; then the near misses, fewest
    failing criteria first; within each band by score. Only programmes serving the family's
    regency (or everywhere) are listed.
    """
    return matches.household_matches(
        session,
        scope,
        household_id,
        today=settings.today(),
        lang=lang,
        include_ineligible=include_ineligible,
        limit=limit,
        offset=offset,
        request_id=request_id(request),
    )


@router.post("/screenings", response_model=Screening)
def screen_caseload(
    body: ScreeningRequest, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> Screening:
    """Screen your caseload (or the listed households of it) against the programmes serving it.

    Programmes are the published ones serving the screened households' regencies (or everywhere).
    Households you name that are not in your care are not screened; ``left_out`` counts them.
    """
    return screening.screen_caseload(session, scope, body, today=settings.today(), request_id=request_id(request))


@router.post("/programs/preview", response_model=Preview)
def preview_rule(
    body: PreviewRequest, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> Preview:
    """How many households in a service area a draft rule would admit (counts only, no identities).

    Agencies and forum organisers preview inside their reach only (403 elsewhere), see counts
    rounded to multiples of 5 (none for an area under 20 families; under 10 when the rule touches
    a sensitive field, or when such a field decides fewer than 10 families), and run at most
    ``JEJARING_PREVIEW_BUDGET_PER_DAY`` previews in 24 hours (then 429 with ``Retry-After``).
    Every preview is audited."""
    return preview.preview_counts(
        session,
        scope,
        body,
        today=settings.today(),
        budget=settings.preview_budget_per_day,
        request_id=request_id(request),
    )
