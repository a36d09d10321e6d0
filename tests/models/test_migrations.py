"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from service.db import make_engine
from service.migrations import downgrade, upgrade
from tests.conftest import Backend, settings_for


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(backend: Backend) -> None:
    url = backend.new_empty(f"jejaring_test_{os.getpid()}_migrations")
    engine = make_engine(settings_for(url))
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert diff == []
        assert set(SQLModel.metadata.tables) <= tables

        downgrade(engine, "base")
        with engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade(engine)  # and back up again: the migration is repeatable
        with engine.connect() as conn:
            assert "household" in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
        backend.drop(url)
