"""Matching households to programmes: loading facts in a few queries, ranking, screening, preview.

The published catalogue (active and paused programmes, their service areas and service points)
is compiled once per process and database (``mapping.catalog.CompiledCatalog``) and reused while
a one-query stamp of the catalogue tables is unchanged, so a family's page evaluates thousands of
programmes with array operations instead of loading and walking every rule per request.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mapping.catalog import CompiledCatalog
from mapping.geo import PointSet
from mapping.matching import BusinessFacts, HouseholdFacts, ProgramFacts, evaluate_program
from mapping.screening import NEED_BITS, HouseholdColumns, choice_codes, screen
from models.eligibility import program_ids_in
from models.households import Business, Household
from models.organizations import Location, Organization, Program, ProgramLocation, ProgramServiceArea, ProgramStatus
from models.referrals import Referral, ReferralStatus
from service.core.regions import region_names


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month) - (end.day < start.day)
    return max(0, months)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def household_facts(session: Session, households: Sequence[Household], *, today: date) -> list[HouseholdFacts]:
    """Facts of ``households`` for the rules, with their businesses and completed programmes (2 queries)."""
    ids = [h.id for h in households if h.id is not None]
    businesses: dict[int, list[BusinessFacts]] = defaultdict(list)
    completed: dict[int, set[int]] = defaultdict(set)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        for b in session.exec(select(Business).where(Business.household_id.in_(chunk)).order_by(Business.id)):  # type: ignore[attr-defined]
            businesses[b.household_id].append(
                BusinessFacts(
                    business_id=b.id,
                    sector=b.sector,
                    age_months=months_between(b.started_on, today) if b.started_on else None,
                    monthly_revenue=b.monthly_revenue,
                    workers=b.workers,
                    has_nib=b.has_nib,
                    has_pirt=b.has_pirt,
                    has_halal=b.has_halal,
                    needs=frozenset(b.needs or ()),
                )
            )
        for hid, pid in session.exec(
            select(Referral.household_id, Referral.program_id).where(
                Referral.household_id.in_(chunk),
                Referral.status == ReferralStatus.completed,  # type: ignore[attr-defined]
            )
        ):
            completed[hid].add(pid)
    return [
        HouseholdFacts(
            household_id=h.id or 0,
            village_code=h.village_code,
            head_age=age_on(h.head_birth_date, today) if h.head_birth_date else None,
            head_sex=h.head_sex,
            pkh_status=h.pkh_status,
            years_in_pkh=max(0, today.year - h.pkh_joined_year) if h.pkh_joined_year else None,
            dtsen_decile=h.dtsen_decile,
            prse=h.prse,
            disability=h.disability,
            elderly=h.elderly,
            agreed_to_graduate=h.agreed_to_graduate,
            school_age_children=h.school_age_children,
            completed_programs=frozenset(completed.get(h.id or 0, ())),
            businesses=tuple(businesses.get(h.id or 0, ())),
            latitude=h.latitude,
            longitude=h.longitude,
        )
        for h in households
    ]


def _date_parts(values: Sequence[date | None]) -> tuple[Any, Any, Any, Any]:
    """Year, month, day arrays and a 'known' mask of a date column."""
    known = np.array([v is not None for v in values], dtype=np.bool_)
    year = np.array([v.year if v else 0 for v in values], dtype=np.int64)
    month = np.array([v.month if v else 0 for v in values], dtype=np.int64)
    day = np.array([v.day if v else 0 for v in values], dtype=np.int64)
    return year, month, day, known


def _flags(values: Sequence[bool | None]) -> Any:
    return np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)


def _numbers(values: Sequence[float | int | None]) -> Any:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def load_columns(session: Session, where: Sequence[Any], *, today: date) -> HouseholdColumns:
    """The households matching ``where`` as screening columns, read column-wise (3 queries, no ORM objects).

    Gives exactly what ``HouseholdColumns.from_facts(household_facts(...))`` gives, ordered by id,
    at a fraction of the cost for tens of thousands of households.
    """
    h = session.execute(
        sa.select(
            Household.id,
            Household.village_code,
            Household.head_birth_date,
            Household.head_sex,
            Household.pkh_status,
            Household.pkh_joined_year,
            Household.dtsen_decile,
            Household.school_age_children,
            Household.prse,
            Household.disability,
            Household.elderly,
            Household.agreed_to_graduate,
        )
        .where(*where)
        .order_by(Household.id)
    ).all()
    ids = np.array([r[0] for r in h], dtype=np.int64)
    chosen = sa.select(Household.id).where(*where).scalar_subquery()
    b = session.execute(
        sa.select(
            Business.household_id,
            Business.sector,
            Business.started_on,
            Business.monthly_revenue,
            Business.workers,
            Business.has_nib,
            Business.has_pirt,
            Business.has_halal,
            Business.needs,
        )
        .where(Business.household_id.in_(chosen))  # type: ignore[attr-defined]
        .order_by(Business.household_id, Business.id)
    ).all()
    done = session.execute(
        sa.select(Referral.program_id, Referral.household_id).where(
            Referral.household_id.in_(chosen),  # type: ignore[attr-defined]
            Referral.status == ReferralStatus.completed,  # type: ignore[arg-type]
        )
    ).all()
    n_h = len(h)
    owner = np.searchsorted(ids, np.array([r[0] for r in b], dtype=np.int64)) if b else np.zeros(0, np.int64)
    per_household = np.bincount(owner, minlength=n_h) if n_h else np.zeros(0, np.int64)
    rows_per = np.maximum(per_household, 1)
    row_starts = np.concatenate([[0], np.cumsum(rows_per)[:-1]]).astype(np.int64) if n_h else np.zeros(0, np.int64)
    n_rows = int(rows_per.sum())
    first_of_owner = np.concatenate([[0], np.cumsum(per_household)[:-1]]) if n_h else np.zeros(0, np.int64)
    business_row = row_starts[owner] + (np.arange(len(b)) - first_of_owner[owner]) if b else np.zeros(0, np.int64)
    has_business = np.zeros(n_rows, dtype=np.bool_)
    has_business[business_row] = True

    def per_row(household_values: Any) -> Any:
        return np.repeat(household_values, rows_per)

    def business_col(values: Any, fill: Any) -> Any:
        out = np.full(n_rows, fill, dtype=values.dtype)
        out[business_row] = values
        return out

    by, bm, bd, bknown = _date_parts([r[2] for r in h])
    before_birthday = (today.month < bm) | ((today.month == bm) & (today.day < bd))
    age = np.where(bknown, today.year - by - before_birthday, np.nan)
    joined = _numbers([r[5] for r in h])
    sy, sm, sd, sknown = _date_parts([r[2] for r in b])
    months = (today.year - sy) * 12 + (today.month - sm) - (today.day < sd)
    business_age = np.where(sknown, np.maximum(months, 0), np.nan)

    def choices(field_name: str, values: Sequence[Any]) -> Any:
        codes = choice_codes(field_name)
        return np.array([-1 if v is None else codes.get(str(v), -1) for v in values], dtype=np.int16)

    region_ids: dict[str, int] = {}
    levels: list[list[int]] = [[], [], [], []]
    for r in h:
        parts = r[1].split(".")
        for level in range(4):
            code = ".".join(parts[: level + 1]) if level < len(parts) else ""
            levels[level].append(region_ids.setdefault(code, len(region_ids)))
    completed: dict[int, list[int]] = defaultdict(list)
    for pid, hid in done:
        completed[pid].append(int(np.searchsorted(ids, hid)))
    needs = np.array([sum(NEED_BITS.get(x, 0) for x in (r[8] or ())) for r in b], dtype=np.int16)
    return HouseholdColumns(
        household_ids=ids,
        row_starts=row_starts,
        has_business=has_business,
        numbers={
            "head.age": per_row(age.astype(np.float64)),
            "household.years_in_pkh": per_row(np.maximum(today.year - joined, 0)),
            "household.dtsen_decile": per_row(_numbers([r[6] for r in h])),
            "household.school_age_children": per_row(_numbers([r[7] for r in h])),
            "business.age_months": business_col(business_age.astype(np.float64), np.nan),
            "business.monthly_revenue": business_col(_numbers([r[3] for r in b]), np.nan),
            "business.workers": business_col(_numbers([r[4] for r in b]), np.nan),
        },
        flags={
            "household.prse": per_row(_flags([r[8] for r in h])),
            "household.disability": per_row(_flags([r[9] for r in h])),
            "household.elderly": per_row(_flags([r[10] for r in h])),
            "household.agreed_to_graduate": per_row(_flags([r[11] for r in h])),
            "business.has_nib": business_col(_flags([r[5] for r in b]), -1),
            "business.has_pirt": business_col(_flags([r[6] for r in b]), -1),
            "business.has_halal": business_col(_flags([r[7] for r in b]), -1),
        },
        choices={
            "head.sex": per_row(choices("head.sex", [r[3] for r in h])),
            "household.pkh_status": per_row(choices("household.pkh_status", [r[4] for r in h])),
            "business.sector": business_col(choices("business.sector", [r[1] for r in b]), -1),
        },
        needs=business_col(needs, 0),
        regions=tuple(per_row(np.array(level, dtype=np.int32)) for level in levels),
        region_ids=region_ids,
        completed={pid: np.array(sorted(set(ix)), dtype=np.int64) for pid, ix in completed.items()},
    )


def program_facts(
    session: Session, where: Sequence[Any]
) -> tuple[list[ProgramFacts], dict[int, list[tuple[float, float]]]]:
    """Programmes matching ``where`` with their service areas and location points (3 queries)."""
    rows = session.exec(
        select(Program, Organization.name, Organization.verified_at)
        .join(Organization, Organization.id == Program.organization_id)
        .where(*where)
    ).all()
    ids = [p.id for p, _, _ in rows]
    areas: dict[int, list[str]] = defaultdict(list)
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    if ids:
        for pid, code in session.exec(
            select(ProgramServiceArea.program_id, ProgramServiceArea.region_code).where(
                ProgramServiceArea.program_id.in_(ids)  # type: ignore[attr-defined]
            )
        ):
            areas[pid].append(code)
        for pid, lat, lon in session.exec(
            select(ProgramLocation.program_id, Location.latitude, Location.longitude)
            .join(Location, Location.id == ProgramLocation.location_id)
            .where(ProgramLocation.program_id.in_(ids), Location.latitude.is_not(None), Location.longitude.is_not(None))  # type: ignore[attr-defined, union-attr]
        ):
            points[pid].append((lat, lon))
    facts = [
        ProgramFacts(
            program_id=p.id or 0,
            name=p.name,
            organization_name=org_name,
            organization_verified=verified_at is not None,
            kind=p.kind,
            status=p.status,
            eligibility=p.eligibility,
            service_area=tuple(sorted(areas.get(p.id or 0, ()))),
            sectors=tuple(p.sectors or ()),
            opens_on=p.opens_on,
            closes_on=p.closes_on,
            valid_from=p.valid_from,
            valid_to=p.valid_to,
            capacity=p.capacity,
            capacity_remaining=p.capacity_remaining,
        )
        for p, org_name, verified_at in rows
    ]
    return facts, dict(points)


PUBLISHED = (ProgramStatus.active, ProgramStatus.paused)


def _stamp_query() -> Any:
    """One row that changes whenever anything a compiled catalogue holds may have changed.

    Per table: row count and latest ``updated_at`` (inserts, deletes, edits); for versioned
    tables also the sum of versions and the highest id, which catch an edit committed with an
    older timestamp than the newest row and a delete followed by an insert.
    """

    def stats(model: Any, versioned: bool) -> list[Any]:
        cols = [sa.func.count(), sa.func.max(model.updated_at)]
        if versioned:
            cols += [sa.func.coalesce(sa.func.sum(model.version), 0), sa.func.max(model.id)]
        return [sa.select(c).select_from(model).scalar_subquery() for c in cols]

    return sa.select(
        *stats(Program, True),
        *stats(Organization, True),
        *stats(Location, True),
        *stats(ProgramServiceArea, False),
        *stats(ProgramLocation, False),
    )


@dataclass(frozen=True)
class Catalog:
    """The published programmes compiled for matching, with their service points."""

    stamp: tuple[Any, ...]
    compiled: CompiledCatalog
    points: PointSet


_catalogs: weakref.WeakKeyDictionary[Engine, Catalog] = weakref.WeakKeyDictionary()
_catalog_lock = threading.Lock()


def published_catalog(session: Session) -> Catalog:
    """The compiled published catalogue, rebuilt only when the catalogue tables changed."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    stamp = tuple(session.execute(_stamp_query()).one())
    cached = _catalogs.get(engine)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _catalog_lock:
        cached = _catalogs.get(engine)
        if cached is not None and cached.stamp == stamp:
            return cached
        programs, points = program_facts(session, [Program.status.in_(PUBLISHED)])  # type: ignore[attr-defined]
        position = {p.program_id: i for i, p in enumerate(programs)}
        owners, lats, lons = [], [], []
        for pid, pts in points.items():
            for lat, lon in pts:
                owners.append(position[pid])
                lats.append(lat)
                lons.append(lon)
        catalog = Catalog(stamp, CompiledCatalog(programs), PointSet(owners, lats, lons, len(programs)))
        _catalogs[engine] = catalog
        return catalog


def village_centre(session: Session, village_code: str) -> tuple[float, float] | None:
    """The centre of a village's known household points (no boundaries are stored yet)."""
    row = session.exec(
        select(sa.func.avg(Household.latitude), sa.func.avg(Household.longitude)).where(
            Household.village_code == village_code,
            Household.latitude.is_not(None),
            Household.longitude.is_not(None),  # type: ignore[union-attr]
        )
    ).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1])


@dataclass
class MatchList:
    """A family's ranked matches (one page of them) and how many there are per status."""

    items: list[dict[str, Any]]
    counts: dict[str, int]
    total: int


STATUS_NAMES = {2: "eligible", 1: "unknown", 0: "ineligible"}


def find_matches(
    session: Session,
    household: Household,
    *,
    today: date,
    lang: str,
    include_ineligible: bool = True,
    limit: int | None = None,
    offset: int = 0,
    max_ineligible: int | None = None,
) -> MatchList:
    """The family's programmes ranked: eligible, then unknown (fewest unknowns first), then the
    near misses (fewest failing criteria first); within a band by score. Reasons are written for
    the returned page only. ``max_ineligible`` keeps only that many near misses (a page shows
    every hope and the closest misses)."""
    facts = household_facts(session, [household], today=today)[0]
    catalog = published_catalog(session)
    compiled = catalog.compiled
    result = compiled.evaluate(facts, today=today)
    origin: tuple[float, float] | None = None
    if household.latitude is not None and household.longitude is not None:
        origin = (household.latitude, household.longitude)
    else:
        origin = village_centre(session, household.village_code)
    km = catalog.points.nearest_km(origin) if origin is not None else np.full(len(compiled.programs), np.nan)
    parts = compiled.scores(facts, result, km, today=today)
    shown = result.candidate.copy()
    counts = {name: int(np.count_nonzero(shown & (result.code == code))) for code, name in STATUS_NAMES.items()}
    if not include_ineligible:
        shown &= result.code > 0
    band = np.where(result.code == 2, 0, np.where(result.code == 1, 1, 2))
    within = np.where(result.code == 2, 0, np.where(result.code == 1, result.unknowns, result.fails))
    order = np.lexsort((compiled.ids, -parts["total"], within, band))
    order = order[shown[order]]
    if max_ineligible is not None:
        missed = result.code[order] == 0
        order = order[~missed | (np.cumsum(missed) <= max_ineligible)]
    total = int(order.size)
    page = order[offset : None if limit is None else offset + limit]
    programs = [compiled.programs[i] for i in page]
    names = region_names(session, [household.village_code, *(c for p in programs for c in p.service_area)])
    program_names = referenced_program_names(session, programs)
    by_id = {b.business_id: b for b in facts.businesses}
    items = []
    for i, program in zip(page.tolist(), programs, strict=True):
        evaluation = evaluate_program(
            facts, program, today=today, lang=lang, region_names=names, program_names=program_names
        )
        status = STATUS_NAMES[int(result.code[i])]
        assert evaluation.status.value == status, (program.program_id, evaluation.status, status)
        business = by_id.get(evaluation.business_id) if evaluation.business_id is not None else None
        items.append(
            {
                "program_id": program.program_id,
                "program_name": program.name,
                "organization_name": program.organization_name,
                "organization_verified": program.organization_verified,
                "kind": program.kind,
                "status": status,
                "score": float(parts["total"][i]),
                "score_parts": {k: float(v[i]) for k, v in parts.items() if k != "total"},
                "distance_km": None if np.isnan(km[i]) else round(float(km[i]), 2),
                "business_id": None if business is None else business.business_id,
                "failing": int(result.fails[i]),
                "unknowns": int(result.unknowns[i]),
                "reasons": [r.as_dict() for r in evaluation.reasons],
            }
        )
    return MatchList(items=items, counts=counts, total=total)


def matches_for(
    session: Session,
    household: Household,
    *,
    today: date,
    lang: str,
    include_ineligible: bool = True,
    limit: int | None = None,
    max_ineligible: int | None = None,
) -> list[dict[str, Any]]:
    """The family's ranked matches with reasons, score parts and distance (see ``find_matches``)."""
    return find_matches(
        session,
        household,
        today=today,
        lang=lang,
        include_ineligible=include_ineligible,
        limit=limit,
        max_ineligible=max_ineligible,
    ).items


def referenced_program_names(session: Session, programs: Sequence[ProgramFacts]) -> dict[int, str]:
    """Names of the programmes that ``programs``' rules ask to have completed."""
    wanted = {pid for p in programs for pid in program_ids_in(p.eligibility)}
    if not wanted:
        return {}
    return dict(session.exec(select(Program.id, Program.name).where(Program.id.in_(wanted))).all())  # type: ignore[union-attr, arg-type]


def screen_where(session: Session, where: Sequence[Any], *, today: date) -> tuple[list[int], list[ProgramFacts], Any]:
    """Screen the households matching ``where`` against the published programmes serving their regencies.

    Returns the household ids (ascending), the programmes, and status codes (programmes x
    households: 2 eligible, 1 unknown, 0 ineligible).
    """
    cols = load_columns(session, where, today=today)
    programs, codes = screen_columns(session, cols, today=today)
    return cols.household_ids.tolist(), programs, codes


def screen_columns(session: Session, cols: HouseholdColumns, *, today: date) -> tuple[list[ProgramFacts], Any]:
    """``cols`` against the published programmes serving their regencies: programmes, codes."""
    compiled = published_catalog(session).compiled
    near = np.zeros(len(compiled.programs), dtype=np.bool_)
    for code in cols.region_ids:
        if code.count(".") == 1:
            near |= compiled.near(code)
    programs = [compiled.programs[i] for i in np.flatnonzero(near)]
    return programs, screen(cols, programs, today=today)


def screen_households(
    session: Session, households: Sequence[Household], *, today: date
) -> tuple[list[int], list[ProgramFacts], Any]:
    """``screen_where`` for a list of households already loaded (a caseload page)."""
    ids = [h.id for h in households]
    return screen_where(session, [Household.id.in_(ids)], today=today)  # type: ignore[union-attr]
