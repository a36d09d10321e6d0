"""The organisation's own profile (``/lembaga/profil``) and its service points
(``/lembaga/lokasi/baru``, ``/lembaga/lokasi/{id}``): staff keep their description, contact and
service points (add, edit, close, reopen; opening hours) from the web, through the same
``service.catalog`` use cases as the API. Its kind, region and verification are shown, changed
by administrators only; a name changed by its staff drops the verification mark (the catalogue's
rule). Admins choose the organisation with ``?org=``. Plain forms, no JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from models.organizations import (
    LocationClose,
    LocationCreate,
    LocationPublic,
    LocationUpdate,
    OrganizationPublic,
    OrganizationUpdate,
)
from service import catalog
from service.core.regions import region_names
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.agency.access import GATE, organization_of, organization_page
from service.web.agency.place_form import DAYS, LOCATION_FIELDS, PROFILE_FIELDS, PlaceForm
from service.web.kit import Viewer, error_page, form_viewer, render, short_date, viewer_for, whole_number

router = APIRouter(include_in_schema=False)
SAVED = ("profile", "added", "saved", "closed", "reopened", "unchanged")


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def hours_words(loc: LocationPublic, t: Any) -> str:
    """``Sen–Kam 08:00–15:30 · Jum 08:00–11:30``: days in a row with the same hours as one span
    (or that no hours were given)."""
    if not loc.opening_hours:
        return str(t("loc.hours.none"))
    spans: list[tuple[int, int, str, str]] = []  # (first day, last day, opens, closes)
    for h in loc.opening_hours:
        day = DAYS.index(h.day.value)
        if spans and spans[-1][1] == day - 1 and spans[-1][2:] == (h.opens, h.closes):
            spans[-1] = (spans[-1][0], day, h.opens, h.closes)
        else:
            spans.append((day, day, h.opens, h.closes))

    def days(first: int, last: int) -> str:
        name = str(t("day.short." + DAYS[first]))
        return name if first == last else f"{name}–{t('day.short.' + DAYS[last])}"

    return " · ".join(f"{days(a, b)} {opens}–{closes}" for a, b, opens, closes in spans)


# --- the profile ------------------------------------------------------------------------------


def _profile_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    org: OrganizationPublic,
    state: PlaceForm,
    *,
    status_code: int = 200,
    conflict: bool = False,
) -> HTMLResponse:
    locations = catalog.list_locations(session, viewer.scope, organization_id=org.id, by_name=True)
    names = region_names(session, [org.region_code, *(loc.region_code for loc in locations)])
    saved = request.query_params.get("ok")
    context = {
        "org": org,
        "form": state,
        "fields": PROFILE_FIELDS,
        "region_name": names.get(org.region_code, org.region_code),
        "locations": [
            {
                "loc": loc,
                "region": names.get(loc.region_code, loc.region_code),
                "hours": hours_words(loc, viewer.t),
                "closed_on": short_date(loc.closed_on, viewer.lang) if loc.closed_on else None,
            }
            for loc in sorted(locations, key=lambda loc: (not loc.is_open, loc.name))
        ],
        "verified_on": short_date(org.verified_at.date(), viewer.lang) if org.verified_at else None,
        "notice": viewer.t(f"prof.saved.{saved}") if saved in SAVED else None,
        "conflict": conflict,
        "org_query": f"?org={org.id}" if viewer.scope.is_admin else "",
    }
    return render(request, settings, "agency_profile.html", context, status_code=status_code, user=viewer.user)


def _conflict(
    request: Request, session: SessionDep, settings: Settings, viewer: Viewer, org: OrganizationPublic
) -> HTMLResponse:
    """409: someone changed the profile first; the page shows it as it now stands."""
    state = PlaceForm.of_organization(org)
    return _profile_page(request, session, settings, viewer, org, state, status_code=409, conflict=True)


@router.get("/lembaga/profil", response_class=HTMLResponse)
def profile_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The organisation's profile and service points, with the profile's form."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    org = organization_page(request, session, settings, viewer, "/lembaga/profil")
    if isinstance(org, Response):
        return org
    return _profile_page(request, session, settings, viewer, org, PlaceForm.of_organization(org))


@router.post("/lembaga/profil", response_class=HTMLResponse)
def profile_submit(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Save the profile: name, description, address, phone, e-mail, website."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("ag.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    org = organization_of(session, viewer, str(form.get("org", "")))
    if org is None:
        return error_page(request, settings, viewer.user, 404, t("ag.err.org_not_found"))
    state = PlaceForm.of_form(form, PROFILE_FIELDS)
    if state.version != str(org.version):
        return _conflict(request, session, settings, viewer, org)
    back = f"/lembaga/profil?{'org=' + str(org.id) + '&' if viewer.scope.is_admin else ''}ok="
    changes = state.profile_changes(org)
    if not changes:
        return RedirectResponse(back + "unchanged", status_code=303)
    if not state.text("name"):
        state.errors["name"] = t("ag.err.required")
        return _profile_page(request, session, settings, viewer, org, state, status_code=422)
    try:
        data = OrganizationUpdate.model_validate({**changes, "version": org.version})
        catalog.update_organization(
            session, viewer.scope, organization_id=org.id, data=data, request_id=request_id(request)
        )
    except ValidationError as exc:
        state.show_invalid(exc, viewer.lang, PROFILE_FIELDS)
        return _profile_page(request, session, settings, viewer, org, state, status_code=422)
    except InvalidInput as exc:
        state.show_refused(exc, PROFILE_FIELDS)
        return _profile_page(request, session, settings, viewer, org, state, status_code=422)
    except Conflict:
        fresh = organization_of(session, viewer, str(org.id)) or org
        return _conflict(request, session, settings, viewer, fresh)
    except (Forbidden, NotFound) as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    return RedirectResponse(back + "profile", status_code=303)


# --- a service point --------------------------------------------------------------------------


def _location_page(
    request: Request,
    settings: Settings,
    viewer: Viewer,
    org: OrganizationPublic,
    state: PlaceForm,
    *,
    location: LocationPublic | None,
    status_code: int = 200,
    conflict: bool = False,
) -> HTMLResponse:
    saved = request.query_params.get("ok")
    context = {
        "org": org,
        "form": state,
        "location": location,
        "days": DAYS,
        "closed_on": short_date(location.closed_on, viewer.lang) if location and location.closed_on else None,
        "notice": viewer.t(f"prof.saved.{saved}") if saved in SAVED else None,
        "conflict": conflict,
        "action_url": f"/lembaga/lokasi/{location.id}" if location else "/lembaga/lokasi/baru",
        "org_query": f"?org={org.id}" if viewer.scope.is_admin else "",
    }
    return render(request, settings, "agency_location.html", context, status_code=status_code, user=viewer.user)


def _location_of(session: SessionDep, viewer: Viewer, raw_id: str) -> tuple[OrganizationPublic, LocationPublic] | None:
    """The service point and its organisation, if it is the viewer's organisation's (admins: any)."""
    location_id = whole_number(raw_id)
    if location_id is None:
        return None
    try:
        location = catalog.get_location(session, viewer.scope, location_id=location_id)
    except NotFound:
        return None
    org = organization_of(session, viewer, str(location.organization_id))
    if org is None or org.id != location.organization_id:
        return None
    return org, location


@router.get("/lembaga/lokasi/baru", response_class=HTMLResponse)
def new_location_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form of a new service point."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    org = organization_page(request, session, settings, viewer, "/lembaga/lokasi/baru")
    if isinstance(org, Response):
        return org
    return _location_page(request, settings, viewer, org, PlaceForm.blank_location(org.region_code), location=None)


@router.get("/lembaga/lokasi/{location_id}", response_class=HTMLResponse)
def location_page(location_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One service point's form, with the button that closes (or reopens) it."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    found = _location_of(session, viewer, location_id)
    if found is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("loc.err.not_found"))
    org, location = found
    return _location_page(request, settings, viewer, org, PlaceForm.of_location(location), location=location)


@router.post("/lembaga/lokasi/baru", response_class=HTMLResponse)
def new_location_submit(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Add the service point."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("ag.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    org = organization_of(session, viewer, str(form.get("org", "")))
    if org is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("ag.err.org_not_found"))
    state = PlaceForm.of_form(form, LOCATION_FIELDS)
    values = state.location_values(viewer.lang)

    def page(status_code: int) -> HTMLResponse:
        return _location_page(request, settings, viewer, org, state, location=None, status_code=status_code)

    if state.errors:
        return page(422)
    try:
        data = LocationCreate.model_validate(values)
        added = catalog.add_location(session, viewer.scope, org=org.id, data=data, request_id=request_id(request))
    except ValidationError as exc:
        state.show_invalid(exc, viewer.lang, LOCATION_FIELDS)
        return page(422)
    except InvalidInput as exc:
        state.show_refused(exc, LOCATION_FIELDS)
        return page(422)
    except (Forbidden, NotFound) as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    return RedirectResponse(f"/lembaga/lokasi/{added.id}?ok=added", status_code=303)


@router.post("/lembaga/lokasi/{location_id}", response_class=HTMLResponse)
def location_submit(
    location_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Save the service point (``action=save``), close it from today (``close``) or reopen it (``reopen``)."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("ag.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    found = _location_of(session, viewer, location_id)
    if found is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("loc.err.not_found"))
    org, location = found
    state = PlaceForm.of_form(form, LOCATION_FIELDS)
    action = str(form.get("action", "save"))

    def page(status_code: int, *, conflict: bool = False, shown: LocationPublic = location) -> HTMLResponse:
        shown_state = PlaceForm.of_location(shown) if conflict else state
        return _location_page(
            request, settings, viewer, org, shown_state, location=shown, status_code=status_code, conflict=conflict
        )

    if state.version != str(location.version):
        return page(409, conflict=True)
    common: dict[str, Any] = {
        "organization_id": org.id,
        "location_id": location.id,
        "today": settings.today(),
        "request_id": request_id(request),
    }
    try:
        if action == "close":
            catalog.close_location(session, viewer.scope, data=LocationClose(version=location.version), **common)
            done = "closed"
        elif action == "reopen":
            data = LocationUpdate(version=location.version, closed_on=None)
            catalog.update_location(session, viewer.scope, data=data, **common)
            done = "reopened"
        else:
            values = state.location_values(viewer.lang)
            if state.errors:
                return page(422)
            update = LocationUpdate.model_validate({**values, "version": location.version})
            catalog.update_location(session, viewer.scope, data=update, **common)
            done = "saved"
    except ValidationError as exc:
        state.show_invalid(exc, viewer.lang, LOCATION_FIELDS)
        return page(422)
    except InvalidInput as exc:
        state.show_refused(exc, LOCATION_FIELDS)
        return page(422)
    except Conflict:
        fresh = _location_of(session, viewer, str(location.id))
        return page(409, conflict=True, shown=fresh[1] if fresh else location)
    except (Forbidden, NotFound) as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    return RedirectResponse(f"/lembaga/lokasi/{location.id}?ok={done}", status_code=303)
