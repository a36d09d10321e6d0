"""``jejaring backup`` and ``jejaring restore``: the restore drill, on the backend the suite runs on."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import TEST_SECRET, Backend


def jejaring(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "JEJARING_SECRET_KEY": TEST_SECRET, "JEJARING_ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"), poolclass=sa.pool.NullPool)


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a SHA-256 of its rows in primary-key order."""
    engine = engine_for(url)
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            pk = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(sa.select(table).order_by(*pk)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            out[name] = (count, digest.hexdigest())
    engine.dispose()
    return out


def test_restore_drill_reproduces_every_table(db_url: str, backend: Backend, tmp_path: Path) -> None:
    before = fingerprint(db_url)
    assert before["household"][0] > 0 and before["region"][0] > 80_000
    # Another connection holds an uncommitted row while the backup runs: it must not be in it.
    engine = engine_for(db_url)
    with engine.connect() as conn:
        conn.execute(sa.text("UPDATE organization SET name = 'UNCOMMITTED' WHERE id = 1"))
        file = tmp_path / "jejaring.backup"
        made = jejaring(db_url, "backup", str(file))
        conn.rollback()
    engine.dispose()
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert "backed up the" in made.stdout

    fresh = backend.new_empty(f"jejaring_test_{os.getpid()}_restored")
    try:
        restored = jejaring(fresh, "restore", str(file))
        assert restored.returncode == 0, restored.stderr
        after = fingerprint(fresh)
        assert after == before
        assert {n for n, (count, _) in after.items() if count} >= {"household", "referral", "program", "user"}

        # Over a database holding data: refused without --force, nothing changed.
        again = jejaring(fresh, "restore", str(file))
        assert again.returncode == 2 and "already holds data" in again.stderr and "--force" in again.stderr
        changed = engine_for(fresh)
        with changed.begin() as conn:
            conn.execute(sa.text("UPDATE organization SET name = 'Changed after the backup' WHERE id = 1"))
        changed.dispose()
        assert fingerprint(fresh) != before
        forced = jejaring(fresh, "restore", str(file), "--force")
        assert forced.returncode == 0, forced.stderr
        assert fingerprint(fresh) == before
    finally:
        backend.drop(fresh)

    # The backup file is not replaced by accident, and a file of another kind is refused.
    exists = jejaring(db_url, "backup", str(file))
    assert exists.returncode == 2 and "exists" in exists.stderr
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    refused = jejaring(db_url, "restore", str(junk), "--force")
    assert refused.returncode == 2 and "neither" in refused.stderr and "Traceback" not in refused.stderr


def test_sqlite_backup_includes_committed_wal_content_and_not_uncommitted(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    url = f"sqlite:///{path}"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # committed pages stay in the -wal file
    writer.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    writer.execute("INSERT INTO note (body) VALUES ('committed, only in the WAL')")
    pending = sqlite3.connect(path, isolation_level=None)
    pending.execute("BEGIN IMMEDIATE")
    pending.execute("INSERT INTO note (body) VALUES ('not committed')")
    assert Path(f"{path}-wal").stat().st_size > 0

    file = tmp_path / "live.backup"
    made = jejaring(url, "backup", str(file))
    pending.rollback()
    assert made.returncode == 0, made.stderr
    copy = sqlite3.connect(file)
    assert copy.execute("SELECT body FROM note ORDER BY id").fetchall() == [("committed, only in the WAL",)]
    copy.close()
    pending.close()
    writer.close()
