"""A facilitator's caseload as their pages show it: filtered, with businesses and screening, and
one family's profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session, col

from mapping.matching import ProgramFacts
from mapping.screening import ELIGIBLE, UNKNOWN
from models.households import Business, Household, KpmGroup
from models.types import age_on, months_between
from service.core.audit import audited_read
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope
from service.households import queries
from service.households.checkins import BusinessMonitor, business_monitors
from service.matching import MatchList, find_matches, screen_households

Choice = Literal["ya", "tidak", "semua"]


@dataclass(frozen=True)
class CaseloadFilter:
    """What the caseload pages narrow the caseload to ("semua": no narrowing)."""

    business: Choice = "semua"
    need: str | None = None
    sector: str | None = None
    group_id: int | None = None
    eligible: Choice = "semua"
    page: int = 1


@dataclass
class Caseload:
    """The filtered caseload with what its pages show; ``codes`` when it was screened."""

    total: int
    households: list[Household]
    businesses: dict[int, list[Business]]
    programs: list[ProgramFacts] = field(default_factory=list)
    codes: NDArray[np.int8] | None = None  # programmes x households, when screened


def group_choices(session: Session, scope: Scope) -> dict[int, str]:
    """The caller's KPM groups for a filter's select: name, and the village when they span several."""
    rows = queries.group_rows(session, scope)
    villages = {code for _, _, code in rows}
    if len(villages) <= 1:
        return {gid: name for gid, name, _ in rows}
    names = region_names(session, list(villages))
    return {gid: f"{name} · {names.get(code, code)}" for gid, name, code in rows}


def village_group_choices(session: Session, scope: Scope, village_code: str) -> dict[int, str]:
    """The caller's KPM groups meeting in ``village_code`` (a family may move between them)."""
    return {gid: name for gid, name, _ in queries.group_rows(session, scope, village_code)}


def load_caseload(
    session: Session,
    scope: Scope,
    f: CaseloadFilter,
    *,
    today: date,
    screen: bool,
    request_id: str | None = None,
    action: str = "list",
) -> Caseload:
    """The caller's households that pass ``f``, ordered by PKH id, with their businesses (and,
    with ``screen`` or an eligibility filter, their screening). Audited as ``action`` (``list``,
    ``screen``, ``export``)."""
    with audited_read(session, scope, entity="caseload", request_id=request_id, action=action):
        caseload = _load_caseload(session, scope, f, today=today, screen=screen)
    return caseload


def _load_caseload(session: Session, scope: Scope, f: CaseloadFilter, *, today: date, screen: bool) -> Caseload:
    mine = scope.where(Household)
    total = queries.count_households(session, mine)
    clauses: list[Any] = []
    if f.group_id is not None:
        clauses.append(col(Household.group_id) == f.group_id)
    if f.business == "ya":
        clauses.append(queries.has_business_clause())
    elif f.business == "tidak":
        clauses.append(~queries.has_business_clause())
    if f.sector:
        clauses.append(queries.has_business_in(f.sector))
    households = queries.caseload_households(session, scope, clauses)
    businesses = queries.businesses_by_household(session, [h.id for h in households if h.id is not None])
    if f.need:
        # Needs are a JSON list: filtered here, the same way on SQLite and PostgreSQL.
        households = [h for h in households if any(f.need in (b.needs or ()) for b in businesses[h.id or 0])]
    caseload = Caseload(total, households, businesses)
    if screen or f.eligible != "semua":
        screened_ids, programs, codes = screen_households(session, households, today=today)
        # One column per household, in the order of the list (the screening sorts by id).
        column_of = {hid: j for j, hid in enumerate(screened_ids)}
        codes = codes[:, [column_of[h.id or 0] for h in households]]
        if f.eligible != "semua":
            has_eligible = (codes == ELIGIBLE).any(axis=0)
            keep = has_eligible if f.eligible == "ya" else ~has_eligible
            households = [h for h, k in zip(households, keep, strict=True) if k]
            codes = codes[:, keep]
        caseload = Caseload(total, households, businesses, programs, codes)
    return caseload


def screening_columns(caseload: Caseload) -> list[tuple[int, ProgramFacts, int, int]]:
    """Programmes with at least one eligible or unknown household, most eligible first:
    (row in ``codes``, programme, eligible, unknown)."""
    columns: list[tuple[int, ProgramFacts, int, int]] = []
    if caseload.codes is None:
        return columns
    for i, program in enumerate(caseload.programs):
        eligible = int((caseload.codes[i] == ELIGIBLE).sum())
        unknown = int((caseload.codes[i] == UNKNOWN).sum())
        if eligible or unknown:
            columns.append((i, program, eligible, unknown))
    columns.sort(key=lambda c: (-c[2], -c[3], c[1].name))
    return columns


def group_names(session: Session, households: list[Household]) -> dict[int, str]:
    """The names of these households' KPM groups."""
    return queries.group_names(session, sorted({h.group_id for h in households if h.group_id}))


@dataclass
class FamilyPage:
    """One family as its facilitator's page shows it."""

    household: Household
    age: int | None
    group: str | None
    village: str | None
    businesses: list[tuple[Business, int | None]]  # with months running
    matches: MatchList
    monitors: dict[int, BusinessMonitor] = field(default_factory=dict)  # by business id


def family_page(
    session: Session,
    scope: Scope,
    household_id: int,
    *,
    today: date,
    lang: str,
    near_misses: int,
    request_id: str | None = None,
) -> FamilyPage:
    """A family in the caller's care with its businesses and its ranked programmes (404 otherwise); audited."""
    with audited_read(session, scope, entity="household", entity_id=household_id, request_id=request_id):
        family = _family_page(session, scope, household_id, today=today, lang=lang, near_misses=near_misses)
    return family


def _family_page(
    session: Session, scope: Scope, household_id: int, *, today: date, lang: str, near_misses: int
) -> FamilyPage:
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    assert household.id is not None
    businesses = queries.businesses_by_household(session, [household.id])[household.id]
    group = session.get(KpmGroup, household.group_id) if household.group_id else None
    return FamilyPage(
        household=household,
        age=age_on(household.head_birth_date, today) if household.head_birth_date else None,
        group=group.name if group else None,
        village=region_names(session, [household.village_code]).get(household.village_code),
        businesses=[(b, months_between(b.started_on, today) if b.started_on else None) for b in businesses],
        matches=(
            find_matches(session, household, today=today, lang=lang, max_ineligible=near_misses)
            if household.restricted_at is None  # processing restricted by the family: no matching
            else MatchList(items=[], counts=dict.fromkeys(("eligible", "unknown", "ineligible"), 0), total=0)
        ),
        monitors=business_monitors(session, [b.id for b in businesses if b.id is not None], today=today),
    )


def match_sections(matches: list[dict[str, Any]]) -> Mapping[str, list[dict[str, Any]]]:
    """Eligible (best first), needs data (fewest unknowns first), near misses (fewest failures first)."""
    sections: dict[str, list[dict[str, Any]]] = {"eligible": [], "unknown": [], "ineligible": []}
    for m in matches:
        sections[m["status"]].append(m)
    sections["eligible"].sort(key=lambda m: -m["score"])
    sections["unknown"].sort(key=lambda m: (m["unknowns"], -m["score"]))
    sections["ineligible"].sort(key=lambda m: (m["failing"], -m["score"]))
    return sections
