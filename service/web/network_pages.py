"""The facilitator's network page (``/jejaring``): the organisations to meet first, with the
reason for each (``service.network_advice.facilitator_suggestions``), and the referral plan of
their own caseload (``service.network_plan.region_plan``), one table a programme, each planned
family linked to its page at the programme, where the refer form (consent included) lives.

Facilitators only, their own families only; everyone else gets a 404 page (admins have the
API), strangers the sign-in. ``?program=<id>`` plans for one programme alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from models.organizations import Program
from models.users import Role
from service import network_advice as advice
from service import network_plan as plan_svc
from service.core.regions import region_names
from service.core.scope import Scope
from service.demand import SMALL_COUNT
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput, NotFound, ServiceError
from service.i18n import translator
from service.settings import Settings
from service.web.pages import Viewer, error_page, render, signed_in

router = APIRouter(include_in_schema=False)

# Planned families listed on the page, all programmes together (a row is about 330 bytes: 300
# rows and the rest of the page stay well under 200 KB); the rest are counted, not listed.
SHOWN_ROWS = 300
_DIGITS = re.compile(r"[0-9]{1,9}")


# --- who asks ---------------------------------------------------------------------------------


def _viewer(request: Request, session: Session, settings: Settings) -> Viewer | Response:
    """A facilitator linked to their facilitator record; others get a 404 page, strangers the sign-in."""
    found = signed_in(request, session, settings)
    if isinstance(found, Response):
        return found
    user, lang = found
    t = translator(lang)
    if Role(user.role) is not Role.facilitator:
        return error_page(request, settings, user, 404, t("error.not_found"))
    scope = Scope.for_user(session, user)
    if scope.facilitator_id is None:
        return error_page(request, settings, user, 403, t("home.not_linked"))
    return Viewer(user, scope, lang)


# --- the query --------------------------------------------------------------------------------


class BadQuery(Exception):
    """A query parameter that is not one the page offers (names the field, never echoes it)."""

    def __init__(self, label_key: str) -> None:
        super().__init__(label_key)
        self.label_key = label_key


def parse_program(params: Mapping[str, str]) -> int | None:
    """``program``: a programme id, or nothing for every programme; anything else raises ``BadQuery``."""
    raw = (params.get("program") or "").strip()
    if not raw:
        return None
    if not _DIGITS.fullmatch(raw):
        raise BadQuery("nw.f.program")
    return int(raw)


# --- the page's data --------------------------------------------------------------------------


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


def load_page(session: Session, viewer: Viewer, program_id: int | None, *, today: date) -> NetworkPage:
    """The suggestions and the plan of the viewer's caseload (``InvalidInput`` for an unknown programme)."""
    facilitator_id = viewer.scope.facilitator_id
    assert facilitator_id is not None
    found = advice.facilitator_suggestions(session, viewer.scope, facilitator_id, today=today, lang=viewer.lang)
    region = advice.facilitator_region(session, facilitator_id)
    plan = None
    if region is not None:
        ids = [program_id] if program_id is not None else None
        try:
            plan = plan_svc.region_plan(session, viewer.scope, region, today=today, program_ids=ids)
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


# --- the page ---------------------------------------------------------------------------------


@router.get("/jejaring", response_class=HTMLResponse)
def facilitator_network(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Whom to meet first, and which families to refer where."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    t = translator(viewer.lang)
    try:
        program_id = parse_program(request.query_params)
    except BadQuery as exc:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t(exc.label_key)))
    try:
        d = load_page(session, viewer, program_id, today=settings.today())
    except InvalidInput as exc:
        unknown = program_id is not None and exc.kind == "unknown_program"
        message = t("nw.err.program").format(id=program_id) if unknown else t("nw.err.plan")
        return error_page(request, settings, viewer.user, 422, message)
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, t("error.not_found"))
    context = {"d": d, "count": count_text}
    return render(request, settings, "facilitator_network.html", context, user=viewer.user)


def count_text(n: int | None) -> str:
    """A household count as written on the page: the number, or ``<5`` when withheld."""
    return f"<{SMALL_COUNT}" if n is None else str(n)
