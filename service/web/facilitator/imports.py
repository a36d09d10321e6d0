"""The caseload import's pages: upload a file, check the columns it read, follow the job, fix the
refused rows; the template and the caseload export in the same columns.

``/kpm/impor`` (the form) -> ``POST /kpm/impor`` (kept sealed) -> ``/kpm/impor/{upload}`` (the
columns and the first rows) -> ``POST /kpm/impor/{upload}/mulai`` (the job) ->
``/kpm/impor/tugas/{job}`` (progress, refreshing itself without JavaScript, then the report)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.jobs import JOB_ID_LENGTH, JobStatus
from models.users import Role
from service import jobs
from service.deps import JobQueueDep, SessionDep, SettingsDep, attachment, read_upload, request_id
from service.errors import ServiceError
from service.households import imports
from service.households.imports.contract import BY_NAME
from service.i18n import N_
from service.people.facilitators import list_facilitators
from service.web.kit import Gate, Viewer, error_page, form_csrf_ok, render, viewer_for

if TYPE_CHECKING:
    from sqlmodel import Session

    from service.settings import Settings

router = APIRouter(include_in_schema=False)
GATE = Gate(roles=(Role.facilitator, Role.admin), refused=N_("error.households_forbidden"), refused_status=403)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FileId = Annotated[str, Path(max_length=JOB_ID_LENGTH)]  # an unknown id is a 404 page, not a 422
REFUSED_SHOWN = 200


def _viewer(request: Request, session: Session, settings: Settings) -> Viewer | Response:
    return viewer_for(request, session, settings, GATE)


def _form_page(
    request: Request,
    settings: Settings,
    viewer: Viewer,
    session: Session,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    choices = (
        list_facilitators(session, viewer.scope, region=None, q=None, limit=500, offset=0).items
        if viewer.scope.is_admin
        else []
    )
    context = {"error": error, "facilitators": choices, "limit_mb": settings.import_max_bytes // (1024 * 1024)}
    return render(request, settings, "kpm_import.html", context, status_code=status, user=viewer.user)


@router.get("/kpm/impor", response_class=HTMLResponse)
def upload_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    return _form_page(request, settings, viewer, session)


@router.post("/kpm/impor", response_class=HTMLResponse)
async def upload(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    t = viewer.t
    try:
        filename, data, fields = await read_upload(request, settings.import_max_bytes)
    except ServiceError as exc:
        key = "imp.page.too_large" if exc.status_code == 413 else "imp.page.no_file"
        message = t(key).format(mb=settings.import_max_bytes // (1024 * 1024))
        return _form_page(request, settings, viewer, session, error=message, status=exc.status_code)
    if not form_csrf_ok(request, settings, fields.get("csrf")):
        return error_page(request, settings, viewer.user, 403, t("imp.page.csrf"))
    try:
        preview = imports.upload_file(
            session,
            viewer.scope,
            filename=filename,
            data=data,
            settings=settings,
            sheet=fields.get("sheet") or None,
            lang=viewer.lang,
        )
    except ServiceError as exc:
        return _form_page(request, settings, viewer, session, error=exc.message, status=exc.status_code)
    query = ""
    if fields.get("facilitator_id", "").isdigit():
        query = f"?facilitator_id={fields['facilitator_id']}"
    return RedirectResponse(f"/kpm/impor/{preview.upload_id}{query}", status_code=303)


def _field_label(viewer: Viewer, name: str | None) -> str:
    if name is None:
        return viewer.t("imp.page.ignored")
    column = BY_NAME[name]  # the header facilitators know, not the field's name in the code
    return column.aliases[0] + (" *" if column.required else "")


@router.get("/kpm/impor/{upload_id}", response_class=HTMLResponse)
def preview(request: Request, upload_id: FileId, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    try:
        shown = imports.preview_upload(session, viewer.scope, upload_id, settings=settings, lang=viewer.lang)
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    facilitator_id = request.query_params.get("facilitator_id", "")
    context: dict[str, Any] = {
        "p": shown,
        "labels": [_field_label(viewer, c.field) for c in shown.columns],
        "facilitator_id": facilitator_id if facilitator_id.isdigit() else "",
    }
    return render(request, settings, "kpm_import_preview.html", context, user=viewer.user)


@router.post("/kpm/impor/{upload_id}/mulai")
async def start(
    request: Request, upload_id: FileId, session: SessionDep, settings: SettingsDep, queue: JobQueueDep
) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await request.form()
    if not form_csrf_ok(request, settings, form.get("csrf")):
        return error_page(request, settings, viewer.user, 403, viewer.t("imp.page.csrf"))
    raw_facilitator = str(form.get("facilitator_id") or "")
    options = imports.ImportOptions(
        dry_run=form.get("dry_run") == "1",
        accept_partial=form.get("accept_partial") == "1",
        facilitator_id=int(raw_facilitator) if raw_facilitator.isdigit() and len(raw_facilitator) < 10 else None,
    )
    try:
        job = imports.start_import(
            session,
            viewer.scope,
            upload_id=upload_id,
            options=options,
            queue=queue,
            lang=viewer.lang,
            request_id=request_id(request),
        )
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    return RedirectResponse(f"/kpm/impor/tugas/{job.id}", status_code=303)


@router.get("/kpm/impor/tugas/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: FileId, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    try:
        job = jobs.get_job(session, viewer.scope, job_id)
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    if job.kind != imports.KIND:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.not_found"))
    result = job.result or {}
    done = job.status in (JobStatus.succeeded, JobStatus.failed)
    context = {
        "job": job,
        "done": done,
        "percent": round(job.progress * 100),
        "result": result,
        "refused": (result.get("refused") or [])[:REFUSED_SHOWN],
        "dry_run": bool((job.params or {}).get("dry_run")),
    }
    response = render(request, settings, "kpm_import_job.html", context, user=viewer.user)
    if not done:
        response.headers["Refresh"] = "2"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/kpm/impor/tugas/{job_id}/ditolak.xlsx")
def refused_rows(request: Request, job_id: FileId, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    try:
        filename, data = imports.import_report(session, viewer.scope, job_id)
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    headers = {"Content-Disposition": attachment(filename), "Cache-Control": "no-store"}
    return Response(data, media_type=XLSX, headers=headers)


@router.get("/kpm/templat.xlsx")
def template(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    headers = {"Content-Disposition": 'attachment; filename="templat-kpm.xlsx"'}
    return Response(imports.template_file(viewer.scope), media_type=XLSX, headers=headers)


@router.get("/kpm/ekspor.xlsx")
def export(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if not isinstance(viewer, Viewer):
        return viewer
    try:
        data = imports.export_caseload(session, viewer.scope, request_id=request_id(request))
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    headers = {"Content-Disposition": 'attachment; filename="kpm.xlsx"', "Cache-Control": "no-store"}
    return Response(data, media_type=XLSX, headers=headers)
