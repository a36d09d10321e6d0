"""Screening many households at once against the published programmes serving them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlmodel import Session, col

from mapping.matching import ProgramFacts
from mapping.screening import HouseholdColumns, screen, status_totals, statuses_by_household
from models.households import Business, Household
from models.types import utcnow
from service.core.audit import audited_read
from service.core.regions import require_regions
from service.core.scope import Scope, within
from service.errors import InvalidInput
from service.matching.catalog_cache import published_catalog
from service.matching.queries import count_households, load_columns
from service.matching.schemas import ProgramCount, ScreenedHousehold, Screening, ScreeningRequest

MAX_SCREENING = 50_000

Codes = NDArray[np.int8]


def screen_columns(session: Session, cols: HouseholdColumns, *, today: date) -> tuple[list[ProgramFacts], Codes]:
    """``cols`` against the published programmes serving their regencies: programmes, codes."""
    programs = published_catalog(session).compiled.near_regencies(cols.region_ids)
    return programs, screen(cols, programs, today=today)


def screen_where(session: Session, where: Sequence[Any], *, today: date) -> tuple[list[int], list[ProgramFacts], Codes]:
    """Screen the households matching ``where`` against the published programmes serving their
    regencies. Returns the household ids (ascending), the programmes, and status codes
    (programmes x households: 2 eligible, 1 unknown, 0 ineligible)."""
    cols = load_columns(session, where, today=today)
    programs, codes = screen_columns(session, cols, today=today)
    return cols.household_ids.tolist(), programs, codes


def screen_households(
    session: Session, households: Sequence[Household], *, today: date
) -> tuple[list[int], list[ProgramFacts], Codes]:
    """``screen_where`` for a list of households already loaded (a caseload page)."""
    return screen_where(session, [col(Household.id).in_([h.id for h in households])], today=today)


def screen_caseload(
    session: Session, scope: Scope, body: ScreeningRequest, *, today: date, request_id: str | None = None
) -> Screening:
    """Screen the caller's caseload (or the listed households of it) against the programmes
    serving it; households named but not in the caller's care are counted in ``left_out``. Audited."""
    with audited_read(session, scope, entity="caseload", request_id=request_id, action="screen"):
        result = _screen_caseload(session, scope, body, today=today)
    return result


def _screen_caseload(session: Session, scope: Scope, body: ScreeningRequest, *, today: date) -> Screening:
    scope.require_list(Household, "household records")
    clauses: list[Any] = [scope.where(Household)]
    if body.region:
        require_regions(session, [body.region], loc=("body", "region"))
        clauses.append(within(Household.village_code, body.region))
    if body.has_business is not None:
        exists = sa.exists().where(col(Business.household_id) == col(Household.id))
        clauses.append(exists if body.has_business else ~exists)
    where = clauses
    wanted: set[int] = set()
    if body.household_ids is not None:
        wanted = set(body.household_ids)
        where = [*clauses, col(Household.id).in_(wanted)]
    selected = count_households(session, where)
    if selected > MAX_SCREENING:
        raise InvalidInput(f"a screening takes at most {MAX_SCREENING} households; narrow the filter", loc=("body",))
    left_out = len(wanted) - selected if body.household_ids is not None else 0
    now = utcnow()
    ids, programs, codes = screen_where(session, where, today=today)
    statuses = statuses_by_household(codes, [p.program_id for p in programs])
    households = [
        ScreenedHousehold(household_id=hid, eligible=eligible, unknown=unknown, ineligible=ineligible)
        for hid, (eligible, unknown, ineligible) in zip(ids, statuses, strict=True)
    ]
    eligible_totals, unknown_totals = status_totals(codes)
    counts = [
        ProgramCount(program_id=p.program_id, program_name=p.name, eligible=e, unknown=u)
        for p, e, u in zip(programs, eligible_totals, unknown_totals, strict=True)
    ]
    return Screening(
        evaluated_at=now.isoformat(), screened=len(ids), left_out=left_out, households=households, programs=counts
    )
