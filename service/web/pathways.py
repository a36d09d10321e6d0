"""The pathway pages (``/jalur``): the pathways an agency or a forum keeps and those of its area,
the form that defines one (up to ``STEP_ROWS`` ordered steps, each a programme or a programme
kind, no JavaScript), and one pathway's page with the same form to change it (its owner).

Agency staff, forum organisers and administrators (others: 404); writes go through
``service.pathways``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.organizations import ProgramKind
from models.pathways import MAX_STEPS, PathwayCreate, PathwayPublic, PathwayUpdate
from models.users import Role
from service import pathways
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import InvalidInput, NotFound, ServiceError
from service.i18n import N_
from service.settings import Settings
from service.web.kit import (
    Gate,
    Viewer,
    error_page,
    form_viewer,
    render,
    schema_message,
    viewer_for,
    whole_number,
)

router = APIRouter(include_in_schema=False)

GATE = Gate(roles=(Role.agency_staff, Role.forum_organizer, Role.admin))
STEP_ROWS = 8  # step rows on the form
FORM = N_("pw.f.form")  # a refusal naming no field names the form
KINDS = [k.value for k in ProgramKind]
FIELDS = {
    "name": N_("pw.f.name"),
    "goal": N_("pw.f.goal"),
    "region_code": N_("pw.f.region"),
    "organization_id": N_("pw.f.owner"),
    "forum_id": N_("pw.f.owner"),
    "steps": N_("pw.f.steps"),
    "version": N_("pw.f.version"),
}


class BadForm(Exception):
    """A form value the page cannot read, naming its field (a ``FIELDS`` key) and step row."""

    def __init__(self, field: str, row: int | None = None) -> None:
        super().__init__(field)
        self.field, self.row = field, row


def _not_found(request: Request, settings: Settings, viewer: Viewer) -> Response:
    return error_page(request, settings, viewer.user, 404, viewer.t("pw.err.not_found"))


def _target(raw: str, row: int) -> dict[str, Any]:
    """``program:12`` or ``kind:training`` -> the step's field."""
    kind, _, value = raw.partition(":")
    if kind == "kind" and value in KINDS:
        return {"program_kind": value}
    if kind == "program" and (number := whole_number(value)) is not None and number >= 1:
        return {"program_id": number}
    raise BadForm("steps", row)


def _read(values: dict[str, str], *, admin: bool, new: bool) -> dict[str, Any]:
    """The form's values as the API's body (rows left empty are skipped)."""
    steps = []
    for i in range(MAX_STEPS):  # a pathway defined through the API may hold more rows than a new form
        target = values.get(f"s{i}_target", "").strip()
        label = values.get(f"s{i}_label", "").strip()
        if not target:
            if label:
                raise BadForm("steps", i)
            continue
        steps.append({**_target(target, i), "label": label or None})
    body: dict[str, Any] = {
        "name": values.get("name", "").strip(),
        "goal": values.get("goal", "").strip() or None,
        "region_code": values.get("region_code", "").strip(),
        "steps": steps,
    }
    if new and admin:
        org = values.get("owner_org", "").strip()
        owner = values.get("owner", "").strip() or (f"organization:{org}" if org else "")
        kind, _, number = owner.partition(":")
        owner_id = whole_number(number)
        if owner and (kind not in ("organization", "forum") or owner_id is None):
            raise BadForm("organization_id")
        if owner_id is not None:
            body[f"{kind}_id"] = owner_id
    if not new:
        body["version"] = whole_number(values.get("version", ""))
    return body


def _refusal(viewer: Viewer, exc: Exception) -> tuple[int, str]:
    """A refused write as (status, message in the page language), naming the step row."""
    t = viewer.t
    if isinstance(exc, BadForm):
        where = t(FIELDS.get(exc.field, FORM))
        if exc.row is not None:
            where = t("pw.f.step_n").format(n=exc.row + 1)
        return 422, t("pw.err.field").format(field=where)
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = [p for p in err.get("loc") or () if p != "body"]
        name = next((p for p in loc if isinstance(p, str)), "")
        rows = [p for p in loc if isinstance(p, int)]
        where = t("pw.f.step_n").format(n=rows[0] + 1) if rows else t(FIELDS.get(name, FORM))
        return 422, t("pw.err.field_why").format(field=where, why=schema_message(err, viewer.lang))
    if isinstance(exc, InvalidInput):
        loc = list(exc.loc)
        if "steps" in loc and any(isinstance(p, int) for p in loc):
            n = next(p for p in loc if isinstance(p, int)) + 1
            key = N_("pw.err.step_program") if exc.kind == "unknown_reference" else N_("pw.err.step_one")
            if loc[-1] != "program_id":
                key = N_("pw.err.step_repeat")
            return 422, t(key).format(n=n)
        if loc[-1] == "region_code":
            return 422, t("pw.err.region")
        if loc[-1] in ("organization_id", "forum_id"):
            return 422, t("pw.err.owner")
        name = next((p for p in reversed(loc) if isinstance(p, str)), "")
        return 422, t("pw.err.field").format(field=t(FIELDS.get(name, FORM)))
    if isinstance(exc, ServiceError):
        refused = {403: N_("pw.err.forbidden"), 404: N_("pw.err.not_found"), 409: N_("pw.err.conflict")}.get(
            exc.status_code
        )
        return exc.status_code, t(refused) if refused else exc.message
    raise exc


def _rows(p: PathwayPublic | None, values: dict[str, str] | None) -> list[dict[str, str]]:
    """The step rows as the form shows them: what was sent, else the pathway's steps, then blanks."""
    if values is not None:
        sent = [i for i in range(MAX_STEPS) if values.get(f"s{i}_target") or values.get(f"s{i}_label")]
        count = max(STEP_ROWS, max(sent, default=0) + 1)
        return [
            {"target": values.get(f"s{i}_target", ""), "label": values.get(f"s{i}_label", "")} for i in range(count)
        ]
    rows = []
    for s in p.steps if p else []:
        target = f"program:{s.program_id}" if s.program_id else f"kind:{s.program_kind.value if s.program_kind else ''}"
        rows.append({"target": target, "label": s.label or ""})
    return (rows + [{"target": "", "label": ""}] * STEP_ROWS)[: max(STEP_ROWS, len(rows))]


def _form_context(
    session: SessionDep, viewer: Viewer, p: PathwayPublic | None, values: dict[str, str] | None
) -> dict[str, Any]:
    programs = pathways.step_program_choices(session, viewer.scope)
    shown = {pid for pid, _, _ in programs}
    # A step's programme the list does not hold (paused, or beyond the reach) stays choosable.
    kept = [(s.program_id, s.program_name or "", "") for s in (p.steps if p else []) if s.program_id]
    return {
        "rows": _rows(p, values),
        "kinds": KINDS,
        "programs": programs + [k for k in kept if k[0] not in shown],
        "forums": pathways.owner_forum_choices(session, viewer.scope),
        "sent": values or ({"name": p.name, "goal": p.goal or "", "region_code": p.region_code} if p else {}),
    }


def _list_page(request: Request, session: SessionDep, settings: Settings, viewer: Viewer) -> Response:
    found = pathways.list_pathways(session, viewer.scope, region=None, limit=500, offset=0)
    context = {"pathways": found.items, "may_define": pathways.may_define(viewer.scope)}
    return render(request, settings, "pathways.html", context, user=viewer.user)


def _new_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    if not pathways.may_define(viewer.scope):
        return _not_found(request, settings, viewer)
    context = {"p": None, "error": error, **_form_context(session, viewer, None, values)}
    return render(request, settings, "pathway_form.html", context, status_code=status_code, user=viewer.user)


def _pathway_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    pathway_id: int,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
    notice: bool = False,
) -> Response:
    try:
        p = pathways.get_pathway(session, viewer.scope, pathway_id)
    except NotFound:
        return _not_found(request, settings, viewer)
    context = {"p": p, "error": error, "notice": notice, **_form_context(session, viewer, p, values)}
    return render(request, settings, "pathway_form.html", context, status_code=status_code, user=viewer.user)


@router.get("/jalur", response_class=HTMLResponse)
def pathway_list(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The pathways of the viewer's organisation or forum and of its area."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    return _list_page(request, session, settings, viewer)


@router.get("/jalur/baru", response_class=HTMLResponse)
def pathway_new(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form that defines a pathway: name, goal, region and up to eight ordered steps."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    return _new_page(request, session, settings, viewer)


async def _posted(
    request: Request, session: SessionDep, settings: Settings
) -> tuple[Viewer, dict[str, str]] | Response:
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    viewer = form_viewer(
        request, session, settings, GATE, csrf=values.get("csrf", ""), refused=N_("pw.err.csrf"), back=request.url.path
    )
    if isinstance(viewer, Response):
        return viewer
    return viewer, values


@router.post("/jalur/baru")
async def pathway_create(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Define the pathway; 303 to its page, or the form again with why not."""
    posted = await _posted(request, session, settings)
    if isinstance(posted, Response):
        return posted
    viewer, values = posted
    try:
        body = _read(values, admin=viewer.scope.is_admin, new=True)
        made = pathways.create_pathway(
            session, viewer.scope, data=PathwayCreate.model_validate(body), request_id=request_id(request)
        )
    except (BadForm, ValidationError, ServiceError) as exc:
        session.rollback()
        if isinstance(exc, ServiceError) and exc.status_code == 403:
            return _not_found(request, settings, viewer)
        status_code, message = _refusal(viewer, exc)
        return _new_page(request, session, settings, viewer, values=values, error=message, status_code=status_code)
    return RedirectResponse(f"/jalur/{made.id}?ok=1", status_code=303)


@router.get("/jalur/{pathway_id}", response_class=HTMLResponse)
def pathway_page(pathway_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One pathway: its steps, and for its owner the form that changes them."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    pid = whole_number(pathway_id)
    if pid is None:
        return _not_found(request, settings, viewer)
    notice = request.query_params.get("ok") == "1"
    return _pathway_page(request, session, settings, viewer, pid, notice=notice)


@router.post("/jalur/{pathway_id}")
async def pathway_update(pathway_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Change the pathway at the version read; 303 back to it, or the form again with why not."""
    posted = await _posted(request, session, settings)
    if isinstance(posted, Response):
        return posted
    viewer, values = posted
    pid = whole_number(pathway_id)
    if pid is None:
        return _not_found(request, settings, viewer)
    try:
        body = _read(values, admin=viewer.scope.is_admin, new=False)
        pathways.update_pathway(
            session,
            viewer.scope,
            pathway_id=pid,
            data=PathwayUpdate.model_validate(body),
            request_id=request_id(request),
        )
    except (BadForm, ValidationError, ServiceError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            return _not_found(request, settings, viewer)
        status_code, message = _refusal(viewer, exc)
        return _pathway_page(
            request, session, settings, viewer, pid, values=values, error=message, status_code=status_code
        )
    return RedirectResponse(f"/jalur/{pid}?ok=1", status_code=303)
