"""The ``jejaring`` command: database, seeds, accounts and the server."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from pydantic import ValidationError
from sqlmodel import Session

from models.users import AuditEvent, Role
from service.db import make_engine
from service.errors import ServiceError
from service.settings import get_settings

# No local variables in tracebacks: they would print the settings, secret key included.
app = typer.Typer(
    help="Jejaring: partner network and resource map for PKH.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
seed_app = typer.Typer(help="Reference and demo data.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
hsds_app = typer.Typer(help="Open Referral HSDS 3.0 data packages (CSVs and datapackage.json).", no_args_is_help=True)
boundaries_app = typer.Typer(help="Administrative boundaries (optional): region outlines.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(users_app, name="users")
app.add_typer(hsds_app, name="hsds")
app.add_typer(boundaries_app, name="boundaries")
retention_app = typer.Typer(help="UU PDP retention: anonymise families long out of PKH.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
maps_app = typer.Typer(help="Maps as files: HTML (opens offline), GeoJSON or GeoPackage.", no_args_is_help=True)
app.add_typer(maps_app, name="maps")
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
households_app = typer.Typer(help="KPM households: the caseload import.", no_args_is_help=True)
app.add_typer(households_app, name="households")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (SQLite file by default; DATABASE_URL for PostgreSQL)."""
    from service.migrations import upgrade

    engine = make_engine(get_settings())
    upgrade(engine, revision)
    typer.echo(f"database at {engine.url.render_as_string(hide_password=True)} is at {revision}")


@seed_app.command("regions")
def seed_regions() -> None:
    """Load the 38 provinces, 514 regencies, 7,277 districts and 83,763 villages."""
    from seeds.regions import load_regions

    started = time.perf_counter()
    with Session(make_engine(get_settings()), expire_on_commit=False) as session:
        counts = load_regions(session)
    typer.echo(f"regions: {counts} in {time.perf_counter() - started:.1f} s")


@seed_app.command("demo")
def seed_demo() -> None:
    """Load the synthetic demo (four areas, agencies, programmes, demo users); safe to repeat."""
    from seeds.demo import load_demo

    settings = get_settings()
    if settings.environment == "production":
        typer.echo("error: the demo (public accounts and passwords, synthetic families) is not in production", err=True)
        raise typer.Exit(2)
    started = time.perf_counter()
    with Session(make_engine(settings), expire_on_commit=False) as session:
        counts = load_demo(session, nik_key=settings.nik_hash_key, today=settings.today())
    typer.echo("demo: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    typer.echo(f"loaded in {time.perf_counter() - started:.1f} s")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, facilitator, agency_staff or forum_organizer")],
    facilitator_id: Annotated[int | None, typer.Option()] = None,
    organization_id: Annotated[int | None, typer.Option()] = None,
    forum_id: Annotated[int | None, typer.Option()] = None,
    full_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create an account; the password is read from standard input (first line)."""
    from service.people.accounts import create_user

    password = sys.stdin.readline().rstrip("\r\n")
    with Session(make_engine(get_settings()), expire_on_commit=False) as session:
        try:
            user = create_user(
                session,
                username=username,
                password=password,
                role=role,
                full_name=full_name,
                facilitator_id=facilitator_id,
                organization_id=organization_id,
                forum_id=forum_id,
            )
        except ServiceError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(f"created user {user.username} (id {user.id}, role {role.value})")


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Stop an account: it can no longer sign in and every session it holds ends at once."""
    from service.people.accounts import deactivate_user

    with Session(make_engine(get_settings()), expire_on_commit=False) as session:
        try:
            user = deactivate_user(session, username=username)
        except ServiceError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(f"deactivated user {user.username} (id {user.id}); their sessions are ended")


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """Set a new password (first line of standard input, or asked for twice at a terminal) and
    end every session the account holds."""
    from service.people.accounts import reset_password

    if sys.stdin.isatty():
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with Session(make_engine(get_settings()), expire_on_commit=False) as session:
        try:
            user = reset_password(session, username=username, password=password)
        except ServiceError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(f"new password set for {user.username} (id {user.id}); their sessions are ended")


@hsds_app.command("export")
def hsds_export(
    path: Annotated[Path, typer.Argument(help="The zip to write, e.g. jejaring-hsds.zip")],
    lang: Annotated[str | None, typer.Option(help="id or en (default: the site's language)")] = None,
) -> None:
    """Write organisations, locations and published programmes as an HSDS tabular data package."""
    from service.hsds import export_package

    settings = get_settings()
    if lang not in (None, "id", "en"):
        typer.echo("error: --lang takes id or en", err=True)
        raise typer.Exit(2)
    with Session(make_engine(settings), expire_on_commit=False) as session:
        counts = export_package(session, path, lang=lang or settings.default_language)
    typer.echo(f"wrote {path}: " + ", ".join(f"{table}={n}" for table, n in counts.items()))


EXIT_ROWS_REFUSED = 1
EXIT_UNUSABLE = 2
EXIT_PACKAGE_REFUSED = 3


@hsds_app.command("import")
def hsds_import(
    path: Annotated[Path, typer.Argument(help="An HSDS tabular data package (zip)")],
    actor: Annotated[str | None, typer.Option(help="Username of the admin the audit trail names")] = None,
) -> None:
    """Import organisations, locations and services; refuse broken rows with line and reason.

    Exit status: 0 when every row was taken; 1 when some rows were refused (the good ones are
    still written); 2 when the package cannot be read at all (not a zip, broken JSON, unknown
    --actor); 3 when the package is refused whole for its size (it unzips past
    JEJARING_HSDS_MAX_UNCOMPRESSED_BYTES, holds more than JEJARING_HSDS_MAX_ROWS rows, or its
    datapackage.json passes JEJARING_HSDS_MAX_JSON_BYTES or JEJARING_HSDS_MAX_JSON_DEPTH);
    nothing is written then.
    """
    from service.hsds import PackageError, PackageLimits, PackageRefused, import_actor, import_package

    settings = get_settings()
    limits = PackageLimits(
        max_uncompressed_bytes=settings.hsds_max_uncompressed_bytes,
        max_rows=settings.hsds_max_rows,
        max_json_bytes=settings.hsds_max_json_bytes,
        max_json_depth=settings.hsds_max_json_depth,
    )
    with Session(make_engine(settings), expire_on_commit=False) as session:
        try:
            actor_id = None if actor is None else import_actor(session, username=actor)
        except ServiceError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(EXIT_UNUSABLE) from exc
        try:
            report = import_package(session, path, actor_user_id=actor_id, limits=limits)
        except PackageRefused as exc:
            typer.echo(f"error: package refused, nothing imported: {exc}", err=True)
            raise typer.Exit(EXIT_PACKAGE_REFUSED) from exc
        except (PackageError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_UNUSABLE) from exc
    typer.echo(report.text())
    if report.refused:
        raise typer.Exit(EXIT_ROWS_REFUSED)


@boundaries_app.command("import")
def boundaries_import(
    path: Annotated[Path, typer.Argument(help="A GeoJSON or GeoPackage file of region outlines")],
    code_column: Annotated[
        str, typer.Option(help="The column holding the Kemendagri code (32.73.16.1002 or 3273161002)")
    ],
    layer: Annotated[str | None, typer.Option(help="The layer to read (a GeoPackage with several layers)")] = None,
    accept_partial: Annotated[
        bool, typer.Option("--accept-partial", help="Store the valid features even when others are refused")
    ] = False,
) -> None:
    """Store each region's outline; replaces outlines already stored for the same codes.

    Exit status: 0 when stored, 2 when the file cannot be used or (without --accept-partial) when
    any feature is refused; then nothing is stored.
    """
    from mapping.boundaries import BoundaryFileError
    from service.maps import BoundaryImportRefused, import_boundaries

    with Session(make_engine(get_settings()), expire_on_commit=False) as session:
        try:
            report = import_boundaries(session, path, code_column, layer=layer, accept_partial=accept_partial)
        except BoundaryFileError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        except BoundaryImportRefused as exc:
            typer.echo("\n".join(exc.report.lines()[1:]))
            typer.echo("error: nothing stored; fix the features above or pass --accept-partial", err=True)
            raise typer.Exit(2) from exc
    typer.echo("\n".join(report.lines()))


@households_app.command("import")
def households_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV or XLSX of KPM families (README: Caseload import)", exists=True, dir_okay=False, readable=True
        ),
    ],
    sheet: Annotated[str | None, typer.Option(help="The XLSX sheet to read (default: the first)")] = None,
    facilitator_id: Annotated[int | None, typer.Option(help="Put the families in this facilitator's caseload")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row, store nothing")] = False,
    accept_partial: Annotated[
        bool, typer.Option("--accept-partial", help="Store the good rows even when some are refused")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write the refused rows here (XLSX, with an 'alasan' column)")
    ] = None,
    user: Annotated[
        str | None, typer.Option(help="Import as this account (a facilitator: into their caseload)")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Language of the reasons: id or en")] = None,
) -> None:
    """Import KPM families and their businesses. Exit 0 when every row was stored (or would be,
    with --dry-run), 1 when any row was refused; without --accept-partial nothing is stored then."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from sqlmodel import select

    from models.users import User
    from service.core.scope import Scope
    from service.households import imports

    settings = get_settings()
    language = lang if lang in ("id", "en") else settings.default_language
    options = imports.ImportOptions(
        dry_run=dry_run, accept_partial=accept_partial, facilitator_id=facilitator_id, sheet=sheet
    )
    started = time.perf_counter()
    with Session(make_engine(settings), expire_on_commit=False) as session:
        scope = Scope(user_id=None, role=Role.admin)
        if user is not None:
            found = session.exec(select(User).where(User.username == user)).first()
            if found is None or not found.is_active:
                typer.echo(f"error: no active user {user}", err=True)
                raise typer.Exit(2)
            scope = Scope.for_user(session, found)
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[rows]:,} rows, {task.fields[speed]:,.0f} rows/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            disable=not sys.stderr.isatty(),
            console=None,
        )
        with bar:
            task = bar.add_task(file.name, total=1.0, rows=0, speed=0.0)

            def show(fraction: float, rows: int) -> None:
                elapsed = max(time.perf_counter() - started, 1e-6)
                bar.update(task, completed=fraction, rows=rows, speed=rows / elapsed)

            try:
                outcome = imports.import_path(
                    session, scope, path=file, options=options, nik_key=settings.nik_hash_key, progress=show
                )
            except imports.FileRefused as refused:
                typer.echo(f"error: {imports.file_problem(refused, language).message}", err=True)
                raise typer.Exit(2) from None
            except ServiceError as exc:
                typer.echo(f"error: {exc.message}", err=True)
                raise typer.Exit(2) from exc
    seconds = time.perf_counter() - started
    if report is not None and outcome.refused_rows:
        from service.households.imports.sheets import report as report_sheet

        report.write_bytes(report_sheet(outcome.header, imports.report_rows(outcome, language)))
    for problem in imports.outcome_result(outcome, lang=language, dry_run=dry_run, report_id=None)["refused"][:20]:
        typer.echo(f"line {problem['line']}, {problem['column']}: {problem['reason']}", err=True)
    state = "checked (dry run, nothing stored)" if dry_run else ("stored" if outcome.stored else "NOTHING stored")
    typer.echo(
        f"{file.name}: {outcome.rows} rows in {seconds:.1f} s ({outcome.rows / max(seconds, 1e-6):,.0f} rows/s): "
        f"{outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged, "
        f"{outcome.refused_rows} refused; {state}"
        + (f"; refused rows in {report}" if report is not None and outcome.refused_rows else "")
    )
    raise typer.Exit(1 if outcome.refused_rows else 0)


@maps_app.command("export")
def maps_export(
    region: Annotated[str, typer.Option(help="Region code of any level, e.g. 32.73")],
    out: Annotated[Path, typer.Option(help="The file to write: .html, .geojson or .gpkg")],
    kind: Annotated[str, typer.Option("--map", help="stakeholders or gaps")] = "stakeholders",
    need: Annotated[str | None, typer.Option(help="Gap map: only this business need")] = None,
    sector: Annotated[str | None, typer.Option(help="Gap map: only this business sector")] = None,
    user: Annotated[
        str | None, typer.Option(help="Build the map as this user sees it (default: as the region's forum organiser)")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="id or en (default: the site's language)")] = None,
    tiles: Annotated[bool, typer.Option(help="Draw OpenStreetMap tiles under the layers (need a connection)")] = True,
) -> None:
    """Write a stakeholder or gap map. Without --user it is built as an organiser sees it:
    households only as counts per cell of at least 5, never a family's place."""
    from sqlmodel import select

    from models.users import User
    from service import maps
    from service.core.scope import Scope

    settings = get_settings()
    if kind not in ("stakeholders", "gaps"):
        typer.echo("error: --map takes stakeholders or gaps", err=True)
        raise typer.Exit(2)
    if lang not in (None, "id", "en"):
        typer.echo("error: --lang takes id or en", err=True)
        raise typer.Exit(2)
    language = lang or settings.default_language
    started = time.perf_counter()
    with Session(make_engine(settings), expire_on_commit=False) as session:
        scope = maps.export_scope(region)
        if user is not None:
            found = session.exec(select(User).where(User.username == user)).first()
            if found is None or not found.is_active:
                typer.echo(f"error: no active user {user}", err=True)
                raise typer.Exit(2)
            scope = Scope.for_user(session, found)
        try:
            if kind == "gaps":
                doc = maps.gap_map(
                    session, scope, region, today=settings.today(), lang=language, need=need, sector=sector
                )
            else:
                doc = maps.stakeholder_map(session, scope, region, today=settings.today(), lang=language)
            size = maps.write_map(doc, out, tiles=tiles)
        except ServiceError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    layers = ", ".join(f"{x.key}={len(x.frame)}" for x in doc.layers)
    typer.echo(f"wrote {out} ({size / 1024:.0f} KB) in {time.perf_counter() - started:.1f} s: {layers}")


@app.command("backup")
def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write, e.g. jejaring-2026-12-07.backup")],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists")] = False,
) -> None:
    """Back up the database DATABASE_URL names: SQLite through its online backup API (WAL included),
    PostgreSQL through pg_dump --format=custom. The file holds personal data: it is made readable
    by its owner only; encrypt it before it leaves the machine.

    Exit status: 0 when written, 2 when it cannot be (the reason is printed).
    """
    from service.backup import BackupError, backup_database

    try:
        result = backup_database(get_settings(), path, overwrite=force)
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"backed up the {result.backend} database to {path} ({result.size / 1024:.0f} KB)")


@app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `jejaring backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data (all of it is lost)")
    ] = False,
) -> None:
    """Restore a backup into the database DATABASE_URL names (SQLite: the backup API; PostgreSQL:
    pg_restore --clean --if-exists). Refuses a database that holds any row unless --force.

    Exit status: 0 when restored, 2 when refused or failed (the reason is printed).
    """
    from service.backup import BackupError, restore_database

    try:
        result = restore_database(get_settings(), path, force=force)
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"restored the {result.backend} database from {path}")


@retention_app.command("run")
def retention_run(
    years: Annotated[
        int | None, typer.Option(min=1, help="Years after leaving PKH (default JEJARING_RETENTION_YEARS)")
    ] = None,
    today: Annotated[str | None, typer.Option(help="Count back from this day, YYYY-MM-DD (default: today)")] = None,
) -> None:
    """Anonymise every family that graduated from or exited PKH more than the retention period ago
    (each recorded as an erasure request; their records then answer 404). Run it daily."""
    from datetime import date

    from service.privacy import run_retention

    settings = get_settings()
    try:
        day = date.fromisoformat(today) if today else settings.today()
    except ValueError as exc:
        typer.echo("error: --today takes a date as YYYY-MM-DD", err=True)
        raise typer.Exit(2) from exc
    with Session(make_engine(settings), expire_on_commit=False) as session:
        run = run_retention(session, years=years or settings.retention_years, today=day)
    typer.echo(f"retention: {len(run.anonymised)} families anonymised (left PKH before {run.cutoff})")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain: exit 0 when intact, 1 naming the first broken row."""
    from service.core.audit import first_broken_event

    with Session(make_engine(get_settings())) as session:
        broken = first_broken_event(session)
        total = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    if broken is not None:
        typer.echo(f"audit chain broken at row {broken}: changed, removed or inserted behind the service", err=True)
        typer.echo(f"broken at row {broken}")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {total} rows")


@app.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
    workers: int = 1,
    jobs: Annotated[
        bool, typer.Option(help="Run background jobs in this process when JEJARING_JOBS_URL is a SQLite file")
    ] = True,
) -> None:
    """Serve the web app and API with uvicorn (and, on a SQLite jobs queue, one jobs consumer)."""
    import logging

    import uvicorn

    from service.jobs.consumer import jobs_beside_server

    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    with jobs_beside_server(settings, enabled=jobs):
        uvicorn.run("service.asgi:app", host=host, port=port, reload=reload, workers=workers, proxy_headers=True)


@app.command("worker")
def worker(
    workers: Annotated[int | None, typer.Option(min=1, help="Jobs run at once (default JEJARING_JOBS_WORKERS)")] = None,
    worker_type: Annotated[
        str, typer.Option(help="process (a process per worker, for CPU-heavy jobs) or thread")
    ] = "process",
    include: Annotated[list[str] | None, typer.Option(help="Another module declaring job kinds (repeatable)")] = None,
) -> None:
    """Run background jobs until SIGINT (running jobs finish first) or SIGTERM (stop now; they run again later)."""
    import logging

    from service.jobs.consumer import run_worker

    settings = get_settings()
    if worker_type not in ("process", "thread"):
        typer.echo("error: --worker-type takes process or thread", err=True)
        raise typer.Exit(2)
    logging.basicConfig(level=settings.log_level)
    run_worker(
        settings,
        workers=workers or settings.jobs_workers,
        worker_type="process" if worker_type == "process" else "thread",
        include=include or (),
    )


def main() -> None:
    try:
        get_settings()
    except ValidationError as exc:  # the settings refuse to start: say why, never with the values
        for error in exc.errors():
            typer.echo(f"error: {error['msg']}", err=True)
        raise SystemExit(2) from None
    app()


if __name__ == "__main__":
    main()
