"""personal data: NIK masks keep only the last 4 digits; the audit trail gets role, outcome, a hash
chain, and triggers that refuse to change or delete its rows

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types
from alembic import op
from models.protection import audit_row_hash

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "audit events cannot be changed or deleted"
SQLITE_TRIGGERS = {
    "auditevent_no_update": "UPDATE",
    "auditevent_no_delete": "DELETE",
}


def _chain_existing_rows() -> None:
    """Give the rows written before this revision their place in the chain, oldest first."""
    audit = sa.table(
        "auditevent",
        sa.column("id", sa.Integer),
        sa.column("at", models.types.UTCDateTime()),
        sa.column("actor_user_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.String),
        sa.column("request_id", sa.String),
        sa.column("detail", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("row_hash", sa.String),
    )
    conn = op.get_bind()
    prev = None
    rows = conn.execute(sa.select(audit).order_by(audit.c.id)).mappings().all()
    for row in rows:
        digest = audit_row_hash(
            at=row["at"],
            actor_user_id=row["actor_user_id"],
            role=None,
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            request_id=row["request_id"],
            outcome="ok",
            detail=row["detail"],
            prev_hash=prev,
        )
        conn.execute(
            sa.update(audit).where(audit.c.id == row["id"]).values(prev_hash=prev, row_hash=digest)
        )
        prev = digest


def upgrade() -> None:
    # Masks written before showed 8 of 16 digits (``3273********0012``); keep only the last 4.
    op.execute(
        sa.text(
            "UPDATE household SET nik_masked = '************' || substr(nik_masked, length(nik_masked) - 3, 4) "
            "WHERE nik_masked NOT LIKE '************%'"
        )
    )
    op.add_column("auditevent", sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.add_column(
        "auditevent",
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default="ok"),
    )
    op.add_column("auditevent", sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("auditevent", sa.Column("row_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    _chain_existing_rows()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER auditevent_immutable BEFORE UPDATE OR DELETE ON auditevent "
            "FOR EACH ROW EXECUTE FUNCTION auditevent_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION auditevent_refuse_change()"
        )
    else:
        for name, event in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON auditevent BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_truncate ON auditevent")
        op.execute("DROP TRIGGER IF EXISTS auditevent_immutable ON auditevent")
        op.execute("DROP FUNCTION IF EXISTS auditevent_refuse_change()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("auditevent") as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("outcome")
        batch_op.drop_column("role")
    # The NIK digits cut from the masks are gone for good (only the keyed hash remains).
