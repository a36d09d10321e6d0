"""An organisation's programmes (``/lembaga/program``), the programme form with its rule builder
(``/lembaga/program/baru``, ``/lembaga/program/{id}``) and the builder's live preview
(``/lembaga/program/pratinjau``).

Writes go through ``service.catalog`` like the API (staff programmes start as drafts, every
change is a revision); every form carries the session's CSRF token.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from mapping import labels
from mapping.privacy import MIN_AREA_HOUSEHOLDS, MIN_HOUSEHOLDS, SENSITIVE_MIN_GROUP
from models.organizations import CapacityUnit, OrganizationPublic, ProgramKind, ProgramPublic, ProgramStatus
from service import catalog
from service.core.scope import Scope
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from service.i18n import translator
from service.matching import preview_counts
from service.matching.schemas import PreviewRequest
from service.settings import Settings
from service.web.agency.access import GATE, organization_of, organization_page
from service.web.agency.program_form import (
    ProgramForm,
    check_codes,
    collect,
    new_program,
    parse_codes,
    program_changes,
    rule_tree,
)
from service.web.agency.revisions import REVISIONS_SHOWN, revisions_view
from service.web.agency.rule_builder import (
    apply_builder_action,
    field_options,
    normalise_for_display,
    renumber,
    rule_catalog,
    rule_words,
    tree_of,
)
from service.web.kit import Viewer, error_page, form_csrf_ok, render, rupiah, short_date, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

SAVE_ACTIONS = {"draft": ProgramStatus.draft, "publish": ProgramStatus.active, "save_status": None}


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


# --- the list ---------------------------------------------------------------------------------


def capacity_text(p: ProgramPublic, lang: str) -> str:
    """``20 / 25 peserta``: places left of all, in seats or rupiah."""
    if p.capacity_remaining is None and p.capacity is None:
        return "–"

    def amount(n: int | None) -> str:
        if n is None:
            return "–"
        return rupiah(n) if p.capacity_unit == CapacityUnit.rupiah else labels.value_label(n, lang)

    unit = "" if p.capacity_unit == CapacityUnit.rupiah else " " + translator(lang)("ag.unit.seats").lower()
    if p.capacity is None:
        return amount(p.capacity_remaining) + unit
    return f"{amount(p.capacity_remaining)} / {amount(p.capacity)}{unit}"


def window_text(opens: date | None, closes: date | None, lang: str) -> str:
    """When a programme takes people: ``5 Jan 2026 – 20 Des 2026``, from, until or always."""
    t = translator(lang)
    if opens is None and closes is None:
        return t("ag.window.open")
    if opens is None:
        return t("ag.window.until").format(date=short_date(closes, lang))
    if closes is None:
        return t("ag.window.from").format(date=short_date(opens, lang))
    return f"{short_date(opens, lang)} – {short_date(closes, lang)}"


@router.get("/lembaga/program", response_class=HTMLResponse)
def programs_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The organisation's programmes, drafts included."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    org = organization_page(request, session, settings, viewer, "/lembaga/program")
    if isinstance(org, Response):
        return org
    programs = catalog.organization_programs(session, viewer.scope, organization_id=org.id)
    rows = [(p, capacity_text(p, viewer.lang), window_text(p.opens_on, p.closes_on, viewer.lang)) for p in programs]
    counts = {s.value: sum(1 for p in programs if p.status == s) for s in ProgramStatus}
    context = {
        "org": org,
        "rows": rows,
        "counts": counts,
        "org_query": f"?org={org.id}" if viewer.scope.is_admin else "",
        "saved": request.query_params.get("ok"),
    }
    return render(request, settings, "agency_programs.html", context, user=viewer.user)


# --- the form ---------------------------------------------------------------------------------


def _form_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    org: OrganizationPublic,
    state: ProgramForm,
    *,
    program: ProgramPublic | None,
    status_code: int = 200,
    preview: dict[str, Any] | None = None,
    conflict: bool = False,
    notice: str | None = None,
) -> HTMLResponse:
    normalise_for_display(state.rule)
    renumber(state.rule)
    tree, _ = tree_of(state.rule)
    rules = rule_catalog(viewer.lang)
    revisions: list[dict[str, Any]] = []
    hidden = 0
    if program is not None:
        history = catalog.revision_history(session, viewer.scope, program_id=program.id, latest=REVISIONS_SHOWN)
        revisions, hidden = revisions_view(history, viewer.lang, settings), history.hidden
    context = {
        "org": org,
        "program": program,
        "form": state,
        # Open service points, and a closed one only where the programme still names it.
        "locations": [
            loc
            for loc in catalog.list_locations(session, viewer.scope, organization_id=org.id, by_name=True)
            if loc.is_open or str(loc.id) in state.location_ids
        ],
        "kinds": [k.value for k in ProgramKind],
        "statuses": [s.value for s in ProgramStatus],
        "units": [u.value for u in CapacityUnit],
        "field_options": field_options(viewer.lang),
        "catalog": rules,
        "catalog_json": json.dumps(rules, ensure_ascii=False, separators=(",", ":")),
        "rule_json": json.dumps(tree, ensure_ascii=False, indent=2) if tree else "null",
        "rule_words": rule_words(tree, viewer.lang) if tree and not state.rule.error else None,
        "preview": preview,
        "conflict": conflict,
        "notice": notice,
        "revisions": revisions,
        "revisions_hidden": hidden,
        "action_url": f"/lembaga/program/{program.id}" if program else "/lembaga/program/baru",
        "org_query": f"?org={org.id}" if viewer.scope.is_admin else "",
    }
    return render(request, settings, "agency_program_form.html", context, status_code=status_code, user=viewer.user)


@router.get("/lembaga/program/baru", response_class=HTMLResponse)
def new_program_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    org = organization_page(request, session, settings, viewer, "/lembaga/program/baru")
    if isinstance(org, Response):
        return org
    return _form_page(request, session, settings, viewer, org, ProgramForm.blank(org), program=None)


# --- the preview ------------------------------------------------------------------------------


def _preview(
    session: SessionDep, scope: Scope, state: ProgramForm, lang: str, settings: Settings, request: Request
) -> dict[str, Any]:
    """The counts of the builder's rule in the form's service area, in words (``ok`` False: why not)."""
    today = settings.today()
    t = translator(lang)
    tree = rule_tree(session, state.rule, lang)
    if state.rule.error:
        return {"ok": False, "text": t("ag.preview.bad_rule"), "error": state.rule.error}
    codes = parse_codes(state.values.get("service_area", ""))
    if not codes:
        return {"ok": False, "text": t("ag.preview.no_area")}
    message = check_codes(session, codes, lang)
    if message:
        state.errors["service_area"] = message
        return {"ok": False, "text": message, "error": message}
    try:
        body = PreviewRequest(eligibility=tree, service_area=codes)
        counts = preview_counts(
            session,
            scope,
            body,
            today=today,
            budget=settings.preview_budget_per_day,
            request_id=request_id(request),
        )
    except (ValidationError, ServiceError) as exc:
        text = exc.message if isinstance(exc, ServiceError) else t("ag.preview.bad_rule")
        status = exc.status_code if isinstance(exc, ServiceError) else 422
        return {"ok": False, "text": text, "error": text, "status": status}
    if counts.withheld_reason is not None:
        if counts.withheld_reason == "small_area":
            text = t("ag.preview.withheld.small_area").format(n=MIN_AREA_HOUSEHOLDS)
        else:
            text = t("ag.preview.withheld.sensitive_group").format(k=SENSITIVE_MIN_GROUP)
        return {
            "ok": True,
            "text": text,
            "note": None,
            "eligibility": tree,
            "words": rule_words(tree, lang),
            **counts.model_dump(),
        }
    minimum = counts.withheld_below or MIN_HOUSEHOLDS

    def shown(n: int | None) -> str:
        return f"<{minimum}" if n is None else labels.value_label(n, lang)

    text = t("ag.preview.counts").format(eligible=shown(counts.eligible), unknown=shown(counts.unknown))
    text += " " + t("ag.preview.of").format(n=shown(counts.households_in_area))
    if counts.rounded_to:
        text += " " + t("ag.preview.rounded").format(n=counts.rounded_to)
    withheld = None in (counts.eligible, counts.unknown, counts.ineligible)
    return {
        "ok": True,
        "text": text,
        "note": t("ag.withheld").format(n=minimum, m=minimum - 1) if withheld else None,
        "eligibility": tree,
        "words": rule_words(tree, lang),
        **counts.model_dump(),
    }


@router.post("/lembaga/program/pratinjau")
def preview_endpoint(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """The live preview of rule-builder.js: the form as posted, the counts as JSON."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return JSONResponse({"ok": False, "text": "forbidden"}, status_code=403)
    if not form_csrf_ok(request, settings, form.get("csrf")):
        return JSONResponse({"ok": False, "text": viewer.t("ag.err.csrf")}, status_code=403)
    state = ProgramForm.of_form(form)
    result = _preview(session, viewer.scope, state, viewer.lang, settings, request)
    return JSONResponse(result, status_code=200 if result["ok"] or "error" not in result else result.get("status", 422))


# --- one programme ----------------------------------------------------------------------------


def _program_of(session: SessionDep, viewer: Viewer, raw_id: str) -> ProgramPublic | None:
    """The programme, if it is the viewer's organisation's (admins: any); else None (a 404)."""
    program_id = whole_number(raw_id)
    if program_id is None:
        return None
    try:
        return catalog.own_program(session, viewer.scope, program_id)
    except (NotFound, Forbidden):
        return None


@router.get("/lembaga/program/{program_id}", response_class=HTMLResponse)
def edit_program_page(program_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    program = _program_of(session, viewer, program_id)
    if program is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("ag.err.program_not_found"))
    org = catalog.get_organization(session, viewer.scope, program.organization_id)
    state = ProgramForm.of_program(program, viewer.lang)
    saved = request.query_params.get("ok")
    notice = viewer.t(f"ag.saved.{saved}") if saved in (*ProgramStatus, "unchanged") else None
    return _form_page(request, session, settings, viewer, org, state, program=program, notice=notice)


@router.post("/lembaga/program/baru", response_class=HTMLResponse)
def new_program_submit(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    return _submit(request, session, settings, form, None)


@router.post("/lembaga/program/{program_id}", response_class=HTMLResponse)
def edit_program_submit(
    program_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    return _submit(request, session, settings, form, program_id)


def _submit(
    request: Request, session: SessionDep, settings: Settings, form: FormData, program_id: str | None
) -> Response:
    """A post of the form: a builder button redraws it, ``preview`` counts, the save buttons save."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    if not form_csrf_ok(request, settings, form.get("csrf")):
        return error_page(request, settings, viewer.user, 403, t("ag.err.csrf"))
    program = None
    if program_id is not None:
        program = _program_of(session, viewer, program_id)
        if program is None:
            return error_page(request, settings, viewer.user, 404, t("ag.err.program_not_found"))
        org = organization_of(session, viewer, str(program.organization_id))
    else:
        org = organization_of(session, viewer, str(form.get("org", "")))
    if org is None:
        return error_page(request, settings, viewer.user, 404, t("ag.err.org_not_found"))
    owner: OrganizationPublic = org
    state = ProgramForm.of_form(form)
    action, _, arg = str(form.get("action", "refresh")).partition(":")

    def page(status_code: int = 200, **kw: Any) -> HTMLResponse:
        return _form_page(
            request, session, settings, viewer, owner, state, program=program, status_code=status_code, **kw
        )

    if action in ("add_row", "remove", "add_group"):
        apply_builder_action(state.rule, action, arg, form)
        return page()
    if action == "preview":
        return page(preview=_preview(session, viewer.scope, state, viewer.lang, settings, request))
    if action not in SAVE_ACTIONS:
        return page()
    if program is not None and state.version != str(program.version):
        return page(409, conflict=True)
    own_locations = {loc.id for loc in catalog.list_locations(session, viewer.scope, organization_id=org.id)}
    values, tree = collect(session, state, own_locations, viewer.lang)
    if state.errors:
        return page(422)
    target = SAVE_ACTIONS[action]
    if target is None:
        target = ProgramStatus(state.status) if state.status in set(ProgramStatus) else ProgramStatus.draft
    rid = request_id(request)
    try:
        if program is None:
            data = new_program(org, values, tree, target)
            program = catalog.create_program_as(session, viewer.scope, data=data, status=target, request_id=rid)
        else:
            update = program_changes(program, values, tree, target)
            if update is None:
                return RedirectResponse(f"/lembaga/program/{program.id}?ok=unchanged", status_code=303)
            program = catalog.update_program(session, viewer.scope, program_id=program.id, data=update, request_id=rid)
    except ValidationError as exc:
        state.show_invalid(exc, viewer.lang)
        return page(422)
    except catalog.PlacesHeld as exc:
        text = t("ag.err.capacity_held" if exc.field == "capacity" else "ag.err.remaining_held")
        state.errors[exc.field] = text.format(held=exc.held, capacity=exc.capacity, left=exc.capacity - exc.held)
        return page(422)
    except InvalidInput as exc:
        state.show_refused(exc)
        return page(422)
    except Conflict:
        # Someone else changed it first (the catalogue rolled back): show the programme as it now stands.
        if program is not None:
            program = _program_of(session, viewer, str(program.id)) or program
        return page(409, conflict=True)
    except (Forbidden, NotFound) as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    return RedirectResponse(f"/lembaga/program/{program.id}?ok={ProgramStatus(program.status).value}", status_code=303)
