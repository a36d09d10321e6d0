"""The referral plan of a region: eligible families assigned to programmes with places left,
maximising the total match score (``mapping.plan``, a min-cost flow).

The score has the parts and weights of the one-family match score (``CompiledCatalog.scores``),
computed for every family at once: need fit from any of the family's businesses (the page of
one family uses its best business), distance from the village's centre to the programme's
nearest service point, the share of places left, and the closing date.

Who sees what: administrators and a facilitator (their own caseload only) get one row per
planned referral, to turn into referrals through the usual flow (consent included); forum
organisers and agency staff get counts per programme and village, small counts withheld.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlmodel import Session, select

from mapping.analysis import Screened, program_need_bits
from mapping.catalog import DISTANCE_HALF_KM, NEUTRAL, SCORE_WEIGHTS
from mapping.plan import Candidate, referral_plan
from mapping.screening import ELIGIBLE
from models.households import Household
from models.organizations import CapacityUnit, Program, ProgramStatus
from models.referrals import Referral, ReferralStatus
from models.users import Role
from service.core.regions import region_names
from service.core.scope import Scope, within
from service.errors import InvalidInput
from service.matching import published_catalog
from service.network import require_region_in_scope, screen_region
from service.network_advice import withhold

# Above this many families a plan is a province's job for a batch run, not a request.
MAX_PLAN_FAMILIES = 20_000

OPEN = (ReferralStatus.sent, ReferralStatus.accepted, ReferralStatus.enrolled)

# One referral per family per need: a programme counts against its kind's main need.
PRIMARY_NEED = {
    "training": "training",
    "capital_grant": "capital",
    "loan": "capital",
    "marketing": "marketing",
    "certification": "certification",
    "mentoring": "mentoring",
    "equipment": "equipment",
}


def _village_centres(session: Session, villages: list[str]) -> dict[str, tuple[float, float]]:
    if not villages:
        return {}
    rows = session.execute(
        sa.select(Household.village_code, sa.func.avg(Household.latitude), sa.func.avg(Household.longitude))
        .where(
            Household.village_code.in_(villages),  # type: ignore[attr-defined]
            Household.latitude.is_not(None),  # type: ignore[union-attr]
            Household.longitude.is_not(None),  # type: ignore[union-attr]
        )
        .group_by(Household.village_code)
    ).all()
    return {v: (float(lat), float(lon)) for v, lat, lon in rows}


def plan_scores(session: Session, s: Screened, *, today: date) -> NDArray[np.float64]:
    """Match scores, programmes x households, with ``CompiledCatalog.scores``' parts and weights."""
    n_p, n_h = len(s.programs), s.n_households
    if not n_p or not n_h:
        return np.zeros((n_p, n_h))
    catalog = published_catalog(session)
    compiled = catalog.compiled
    index = {int(pid): i for i, pid in enumerate(compiled.ids)}
    at = np.array([index[p.program_id] for p in s.programs], dtype=np.int64)
    needs = np.zeros(n_h, dtype=np.int64)
    np.bitwise_or.at(needs, s.row_household, s.row_needs.astype(np.int64))
    sectors = np.zeros(n_h, dtype=np.int64)
    known = s.row_sectors >= 0
    np.bitwise_or.at(sectors, s.row_household[known], np.left_shift(1, s.row_sectors[known].astype(np.int64)))
    meets = program_need_bits(s.programs)[:, None]
    need = np.where(needs[None, :] == 0, NEUTRAL, ((meets & needs[None, :]) != 0).astype(np.float64))
    mask = compiled.sector_mask[at][:, None]
    sector = np.where(
        mask == 0, 1.0, np.where(sectors[None, :] == 0, NEUTRAL, ((mask & sectors[None, :]) != 0).astype(np.float64))
    )
    villages = sorted(set(s.villages))
    centres = _village_centres(session, villages)
    km_by_village = {
        v: catalog.points.nearest_km(centres[v])[at] if v in centres else np.full(n_p, np.nan) for v in villages
    }
    km = np.stack([km_by_village[v] for v in s.villages], axis=1)
    distance = np.where(np.isnan(km), NEUTRAL, 1.0 / (1.0 + km / DISTANCE_HALF_KM))
    capacity, deadline = compiled.program_parts(today)
    total = (
        SCORE_WEIGHTS["need_fit"] * (0.75 * need + 0.25 * sector)
        + SCORE_WEIGHTS["distance"] * distance
        + SCORE_WEIGHTS["capacity"] * capacity[at][:, None]
        + SCORE_WEIGHTS["deadline"] * deadline[at][:, None]
    )
    return np.round(np.clip(total, 0.0, 1.0), 4)


def places_left(session: Session, program_ids: list[int]) -> dict[int, int | None]:
    """Places left per programme (None: no limit). A capacity kept in rupiah is a budget: it
    buys ``remaining // benefit`` places at the largest benefit per family (no limit when no
    benefit is stated)."""
    if not program_ids:
        return {}
    rows = session.exec(
        select(
            Program.id, Program.capacity_remaining, Program.capacity_unit, Program.benefit_min, Program.benefit_max
        ).where(Program.id.in_(program_ids))  # type: ignore[union-attr]
    ).all()
    out: dict[int, int | None] = {}
    for pid, left, unit, low, high in rows:
        if left is not None and unit == CapacityUnit.rupiah:
            benefit = high or low
            left = left // benefit if benefit else None
        out[int(pid or 0)] = left
    return out


def _check_programs(session: Session, program_ids: list[int]) -> None:
    found = set(
        session.exec(
            select(Program.id).where(
                Program.id.in_(program_ids),  # type: ignore[union-attr]
                Program.status != ProgramStatus.draft,
            )
        )
    )
    missing = [p for p in program_ids if p not in found]
    if missing:
        raise InvalidInput(
            f"programme(s) {', '.join(map(str, missing))} do not exist or are not published",
            loc=("body", "program_ids"),
            kind="unknown_program",
        )


def _referred(session: Session, where: list[Any]) -> tuple[set[tuple[int, str]], set[tuple[int, int]]]:
    """(household, need) pairs with a referral under way (sent, accepted, enrolled), which the
    plan leaves alone, and (household, programme) pairs already completed."""
    rows = session.execute(
        sa.select(Referral.household_id, Referral.program_id, Referral.status, Program.kind)
        .join(Program, Program.id == Referral.program_id)  # type: ignore[arg-type]
        .where(
            Referral.household_id.in_(sa.select(Household.id).where(*where)),  # type: ignore[attr-defined]
            Referral.status.in_((*OPEN, ReferralStatus.completed)),  # type: ignore[attr-defined]
        )
    ).all()
    busy = {(h, PRIMARY_NEED.get(str(kind), str(kind))) for h, _, status, kind in rows if status in OPEN}
    done = {(h, p) for h, p, status, _ in rows if status == ReferralStatus.completed}
    return busy, done


def region_plan(
    session: Session, scope: Scope, region: str, *, today: date, program_ids: list[int] | None = None
) -> dict[str, Any]:
    """The plan for ``region`` (and the caller's caseload, for a facilitator)."""
    require_region_in_scope(session, scope, region)
    if program_ids:
        _check_programs(session, program_ids)
    where: list[Any] = [within(Household.village_code, region)]
    if scope.role is Role.facilitator:
        where.append(Household.facilitator_id == scope.facilitator_id)
    families = session.exec(select(sa.func.count()).select_from(Household).where(*where)).one()
    if families > MAX_PLAN_FAMILIES:
        raise InvalidInput(
            f"the region holds {families} families; a plan covers at most {MAX_PLAN_FAMILIES}: choose a smaller region",
            loc=("body", "region"),
            kind="too_many_families",
        )
    s = screen_region(session, where, today=today)
    chosen = [
        i
        for i, p in enumerate(s.programs)
        if (not program_ids or p.program_id in program_ids) and p.kind in PRIMARY_NEED
    ]
    scores = plan_scores(session, s, today=today)
    busy, done = _referred(session, where)
    candidates = []
    for i in chosen:
        p = s.programs[i]
        need = PRIMARY_NEED[p.kind]
        for h in np.flatnonzero(s.codes[i] == ELIGIBLE).tolist():
            hid = int(s.household_ids[h])
            if (hid, need) not in busy and (hid, p.program_id) not in done:
                candidates.append(Candidate(hid, need, p.program_id, float(scores[i, h])))
    capacity = places_left(session, [s.programs[i].program_id for i in chosen])
    plan = referral_plan(candidates, capacity)
    programs = {s.programs[i].program_id: s.programs[i] for i in chosen}
    household_rows = scope.is_admin or scope.role is Role.facilitator
    exact = household_rows
    body: dict[str, Any] = {
        "region": region,
        "families": s.n_households,
        "programs": len(chosen),
        "candidates": len(candidates),
        "planned": len(plan.assignments),
        "total_score": round(plan.total_score, 4),
        "unmet_by_need": {k: withhold(v, exact) for k, v in sorted(plan.unmet_by_need.items())},
        "by_program": [
            {
                "program_id": pid,
                "name": programs[pid].name,
                "organization": programs[pid].organization_name,
                "need": PRIMARY_NEED[programs[pid].kind],
                "capacity_remaining": capacity[pid],
                "planned": plan.used.get(pid, 0),
            }
            for pid in sorted(programs, key=lambda pid: (-plan.used.get(pid, 0), programs[pid].name))
        ],
        "aggregated": not household_rows,
    }
    village_of = dict(zip(s.household_ids.tolist(), s.villages, strict=True))
    if household_rows:
        names = dict(
            session.exec(
                select(Household.id, Household.head_name).where(
                    Household.id.in_([a.household for a in plan.assignments])  # type: ignore[union-attr]
                )
            ).all()
        )
        body["rows"] = [
            {
                "household_id": a.household,
                "head_name": names.get(a.household),
                "village_code": village_of[a.household],
                "program_id": a.program,
                "program": programs[a.program].name,
                "need": a.need,
                "score": a.score,
                "refer_url": f"/kpm/{a.household}#program-{a.program}",  # the refer form, consent included
            }
            for a in plan.assignments
        ]
    else:
        counts: dict[tuple[int, str], int] = {}
        for a in plan.assignments:
            key = (a.program, village_of[a.household])
            counts[key] = counts.get(key, 0) + 1
        vnames = region_names(session, sorted({v for _, v in counts}))
        body["rows"] = [
            {
                "program_id": pid,
                "program": programs[pid].name,
                "village_code": v,
                "village_name": vnames.get(v),
                "households": withhold(n, exact),
            }
            for (pid, v), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return body
