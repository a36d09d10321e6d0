"""Use cases of the caseload import: upload and preview, start the job, the job itself, its report,
the template and the caseload export. The API, the pages and the CLI call these."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Final

from sqlmodel import Session

from models.jobs import Job, JobStatus, Upload, UploadPurpose
from service.core.audit import record_event
from service.core.scope import Scope
from service.errors import Forbidden, InvalidInput, NotFound
from service.households.imports import queries
from service.households.imports.checkins import SHEET as CHECKIN_SHEET
from service.households.imports.checkins import CheckinImport, import_checkins
from service.households.imports.checkins import is_header as is_checkin_header
from service.households.imports.contract import COLUMNS, match_header, missing_required
from service.households.imports.files import FileRefused, open_table
from service.households.imports.messages import render
from service.households.imports.rows import Problem
from service.households.imports.run import (
    ImportOptions,
    ImportOutcome,
    check_caller,
    import_households,
    may_import,
)
from service.households.imports.sheets import caseload, report, template
from service.households.imports.stream import open_checked
from service.households.imports.values import mask_cell
from service.jobs import JobContext, JobError, JobQueue, get_job, job_kind, submit_job
from service.jobs.files import delete_file, file_bytes, get_file, store_file
from service.settings import Settings

KIND: Final = "households.import"
PREVIEW_ROWS: Final = 5
REFUSED_LISTED: Final = 1000
"""Refusals listed in a job's result (the XLSX report has every refused row, up to its own cap)."""


class FileProblem(InvalidInput):
    """A file that cannot be imported at all (422), with the reason in the caller's language."""


def file_problem(refused: FileRefused, lang: str) -> FileProblem:
    return FileProblem(render(refused.key, refused.params, lang), loc=("body", "file"), kind="file_refused")


# --- upload and preview -----------------------------------------------------------------------


@dataclass
class MappedColumn:
    header: str
    field: str | None  # the contract column it fills, None: ignored


@dataclass
class Preview:
    upload_id: str
    filename: str
    sheet: str | None
    sheets: list[str]
    header_line: int
    columns: list[MappedColumn]
    missing: list[str]
    rows: list[tuple[int, list[str]]]


def _keep_upload(
    session: Session, scope: Scope, *, filename: str, data: bytes, settings: Settings, sheet: str | None
) -> Upload:
    """Store an uploaded file sealed (it holds clear NIKs), audited; the caller commits."""
    assert scope.user_id is not None
    upload = store_file(
        session,
        owner_user_id=scope.user_id,
        purpose=UploadPurpose.import_source,
        filename=filename,
        data=data,
        secret_key=settings.secret_key,
        meta={"sheet": sheet} if sheet else None,
    )
    record_event(session, actor_user_id=scope.user_id, action="upload", entity="upload", entity_id=upload.id)
    return upload


def upload_file(
    session: Session,
    scope: Scope,
    *,
    filename: str,
    data: bytes,
    settings: Settings,
    sheet: str | None = None,
    lang: str = "id",
) -> Preview:
    """Keep an uploaded file (sealed) and show how it reads: the guessed columns and the first rows."""
    may_import(scope)
    preview = _preview(data, filename=filename, sheet=sheet, lang=lang)
    upload = _keep_upload(session, scope, filename=filename, data=data, settings=settings, sheet=preview.sheet)
    session.commit()
    preview.upload_id = upload.id
    return preview


def _preview(data: bytes, *, filename: str, sheet: str | None, lang: str) -> Preview:
    try:
        table = open_table(io.BytesIO(data), filename=filename, size=len(data), sheet=sheet)
    except FileRefused as refused:
        raise file_problem(refused, lang) from None
    mapping = match_header(table.header)
    by_index = {index: name for name, index in mapping.items()}
    columns = [
        MappedColumn(header="" if h is None else str(h), field=by_index.get(i)) for i, h in enumerate(table.header)
    ]
    nik_index = mapping.get("nik")
    rows: list[tuple[int, list[str]]] = []
    try:
        for line, cells in table.rows:
            shown = [mask_cell(c) if i == nik_index else c for i, c in enumerate(cells)]
            rows.append((line, ["" if c is None else str(c) for c in shown]))
            if len(rows) >= PREVIEW_ROWS:
                break
    except FileRefused as refused:
        raise file_problem(refused, lang) from None
    missing = missing_required(mapping)
    return Preview("", filename, table.sheet, table.sheets, table.header_line, columns, missing, rows)


def preview_upload(session: Session, scope: Scope, upload_id: str, *, settings: Settings, lang: str = "id") -> Preview:
    """The preview of a file already uploaded (the caller's own)."""
    upload = get_file(session, scope, upload_id, purpose=UploadPurpose.import_source)
    data = file_bytes(upload, secret_key=settings.secret_key)
    sheet = (upload.meta or {}).get("sheet")
    preview = _preview(data, filename=upload.filename, sheet=sheet, lang=lang)
    preview.upload_id = upload.id
    return preview


# --- the job ----------------------------------------------------------------------------------


def start_import(
    session: Session,
    scope: Scope,
    *,
    upload_id: str,
    options: ImportOptions,
    queue: JobQueue,
    lang: str = "id",
    request_id: str | None = None,
) -> Job:
    """Queue the import of an uploaded file as a background job; the caller follows it by its id. While
    an earlier import of the same upload is queued or running, that job is returned instead."""
    check_caller(session, scope, options)
    upload = get_file(session, scope, upload_id, purpose=UploadPurpose.import_source)
    return _queue(session, scope, upload, options=options, queue=queue, lang=lang, request_id=request_id)


def submit_import(
    session: Session,
    scope: Scope,
    *,
    filename: str,
    data: bytes,
    options: ImportOptions,
    settings: Settings,
    queue: JobQueue,
    lang: str = "id",
    request_id: str | None = None,
) -> Job:
    """Upload and queue in one step (the API): who asks, the caseload and the file's columns are
    checked before anything is kept, so a refused request stores neither the file nor a job."""
    check_caller(session, scope, options)
    check_file(data, filename=filename, options=options, lang=lang)
    upload = _keep_upload(session, scope, filename=filename, data=data, settings=settings, sheet=options.sheet)
    return _queue(session, scope, upload, options=options, queue=queue, lang=lang, request_id=request_id)


def _queue(
    session: Session,
    scope: Scope,
    upload: Upload,
    *,
    options: ImportOptions,
    queue: JobQueue,
    lang: str,
    request_id: str | None,
) -> Job:
    if upload.job_id is not None:
        # A second start while the first still runs (a double click, a resent form) follows that job.
        earlier = session.get(Job, upload.job_id)
        if earlier is not None and earlier.status in (JobStatus.queued, JobStatus.running):
            return earlier
    params = {
        "upload_id": upload.id,
        "dry_run": options.dry_run,
        "accept_partial": options.accept_partial,
        "facilitator_id": options.facilitator_id,
        "sheet": options.sheet or (upload.meta or {}).get("sheet"),
        "lang": lang,
    }
    job = submit_job(session, scope, kind=KIND, params=params, queue=queue, request_id=request_id)
    upload.job_id = job.id
    session.add(upload)
    session.commit()
    return job


def outcome_result(outcome: ImportOutcome, *, lang: str, dry_run: bool, report_id: str | None) -> dict[str, Any]:
    """The job's result: the counts, the first refusals (line, column, reason), the report's id."""
    refused = [
        {"line": p.line, "column": p.column, "reason": render(p.key, p.params, lang)}
        for p in outcome.problems[:REFUSED_LISTED]
    ]
    return {
        "rows": outcome.rows,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "refused": refused,
        "refused_rows": outcome.refused_rows,
        "refused_listed": len(refused),
        "refused_total": len(outcome.problems),
        "stored": outcome.stored,
        "dry_run": dry_run,
        "households_created": outcome.households_created,
        "businesses_created": outcome.businesses_created,
        "groups_created": outcome.groups_created,
        "report_id": report_id,
    }


def report_rows(outcome: ImportOutcome, lang: str) -> list[tuple[int, list[object], str]]:
    reasons: dict[int, list[str]] = defaultdict(list)
    for p in outcome.problems:
        reasons[p.line].append(f"{p.column}: {render(p.key, p.params, lang)}")
    return [(line, cells, "; ".join(reasons.get(line, []))) for line, cells in outcome.refused_cells]


def _store_report(
    session: Session, *, owner_user_id: int, job_id: str | None, outcome: ImportOutcome, lang: str, filename: str
) -> str | None:
    if not outcome.refused_rows:
        return None
    data = report(outcome.header, report_rows(outcome, lang))
    stem = Path(filename).stem or "impor"
    upload = store_file(
        session,
        owner_user_id=owner_user_id,
        purpose=UploadPurpose.import_report,
        filename=f"{stem}-ditolak.xlsx",
        data=data,
        meta={"identities": outcome.identities},
        job_id=job_id,
    )
    return upload.id


@job_kind(KIND, max_attempts=2)
def import_job(
    ctx: JobContext,
    *,
    upload_id: str,
    dry_run: bool = False,
    accept_partial: bool = False,
    facilitator_id: int | None = None,
    sheet: str | None = None,
    lang: str = "id",
) -> dict[str, Any]:
    """Import an uploaded caseload file for the user who started the job."""
    settings = ctx.settings
    with ctx.session() as session:
        scope = ctx.scope(session)
        try:
            upload = get_file(session, scope, upload_id, purpose=UploadPurpose.import_source)
        except NotFound:
            raise JobError("The uploaded file is gone (files are kept for 7 days); upload it again") from None
        data = file_bytes(upload, secret_key=settings.secret_key)
        filename = upload.filename

        def opener() -> tuple[IO[bytes], str, int]:
            return io.BytesIO(data), filename, len(data)

        options = ImportOptions(
            dry_run=dry_run, accept_partial=accept_partial, facilitator_id=facilitator_id, sheet=sheet
        )
        try:
            outcome = import_households(
                session,
                scope,
                opener=opener,
                options=options,
                nik_key=settings.nik_hash_key,
                progress=lambda fraction, rows: ctx.progress(0.95 * fraction),
                job_id=ctx.job_id,
            )
        except FileRefused as refused:
            raise JobError(render(refused.key, refused.params, lang)) from None
        except (Forbidden, InvalidInput) as refused:
            raise JobError(refused.message) from None
        report_id = _store_report(
            session, owner_user_id=ctx.owner_user_id, job_id=ctx.job_id, outcome=outcome, lang=lang, filename=filename
        )
        session.commit()
        visits = checkin_sheet(
            session, scope, data, filename=filename, today=settings.today(), lang=lang, dry_run=dry_run
        )
        if outcome.stored or (visits and visits.stored):
            delete_file(session, upload_id)  # its rows are in the tables now: the file with its clear NIKs goes
        session.commit()
    result = outcome_result(outcome, lang=lang, dry_run=dry_run, report_id=report_id)
    if visits is not None:
        result["checkins"] = {
            "rows": visits.rows,
            "stored": visits.stored,
            "refused": [
                {"line": line, "column": column, "reason": reason}
                for line, column, reason in visits.refused[:REFUSED_LISTED]
            ],
            "refused_total": len(visits.refused),
        }
    return result


def checkin_sheet(
    session: Session, scope: Scope, data: bytes, *, filename: str, today: date, lang: str, dry_run: bool
) -> CheckinImport | None:
    """The check-ins of an XLSX's ``checkins`` sheet, stored after its families (``None``: no such sheet)."""
    try:
        table = open_table(
            io.BytesIO(data), filename=filename, size=len(data), sheet=CHECKIN_SHEET, is_header=is_checkin_header
        )
    except FileRefused:
        return None  # a CSV, or a workbook without check-ins
    try:
        visits = import_checkins(session, scope, table, today=today, lang=lang, dry_run=dry_run)
    except InvalidInput as refused:
        return CheckinImport(refused=[(table.header_line, "", refused.message)])
    return visits if visits.rows else None  # the template's empty sheet


def import_report(session: Session, scope: Scope, job_id: str) -> tuple[str, bytes]:
    """The XLSX of a finished import's refused rows (the job's owner and administrators)."""
    may_import(scope)
    job = get_job(session, scope, job_id)
    report_id = (job.result or {}).get("report_id") if job.status is JobStatus.succeeded else None
    if job.kind != KIND or not report_id:
        raise NotFound("This job has no report of refused rows")
    upload = get_file(session, scope, str(report_id), purpose=UploadPurpose.import_report)
    return upload.filename, upload.data


# --- the CLI's direct import --------------------------------------------------------------------


def import_path(
    session: Session,
    scope: Scope,
    *,
    path: Path,
    options: ImportOptions,
    nik_key: bytes,
    progress: Callable[[float, int], None] | None = None,
) -> ImportOutcome:
    """Import a file from disk in this process (the CLI: no size limit, no job). An all-or-nothing
    import is one transaction on either database: on SQLite it holds the single writer throughout."""
    size = path.stat().st_size

    def opener() -> tuple[IO[bytes], str, int]:
        return path.open("rb"), path.name, size

    return import_households(
        session, scope, opener=opener, options=options, nik_key=nik_key, progress=progress, one_transaction=True
    )


def check_file(data: bytes, *, filename: str, options: ImportOptions, lang: str) -> None:
    """Refuse (422) a file whose header cannot be found or lacks a required column, before queueing it."""
    try:
        open_checked(lambda: (io.BytesIO(data), filename, len(data)), options.sheet)
    except FileRefused as refused:
        raise file_problem(refused, lang) from None


# --- template and export ----------------------------------------------------------------------


def template_file(scope: Scope) -> bytes:
    """The import's template, for those who may import (administrators and facilitators)."""
    may_import(scope)
    return template()


def export_caseload(session: Session, scope: Scope, *, request_id: str | None = None) -> bytes:
    """The caller's caseload (administrators: every household) in the template's columns, NIK masked."""
    may_import(scope)
    rows = queries.caseload_rows(session.connection(), facilitator_id=None if scope.is_admin else scope.facilitator_id)
    data = caseload(rows)
    record_event(session, actor_user_id=scope.user_id, action="export", entity="household", request_id=request_id)
    session.commit()
    return data


__all__ = ["COLUMNS", "ImportOptions", "Problem"]
