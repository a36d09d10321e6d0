"""Backing up and restoring the database the settings name.

SQLite goes through the online backup API (``sqlite3.Connection.backup``): a consistent copy of
the database as committed, WAL contents included, taken while the service keeps running.
PostgreSQL goes through ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists``; the
connection details travel in libpq's environment variables, never on a command line that ``ps``
shows. A restore refuses a database that holds any row unless it is forced.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from service.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to fix."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    size: int


def _backend(settings: Settings) -> str:
    name = sa.make_url(settings.database_url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups cover SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_file(settings: Settings) -> Path:
    path = settings.sqlite_path
    if path is None or str(path) in ("", ":memory:"):
        raise BackupError("DATABASE_URL names an in-memory SQLite database; there is nothing to back up")
    return path


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    root = Path("/usr/lib/postgresql")
    versions = sorted((p.name for p in root.iterdir() if p.name.isdigit()), key=int) if root.is_dir() else []
    for version in reversed(versions):
        candidate = root / version / "bin" / name
        if candidate.is_file():
            return str(candidate)
    raise BackupError(f"{name} is not installed (install the PostgreSQL client tools, e.g. postgresql-client-15)")


def _pg_env(settings: Settings) -> dict[str, str]:
    """libpq's variables for the database URL (so no password appears in a process list)."""
    url = sa.make_url(settings.database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password}
    pairs["PGDATABASE"] = url.database
    env |= {k: str(v) for k, v in pairs.items() if v is not None}
    for key, value in url.query.items():  # sslmode=require and the like
        if isinstance(value, str) and key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options"):
            env["PG" + key.upper()] = value
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = Path(argv[0]).name
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def backup_database(settings: Settings, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Write a backup of the settings' database to ``target`` (readable by its owner only)."""
    backend = _backend(settings)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; choose another file or pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        if backend == "sqlite":
            source_path = _sqlite_file(settings)
            if not source_path.is_file():
                raise BackupError(f"no database at {source_path}")
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                copy.close()
                source.close()
        else:
            _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"], _pg_env(settings))
        os.chmod(partial, 0o600)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, backend=backend, size=target.stat().st_size)


def rows_present(settings: Settings) -> int:
    """How many tables of the settings' database hold at least one row (the migration marker aside)."""
    engine = sa.create_engine(_engine_url(settings), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
            preparer = conn.dialect.identifier_preparer
            return sum(
                1
                for n in names
                if conn.execute(sa.text(f"SELECT 1 FROM {preparer.quote(n)} LIMIT 1")).first() is not None
            )
    finally:
        engine.dispose()


def _engine_url(settings: Settings) -> sa.URL:
    url = sa.make_url(settings.database_url)
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a Jejaring SQLite backup nor a pg_dump custom-format archive")


def restore_database(settings: Settings, source: Path, *, force: bool = False) -> BackupResult:
    """Replace the settings' database with the backup ``source``; refuse a non-empty one unless ``force``."""
    backend = _backend(settings)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    kind = _kind_of(source)
    if kind != backend:
        raise BackupError(f"{source} is a {kind} backup; DATABASE_URL names a {backend} database")
    if backend == "sqlite":
        target = _sqlite_file(settings)
        exists = target.is_file()
    else:
        exists = True
    if exists and not force:
        filled = rows_present(settings)
        if filled:
            raise BackupError(
                f"the database already holds data ({filled} tables with rows); restoring replaces all of it: "
                "pass --force if that is what you want"
            )
    if backend == "sqlite":
        _restore_sqlite(source, target)
    else:
        _run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings_db_name(settings)}",
                str(source),
            ],
            _pg_env(settings),
        )
    return BackupResult(path=source, backend=backend, size=source.stat().st_size)


def settings_db_name(settings: Settings) -> str:
    return sa.make_url(settings.database_url).database or ""


def _restore_sqlite(source: Path, target: Path) -> None:
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = backup.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"{source} is damaged: {check[0] if check else 'no answer'}")
        target.parent.mkdir(parents=True, exist_ok=True)
        database = sqlite3.connect(target)
        try:
            database.execute("PRAGMA busy_timeout=5000")
            backup.backup(database)
            database.execute("PRAGMA journal_mode=WAL")
        finally:
            database.close()
    finally:
        backup.close()
