"""Where families stand on the pathways serving them: one family's next step per pathway with what
it lacks (the API and the family page), the next steps of a page of the caseload in one
screening (``/kpm``), and each pathway's funnel for the forum dashboard (counts only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col

from mapping.matching import ProgramFacts, evaluate_program
from mapping.pathways import (
    CODE_STATUS,
    COMPLETED,
    INELIGIBLE,
    UNKNOWN,
    Step,
    funnel,
    lacking_reasons,
    next_step,
    published_funnel,
    serves,
    step_candidates,
    step_status,
    steps_completed,
    what_it_lacks,
)
from models.households import Household
from models.organizations import Program
from models.pathways import (
    FunnelStep,
    NextStep,
    NextStepProgram,
    NextStepReason,
    NextSteps,
    PathwayFunnel,
    PathwayStep,
    PathwayStepPublic,
)
from models.pathways import Pathway as PathwayRow
from models.types import code_within
from service.core.audit import audited_read
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope, require_in_processing
from service.matching import household_facts, program_facts, published_catalog, screen_households
from service.matching import referenced_program_names as rule_program_names
from service.pathways import queries
from service.pathways.pathways import readable_where

PROGRAMS_SHOWN = 5  # candidate programmes listed under a next step


def _steps(rows: list[PathwayStep]) -> list[Step]:
    return [Step(s.program_id, s.program_kind.value if s.program_kind else None) for s in rows]


def _step_public(row: PathwayStep, names: dict[int, str]) -> PathwayStepPublic:
    return PathwayStepPublic(
        position=row.position,
        program_id=row.program_id,
        program_name=names.get(row.program_id) if row.program_id else None,
        program_kind=row.program_kind,
        label=row.label,
    )


def household_next_steps(
    session: Session, scope: Scope, household_id: int, *, today: date, lang: str, request_id: str | None = None
) -> NextSteps:
    """For each pathway serving a family in your care, its next step and what it lacks (404
    outside your care, 409 when the family restricted the processing of its data); audited."""
    with audited_read(
        session, scope, entity="household", entity_id=household_id, request_id=request_id, action="read_next_steps"
    ):
        household: Household = get_in_scope(session, scope, Household, household_id, "Household")
        require_in_processing(household)
        items = next_steps_for(session, household, today=today, lang=lang)
    return NextSteps(household_id=household_id, items=items)


def next_steps_for(session: Session, household: Household, *, today: date, lang: str) -> list[NextStep]:
    """The next step of each pathway serving ``household`` (the caller checked it may be read)."""
    assert household.id is not None
    pathways = queries.pathways_serving(session, [household.village_code])
    if not pathways:
        return []
    steps = queries.steps_of(session, [p.id for p in pathways if p.id is not None])
    completed, open_, kinds = queries.referral_programs(session, [household.id])
    done, opened = completed.get(household.id, set()), open_.get(household.id, set())
    published = {p.program_id: p for p in published_catalog(session).compiled.programs}
    catalog = dict(published)
    named = {s.program_id for ss in steps.values() for s in ss if s.program_id is not None}
    missing = named - catalog.keys()
    if missing:  # a draft, paused or closed programme: evaluated to say it is not open
        extra, _ = program_facts(session, [col(Program.id).in_(sorted(missing))])
        catalog |= {p.program_id: p for p in extra}
    kinds |= {pid: p.kind for pid, p in catalog.items() if pid in named}
    facts = household_facts(session, [household], today=today)[0]
    names = queries.program_names(session, named)
    out = []
    chosen: list[tuple[PathwayRow, list[PathwayStep], int | None, list[ProgramFacts]]] = []
    for pw in pathways:
        rows = steps.get(pw.id or 0, [])
        position = next_step(_steps(rows), done, kinds)
        candidates: list[ProgramFacts] = []
        if position is not None:
            step = _steps(rows)[position]
            # A named programme wherever it stands (the page says why it is closed); a kind: the published ones.
            pool = catalog if step.program_id is not None else published
            candidates = step_candidates(step, pool.values(), facts.village_code)
        chosen.append((pw, rows, position, candidates))
    wanted = [p for *_, cands in chosen for p in cands]
    regions = region_names(session, [household.village_code, *(c for p in wanted for c in p.service_area)])
    rule_names = rule_program_names(session, wanted)
    for pw, rows, position, candidates in chosen:
        plan = _steps(rows)
        base: dict[str, Any] = {
            "pathway_id": pw.id or 0,
            "pathway_name": pw.name,
            "goal": pw.goal,
            "steps_total": len(rows),
            "steps_completed": steps_completed(plan, done, kinds),
        }
        if position is None:
            out.append(NextStep(**base, completed=True, position=None, step=None, status=COMPLETED))
            continue
        evaluations = [
            evaluate_program(facts, p, today=today, lang=lang, region_names=regions, program_names=rule_names)
            for p in candidates
        ]
        status = step_status(plan[position], [e.status.value for e in evaluations], opened, kinds)
        lacks: list[NextStepReason] = []
        if status in (UNKNOWN, INELIGIBLE):
            nearest = what_it_lacks(evaluations)
            if nearest is not None:
                lacks = [NextStepReason(field=f, result=r, message=m) for f, r, m in lacking_reasons(nearest)]
        rank = {"eligible": 0, "unknown": 1, "ineligible": 2}
        listed = sorted(
            zip(candidates, evaluations, strict=True), key=lambda pe: (rank[pe[1].status.value], pe[1].fails)
        )
        out.append(
            NextStep(
                **base,
                completed=False,
                position=position,
                step=_step_public(rows[position], names),
                status=status,
                programs=[
                    NextStepProgram(
                        program_id=p.program_id,
                        program_name=p.name,
                        organization_name=p.organization_name,
                        status=e.status.value,
                    )
                    for p, e in listed[:PROGRAMS_SHOWN]
                ],
                lacks=lacks,
            )
        )
    return out


# --- a page of the caseload -------------------------------------------------------------------


@dataclass(frozen=True)
class CompactStep:
    """A family's next step on one pathway, as the caseload lists it."""

    pathway_name: str
    step: PathwayStepPublic | None  # None: every step done
    status: str


def caseload_next_steps(
    session: Session, households: Sequence[Household], *, today: date
) -> dict[int, list[CompactStep]]:
    """The next step of each pathway for each of ``households`` (a page of the caller's caseload):
    one screening of the page's families, one query of their referrals, no reasons."""
    pathways = queries.pathways_serving(session, {h.village_code for h in households})
    if not pathways or not households:
        return {}
    steps = queries.steps_of(session, [p.id for p in pathways if p.id is not None])
    ids, programs, codes = screen_households(session, households, today=today)
    column = {hid: j for j, hid in enumerate(ids)}
    row_of = {p.program_id: i for i, p in enumerate(programs)}
    completed, open_, kinds = queries.referral_programs(session, ids)
    kinds |= {p.program_id: p.kind for p in programs}
    named = {s.program_id for ss in steps.values() for s in ss if s.program_id is not None}
    names = queries.program_names(session, named)
    out: dict[int, list[CompactStep]] = {}
    for h in households:
        j = column.get(h.id or 0)
        if j is None:  # restricted by the family: not screened, no next step
            continue
        items = []
        for pw in pathways:
            if not code_within(h.village_code, pw.region_code):
                continue
            rows = steps.get(pw.id or 0, [])
            plan = _steps(rows)
            position = next_step(plan, completed.get(h.id or 0, set()), kinds)
            if position is None:
                items.append(CompactStep(pw.name, None, COMPLETED))
                continue
            step = plan[position]
            if step.program_id is not None:
                candidates = [row_of[step.program_id]] if step.program_id in row_of else []
            else:
                candidates = [
                    i for i, p in enumerate(programs) if p.kind == step.program_kind and serves(p, h.village_code)
                ]
            statuses = [CODE_STATUS[int(codes[i, j])] for i in candidates]
            status = step_status(step, statuses, open_.get(h.id or 0, set()), kinds)
            items.append(CompactStep(pw.name, _step_public(rows[position], names), status))
        out[h.id or 0] = items
    return out


# --- funnels --------------------------------------------------------------------------------------


def pathway_funnels(session: Session, scope: Scope, *, region: str, exact: bool) -> list[PathwayFunnel]:
    """Each pathway overlapping ``region`` that the caller reads, with how many of the region's
    families stand at each step (``exact``: as counted, for admins; else through mapping.privacy)."""
    rows = queries.pathways_overlapping(session, readable_where(session, scope), region)
    steps = queries.steps_of(session, [p.id for p in rows if p.id is not None])
    names = queries.program_names(session, [s.program_id for ss in steps.values() for s in ss if s.program_id])
    out = []
    for pw in rows:
        area = pw.region_code if code_within(pw.region_code, region) else region
        families = queries.area_families(session, area)
        completed, kinds = queries.area_completions(session, area)
        plan_rows = steps.get(pw.id or 0, [])
        counted = funnel(_steps(plan_rows), families, completed.values(), kinds)
        total, at_step, done = published_funnel(counted, exact=exact)
        labels = [s.label or (names.get(s.program_id) if s.program_id else None) or "" for s in plan_rows]
        shown = [
            FunnelStep(position=s.position, label=label, at_step=n)
            for s, label, n in zip(plan_rows, labels, at_step, strict=True)
        ]
        out.append(
            PathwayFunnel(
                pathway_id=pw.id or 0,
                pathway_name=pw.name,
                region_code=area,
                families=total,
                steps=shown,
                completed=done,
                withheld=total is None or done is None or any(n is None for n in at_step),
            )
        )
    return out
