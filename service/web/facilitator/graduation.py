"""Graduation pages of the facilitator: the "KPM potensial" list ranked by readiness
(``/kpm/potensial``), and a family's readiness with the graduation form (``/kpm/{id}/lulus``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.graduation import GraduationCreate, GraduationType
from models.households import PkhStatus
from service import graduation
from service.core.regions import region_names
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.facilitator.caseload import GATE
from service.web.facilitator.checkin import FormDep
from service.web.kit import (
    Viewer,
    error_page,
    form_viewer,
    page_window,
    render,
    schema_message,
    viewer_for,
    whole_number,
)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
REFUSALS = {
    "future_date": N_("grad.err.future_date"),
    "before_joining": N_("grad.err.before_joining"),
}


@router.get("/kpm/potensial", response_class=HTMLResponse)
def potential_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The caseload's active families ranked by readiness to graduate, with the 5-year alerts."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    if not viewer.scope.linked:
        return error_page(request, settings, viewer.user, 403, viewer.t("home.not_linked"))
    page = whole_number(request.query_params.get("halaman")) or 1
    listed = graduation.potential_list(
        session,
        viewer.scope,
        today=settings.today(),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        request_id=request_id(request),
    )
    page, pages, _ = page_window(listed.total, PAGE_SIZE, page)
    context: dict[str, Any] = {
        "rows": listed.items,
        "total": listed.total,
        "villages": region_names(session, [r.village_code for r in listed.items]),
        "page": page,
        "pages": pages,
    }
    return render(request, settings, "kpm_potensial.html", context, user=viewer.user)


def _page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    household_id: int,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        state = graduation.graduation_state(session, viewer.scope, household_id=household_id, today=settings.today())
        ready = (
            graduation.family_readiness(
                session, viewer.scope, household_id=household_id, today=settings.today(), request_id=request_id(request)
            )
            if state.household.restricted_at is None
            else None
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))
    context: dict[str, Any] = {
        "h": state.household,
        "record": state.record,
        "followed_up": state.followed_up,
        "active": state.household.pkh_status is PkhStatus.active,
        "ready": ready,
        "types": [(g.value, viewer.t(f"grad.type.{g.value}")) for g in GraduationType],
        "values": values or {"graduated_on": settings.today().isoformat(), "type": "", "reason": ""},
        "error": error,
        "today": settings.today(),
    }
    return render(request, settings, "kpm_graduation.html", context, status_code=status_code, user=viewer.user)


@router.get("/kpm/{household_id}/lulus", response_class=HTMLResponse)
def graduation_page(household_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """A family's readiness to graduate, and the form recording its graduation."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    hid = whole_number(household_id)
    if hid is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))
    return _page(request, session, settings, viewer, hid)


@router.post("/kpm/{household_id}/lulus", response_class=HTMLResponse)
def graduation_save(
    household_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Record the graduation; 303 to the family's page (the form again with the reason on a refusal)."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    hid = whole_number(household_id)
    if hid is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))
    values = {k: str(form.get(k) or "").strip() for k in ("graduated_on", "type", "reason")}
    try:
        data = GraduationCreate.model_validate({k: v or None for k, v in values.items()})
    except ValidationError as exc:
        error = "; ".join(
            f"{viewer.t('grad.f.' + str(e['loc'][0]))}: {schema_message(e, viewer.lang)}"
            if e.get("loc") and str(e["loc"][0]) in values
            else schema_message(e, viewer.lang)
            for e in exc.errors()
        )
        return _page(request, session, settings, viewer, hid, values=values, error=error, status_code=422)
    try:
        graduation.record_graduation(
            session, viewer.scope, household_id=hid, data=data, today=settings.today(), request_id=request_id(request)
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))
    except Forbidden:
        return error_page(request, settings, viewer.user, 403, viewer.t("fam.err.forbidden"))
    except Conflict:
        session.rollback()
        return _page(
            request, session, settings, viewer, hid, values=values, error=viewer.t("grad.err.already"), status_code=409
        )
    except InvalidInput as exc:
        key = REFUSALS.get(exc.kind or "")
        error = viewer.t(key) if key else exc.message
        return _page(request, session, settings, viewer, hid, values=values, error=error, status_code=422)
    return RedirectResponse(f"/kpm/{hid}?ok=graduated", status_code=303)
