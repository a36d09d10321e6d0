"""One family's page (``/kpm/{id}``): its profile, businesses and ranked programmes with the
reasons, and the refer form of each match."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service import referrals
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import NotFound
from service.households.caseload import family_page, match_sections
from service.web.facilitator.caseload import GATE
from service.web.kit import error_page, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

NEAR_MISSES_SHOWN = 10  # the closest misses; the rest are counted, not listed


@router.get("/kpm/{household_id}", response_class=HTMLResponse)
def household_page(household_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One family: profile, businesses and its ranked programmes with reasons."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    not_found = viewer.t("error.household_not_found")
    hid = whole_number(household_id)
    if hid is None:
        return error_page(request, settings, viewer.user, 404, not_found)
    try:
        family = family_page(
            session,
            viewer.scope,
            hid,
            today=settings.today(),
            lang=viewer.lang,
            near_misses=NEAR_MISSES_SHOWN,
            request_id=request_id(request),
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, not_found)
    zone = ZoneInfo(settings.timezone)
    context = {
        "h": family.household,
        "age": family.age,
        "group": family.group,
        "village": family.village,
        "businesses": family.businesses,
        "sections": match_sections(family.matches.items),
        "counts": family.matches.counts,
        "restricted": family.household.restricted_at is not None,
        "refer": referrals.refer_forms(session, viewer.scope, family.household, family.matches.items),
        "local_date": lambda moment: moment.astimezone(zone).date(),
    }
    return render(request, settings, "kpm_household.html", context, user=viewer.user)
