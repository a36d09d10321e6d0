"""Moving a caseload (``/admin/pindah-kpm``): from one facilitator to another, all of it or the
households ticked, confirmed with a box; the answer shows what moved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.deps import SessionDep, SettingsDep, request_id
from service.errors import InvalidInput, NotFound
from service.i18n import N_
from service.people.transfer import MAX_LISTED, transfer_caseload, transfer_choices
from service.settings import Settings
from service.web.admin.gate import GATE, FormDep, field, form_viewer
from service.web.kit import Viewer, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

PATH = "/admin/pindah-kpm"
# What a refusal reads as (InvalidInput.kind of transfer_caseload).
ERRORS = {
    "same": N_("transfer.err.same"),
    "unknown": N_("transfer.err.unknown"),
    "inactive": N_("transfer.err.inactive"),
    "empty": N_("transfer.err.empty"),
    "not_in_caseload": N_("transfer.err.not_in_caseload"),
}


def _form(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    *,
    source: int | None,
    target: int | None = None,
    ticked: set[int] | None = None,
    error: str | None = None,
    done: Any = None,
    status: int = 200,
) -> HTMLResponse:
    choices = transfer_choices(session, viewer.scope, from_facilitator_id=source)
    known = {i for i, _, _ in choices.facilitators}
    context = {
        "c": choices,
        "source": source if source in known else None,
        "target": target,
        "ticked": ticked or set(),
        "error": error,
        "done": done,
        "names": {i: name for i, name, _ in choices.facilitators},
        "action": PATH,
    }
    return render(request, settings, "admin_transfer.html", context, status_code=status, user=viewer.user)


@router.get(PATH, response_class=HTMLResponse)
def transfer_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The transfer form (``?dari=`` chooses the facilitator whose households are listed)."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    source = whole_number(request.query_params.get("dari") or None)
    return _form(request, session, settings, viewer, source=source)


@router.post(PATH, response_class=HTMLResponse)
def transfer_submit(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Move the caseload; the answer shows the counts."""
    viewer = form_viewer(request, session, settings, form)
    if isinstance(viewer, Response):
        return viewer
    source, target = whole_number(field(form, "dari") or None), whole_number(field(form, "ke") or None)
    raw_ids = [v for v in form.getlist("kpm") if isinstance(v, str)][: MAX_LISTED + 1]
    ids = [i for i in (whole_number(v) for v in raw_ids) if i is not None]
    whole = field(form, "semua") == "ya"

    def refuse(key: str, status: int = 422) -> HTMLResponse:
        return _form(
            request,
            session,
            settings,
            viewer,
            source=source,
            target=target,
            ticked=set(ids),
            error=viewer.t(key),
            status=status,
        )

    if source is None:
        return refuse(N_("transfer.err.source"))
    if target is None:
        return refuse(N_("transfer.err.unknown"))
    if len(ids) != len(raw_ids) or len(ids) > MAX_LISTED:
        return refuse(N_("transfer.err.not_in_caseload"))
    if field(form, "confirm") != "ya":
        return refuse(N_("transfer.err.confirm"))
    try:
        done = transfer_caseload(
            session,
            viewer.scope,
            from_facilitator_id=source,
            to_facilitator_id=target,
            household_ids=None if whole else ids,
            request_id=request_id(request),
        )
    except NotFound:
        session.rollback()
        return refuse(N_("transfer.err.source"), status=404)
    except InvalidInput as exc:
        session.rollback()
        return refuse(ERRORS.get(exc.kind, N_("transfer.err.unknown")))
    return _form(request, session, settings, viewer, source=source, target=target, done=done)
