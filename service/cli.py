"""The ``jejaring`` command: database, seeds, accounts and the server."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from sqlmodel import Session

from models.users import AuditEvent, Role
from service.db import make_engine
from service.errors import ServiceError
from service.settings import get_settings

app = typer.Typer(help="Jejaring: partner network and resource map for PKH.", no_args_is_help=True)
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
maps_app = typer.Typer(help="Maps as files: HTML (opens offline), GeoJSON or GeoPackage.", no_args_is_help=True)
app.add_typer(maps_app, name="maps")
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


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


@hsds_app.command("import")
def hsds_import(
    path: Annotated[Path, typer.Argument(help="An HSDS tabular data package (zip)")],
    actor: Annotated[str | None, typer.Option(help="Username of the admin the audit trail names")] = None,
) -> None:
    """Import organisations, locations and services; refuse broken rows with line and reason.

    Exit status: 0 when every row was taken, 1 when some were refused (the good ones are still
    written), 2 when the package cannot be read at all.
    """
    from service.hsds import PackageError, import_actor, import_package

    with Session(make_engine(get_settings()), expire_on_commit=False) as session:
        try:
            actor_id = None if actor is None else import_actor(session, username=actor)
        except ServiceError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        try:
            report = import_package(session, path, actor_user_id=actor_id)
        except (PackageError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(report.text())
    if report.refused:
        raise typer.Exit(1)


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
    app()


if __name__ == "__main__":
    main()
