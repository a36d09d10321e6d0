"""The facilitator's network page: the organisations to meet first and the referral plan of
their caseload, grouped by programme."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from models.organizations import Program
from service.core.regions import region_names
from service.core.scope import Scope
from service.errors import NotFound
from service.network.advice import facilitator_region, facilitator_suggestions
from service.network.plan import region_plan

SHOWN_ROWS = 300


@dataclass
class ProgramPlan:
    """One programme of the plan and the planned families shown for it."""

    program_id: int
    name: str
    organization: str
    need: str
    capacity_remaining: int | None
    planned: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.planned - len(self.rows)


@dataclass
class NetworkPage:
    facilitator: str
    households: int
    suggestions: list[dict[str, Any]]
    region: str | None
    region_name: str | None
    program_id: int | None
    program_name: str | None  # of the programme the plan is narrowed to
    plan: dict[str, Any] | None
    programs: list[ProgramPlan]
    villages: dict[str, str]
    today: date

    @property
    def shown(self) -> int:
        return sum(len(p.rows) for p in self.programs)

    @property
    def hidden(self) -> int:
        return sum(p.hidden for p in self.programs)

    @property
    def untied(self) -> int:
        return sum(1 for s in self.suggestions if not s["tied"])


def group_rows(plan: dict[str, Any], cap: int = SHOWN_ROWS) -> list[ProgramPlan]:
    """The plan's rows under their programme (in the plan's order), best score first, at most
    ``cap`` rows in all."""
    by_program: dict[int, list[dict[str, Any]]] = {}
    for row in plan["rows"]:
        by_program.setdefault(int(row["program_id"]), []).append(row)
    left = cap
    out = []
    for p in plan["by_program"]:
        rows = sorted(by_program.get(int(p["program_id"]), []), key=lambda r: (-r["score"], r["head_name"] or ""))
        shown = rows[: max(left, 0)]
        left -= len(shown)
        out.append(
            ProgramPlan(
                program_id=int(p["program_id"]),
                name=p["name"],
                organization=p["organization"],
                need=p["need"],
                capacity_remaining=p["capacity_remaining"],
                planned=int(p["planned"]),
                rows=shown,
            )
        )
    return out


def network_page(session: Session, scope: Scope, program_id: int | None, *, today: date, lang: str) -> NetworkPage:
    """The suggestions and the plan of the caller's caseload (``InvalidInput`` for an unknown programme)."""
    facilitator_id = scope.facilitator_id
    assert facilitator_id is not None
    found = facilitator_suggestions(session, scope, facilitator_id, today=today, lang=lang)
    region = facilitator_region(session, facilitator_id)
    plan = None
    if region is not None:
        ids = [program_id] if program_id is not None else None
        try:
            plan = region_plan(session, scope, region, today=today, program_ids=ids)
        except NotFound:  # no village of theirs lies in the region any more: no plan to show
            plan = None
    programs = group_rows(plan) if plan else []
    program = session.get(Program, program_id) if plan and program_id is not None else None
    codes = sorted({r["village_code"] for p in programs for r in p.rows})
    return NetworkPage(
        facilitator=found["facilitator"],
        households=found["households"],
        suggestions=found["suggestions"],
        region=region,
        region_name=region_names(session, [region]).get(region) if region else None,
        program_id=program_id,
        program_name=program.name if program else None,
        plan=plan,
        programs=programs,
        villages=region_names(session, codes) if codes else {},
        today=today,
    )
