"""The caseload import: upload a CSV or XLSX of KPM families (a background job), its template,
the refused rows' report, and the caseload exported in the same columns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel

from models.jobs import JOB_ID_LENGTH
from models.types import NoNul
from service.deps import JobQueueDep, ScopeDep, SessionDep, SettingsDep, attachment, read_upload, request_id
from service.errors import InvalidInput
from service.households import imports
from service.i18n import LANGUAGES

router = APIRouter(prefix="/imports/households", tags=["imports"])
JobId = Annotated[str, Path(max_length=JOB_ID_LENGTH), NoNul]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "maxLength": 50 * 1024 * 1024,
                            "description": "CSV or XLSX, at most JEJARING_IMPORT_MAX_BYTES (50 MB by default)",
                        },
                        "dry_run": {"type": "boolean", "default": False},
                        "accept_partial": {"type": "boolean", "default": False},
                        "facilitator_id": {"type": "integer", "description": "Administrators: whose caseload"},
                        "sheet": {
                            "type": "string",
                            "maxLength": 100,
                            "description": "The XLSX sheet (default: the first)",
                        },
                    },
                }
            }
        },
    }
}


class ImportStarted(BaseModel):
    job_id: str
    status: str


def _flag(value: object, name: str) -> bool:
    if value is None or value == "":
        return False
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on", "ya"):
        return True
    if text in ("false", "0", "no", "off", "tidak"):
        return False
    raise InvalidInput(f"{name} must be true or false", loc=("body", name))


def _number(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput(f"{name} must be a whole number", loc=("body", name))
    return int(text)


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ImportStarted, openapi_extra=UPLOAD_BODY)
async def start_import(
    request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep, queue: JobQueueDep
) -> ImportStarted:
    """Import KPM families and their businesses from a CSV or XLSX file, as a background job.

    Follow it at ``GET /api/v1/jobs/{job_id}``; its result counts the rows created, updated,
    unchanged and refused (each refusal with its line, column and reason), and
    ``GET /api/v1/imports/households/{job_id}/report.xlsx`` gives the refused rows to fix.
    Reasons are in Bahasa Indonesia; ``?lang=en`` gives them in English.
    """
    wanted = request.query_params.get("lang")
    lang = wanted if wanted in LANGUAGES else settings.default_language
    filename, data, fields = await read_upload(request, settings.import_max_bytes)
    options = imports.ImportOptions(
        dry_run=_flag(fields.get("dry_run"), "dry_run"),
        accept_partial=_flag(fields.get("accept_partial"), "accept_partial"),
        facilitator_id=_number(fields.get("facilitator_id"), "facilitator_id"),
        sheet=(fields.get("sheet") or None),
    )
    job = imports.submit_import(
        session,
        scope,
        filename=filename,
        data=data,
        options=options,
        settings=settings,
        queue=queue,
        lang=lang,
        request_id=request_id(request),
    )
    return ImportStarted(job_id=job.id, status=job.status.value)


@router.get("/template.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def template(scope: ScopeDep) -> Response:
    """The import's XLSX template: the columns, an example row, drop-down lists for the choices."""
    return Response(
        imports.template_file(scope),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="templat-kpm.xlsx"'},
    )


@router.get("/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export(request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Your caseload (administrators: every household) in the template's columns, NIK masked:
    edit it in a spreadsheet program and import it back; only the edited families change."""
    data = imports.export_caseload(session, scope, request_id=request_id(request))
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="kpm.xlsx"', "Cache-Control": "no-store"},
    )


@router.get("/{job_id}/report.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def report(job_id: JobId, session: SessionDep, scope: ScopeDep) -> Response:
    """The refused rows of a finished import, as the file had them (NIK masked), with an ``alasan`` column."""
    filename, data = imports.import_report(session, scope, job_id)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": attachment(filename), "Cache-Control": "no-store"},
    )
