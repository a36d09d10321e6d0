"""One family's page (``/kpm/{id}``): its profile, businesses and ranked programmes with the
reasons, the refer form of each match, and beside each open question of a match a small form to
answer it in place (``service.web.facilitator.family_edit`` takes the answer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from models.users import Role
from service import benefits, pathways, referrals
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import NotFound
from service.households.caseload import family_page, match_sections
from service.i18n import N_
from service.settings import Settings
from service.web.facilitator.caseload import GATE
from service.web.facilitator.family_form import answerable, choices
from service.web.kit import Viewer, error_page, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

NEAR_MISSES_SHOWN = 10  # the closest misses; the rest are counted, not listed

# ?ok= after a save on the family's forms -> the notice the page shows.
NOTICES = {
    "household": N_("fam.ok.household"),
    "business": N_("fam.ok.business"),
    "business_new": N_("fam.ok.business_new"),
    "answer": N_("fam.ok.answer"),
    "unchanged": N_("fam.ok.unchanged"),
    "checkin": N_("fam.ok.checkin"),
    "benefit": N_("ben.ok.recorded"),
    "certificate": N_("ben.ok.confirmed"),
    "graduated": N_("fam.ok.graduated"),
}


@dataclass(frozen=True)
class AnswerError:
    """An answer given in place that was not saved: the match and question it was for, why, and what was typed."""

    program_id: int | None
    field: str
    message: str
    value: str


BENEFITS_SHOWN = 20
BENEFIT_KINDS = ("capital_grant", "loan", "equipment", "training", "certification", "marketing", "mentoring")


def benefit_context(
    session: SessionDep, viewer: Viewer, household_id: int, form: dict[str, Any] | None
) -> dict[str, Any]:
    """The family page's benefit record (``_kpm_benefits.html``): the latest benefits, the
    certificates waiting for confirmation, and the manual entry form (as posted, after an error)."""
    found = benefits.benefits_of_family(session, viewer.scope, household_id, shown=BENEFITS_SHOWN)
    return {
        "benefits": found.items,
        "benefits_total": found.total,
        "benefit_kinds": BENEFIT_KINDS,
        "benefit_form": form or {},
    }


def family_response(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    household_id: int,
    *,
    status_code: int = 200,
    notice: str | None = None,
    conflict: bool = False,
    answer_error: AnswerError | None = None,
    benefit_form: dict[str, Any] | None = None,
) -> Response:
    """The family's page as it stands now (404 outside the viewer's care)."""
    try:
        family = family_page(
            session,
            viewer.scope,
            household_id,
            today=settings.today(),
            lang=viewer.lang,
            near_misses=NEAR_MISSES_SHOWN,
            request_id=request_id(request),
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))
    zone = ZoneInfo(settings.timezone)
    asks = answerable(own_facilitator=viewer.scope.role is Role.facilitator)
    context: dict[str, Any] = {
        "h": family.household,
        "age": family.age,
        "group": family.group,
        "village": family.village,
        "businesses": family.businesses,
        "business_versions": {b.id: b.version for b, _ in family.businesses},
        "monitors": family.monitors,
        "sections": match_sections(family.matches.items),
        "counts": family.matches.counts,
        "restricted": family.household.restricted_at is not None,
        "refer": referrals.refer_forms(
            session,
            viewer.scope,
            family.household,
            family.matches.items,
            today=settings.today(),
            funding_months=settings.double_funding_months,
        ),
        **benefit_context(session, viewer, household_id, benefit_form),
        "local_date": lambda moment: moment.astimezone(zone).date(),
        "asks": asks,
        "ask_choices": {k: choices(a.field, viewer.lang) for k, a in asks.items()},
        "notice": notice,
        "conflict": conflict,
        "answer_error": answer_error,
        # The next step on each pathway serving the family (_pathway_next.html); none while restricted.
        "next_steps": []
        if family.household.restricted_at is not None
        else pathways.next_steps_for(session, family.household, today=settings.today(), lang=viewer.lang),
    }
    return render(request, settings, "kpm_household.html", context, status_code=status_code, user=viewer.user)


@router.get("/kpm/{household_id}", response_class=HTMLResponse)
def household_page(household_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One family: profile, businesses and its ranked programmes with reasons."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    hid = whole_number(household_id)
    if hid is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))
    ok = request.query_params.get("ok", "")
    notice = viewer.t(NOTICES[ok]) if ok in NOTICES else None
    return family_response(request, session, settings, viewer, hid, notice=notice)
