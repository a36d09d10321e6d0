"""The referral plan of a region: eligible families assigned to programmes with places left,
maximising the total match score (``mapping.plan``, a min-cost flow; scores from
``mapping.scoring``).

Who sees what: administrators and a facilitator (their own caseload only) get one row per
planned referral, to turn into referrals through the usual flow (consent included); forum
organisers and agency staff get counts per programme and village, small counts withheld.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col

from mapping.analysis import Screened
from mapping.benefits import funding_warnings
from mapping.plan import referral_plan
from mapping.privacy import withhold
from mapping.scoring import PRIMARY_NEED, places_left, plan_candidates, plan_scores
from models.households import Household
from models.organizations import CapacityUnit
from models.referrals import ReferralStatus
from models.users import Role
from service.benefits import DEFAULT_MONTHS, past_benefits_of, warning_views
from service.core.regions import region_names
from service.core.scope import Scope, require_region_in_reach, within
from service.errors import InvalidInput
from service.matching import published_catalog
from service.network import queries
from service.network.graph import screen_region

# Above this many families a plan is a province's job for a batch run, not a request.
MAX_PLAN_FAMILIES = 20_000

OPEN = (ReferralStatus.sent, ReferralStatus.accepted, ReferralStatus.enrolled)


def scores_of(session: Session, s: Screened, *, today: date) -> Any:
    """Match scores, programmes x households, with ``CompiledCatalog.scores``' parts and weights."""
    catalog = published_catalog(session)
    centres = queries.village_centres(session, sorted(set(s.villages))) if s.programs and s.n_households else {}
    return plan_scores(catalog.compiled, catalog.points, s, centres, today=today)


def places(session: Session, program_ids: list[int]) -> dict[int, int | None]:
    """Places left per programme (None: no limit; a rupiah capacity is a budget)."""
    return {
        pid: places_left(left, budget=unit == CapacityUnit.rupiah.value, benefit_min=low, benefit_max=high)
        for pid, left, unit, low, high in queries.places_rows(session, program_ids)
    }


def _check_programs(session: Session, program_ids: list[int]) -> None:
    found = queries.published_program_ids(session, program_ids)
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
    rows = queries.referral_rows(session, where, (*OPEN, ReferralStatus.completed))
    busy = {(h, PRIMARY_NEED.get(str(kind), str(kind))) for h, _, status, kind in rows if status in OPEN}
    done = {(h, p) for h, p, status, _ in rows if status == ReferralStatus.completed}
    return busy, done


def region_plan(
    session: Session,
    scope: Scope,
    region: str,
    *,
    today: date,
    program_ids: list[int] | None = None,
    funding_months: int = DEFAULT_MONTHS,
) -> dict[str, Any]:
    """The plan for ``region`` (and the caller's caseload, for a facilitator). Household rows carry
    the double-funding guard's ``warnings`` (benefits within ``funding_months`` months)."""
    require_region_in_reach(session, scope, region)
    if program_ids:
        _check_programs(session, program_ids)
    where: list[Any] = [within(Household.village_code, region)]
    if scope.role is Role.facilitator:
        where.append(col(Household.facilitator_id) == scope.facilitator_id)
    families = queries.count_households(session, where)
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
    scores = scores_of(session, s, today=today)
    busy, done = _referred(session, where)
    candidates = plan_candidates(s, chosen, scores, busy=busy, done=done)
    capacity = places(session, [s.programs[i].program_id for i in chosen])
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
        "unmet_by_need": {k: withhold(v, exact=exact) for k, v in sorted(plan.unmet_by_need.items())},
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
        names = queries.head_names(session, [a.household for a in plan.assignments])
        record = past_benefits_of(session, [a.household for a in plan.assignments])
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
                "warnings": [
                    w.model_dump(mode="json")
                    for w in warning_views(
                        funding_warnings(
                            record.get(a.household, []),
                            kind=programs[a.program].kind,
                            today=today,
                            months=funding_months,
                        ),
                        detailed=True,
                    )
                ],
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
                "households": withhold(n, exact=exact),
            }
            for (pid, v), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return body
