"""one open referral per family and programme; idempotency keys claimed before the work

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

A partial unique index on referral (household_id, program_id) WHERE the status is open (the
statuses of models.referrals.OPEN_STATUSES, written out here as they were when this migration
was made), and the idempotency_key table. Referrals that already carry a key become finished
keys, so a retry across the upgrade still gets its referral. The upgrade refuses, naming them,
when a family already has two open referrals to one programme: which one stays is a person's
decision (withdraw or decline the others, then upgrade).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op

revision: str = '0007'
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_PREDICATE = "status IN ('sent', 'accepted', 'enrolled')"
OPERATION = "referral.create"


def _fingerprint(content: dict[str, object]) -> str:
    """As service.core.idempotency.fingerprint (canonical JSON, sha256)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    conn = op.get_bind()
    duplicates = conn.execute(
        sa.text(
            f"SELECT household_id, program_id, COUNT(*) FROM referral WHERE {OPEN_PREDICATE} "
            "GROUP BY household_id, program_id HAVING COUNT(*) > 1"
        )
    ).all()
    if duplicates:
        pairs = ", ".join(f"household {h} / programme {p} ({n} open)" for h, p, n in duplicates)
        raise RuntimeError(
            "families with more than one open referral to the same programme: "
            f"{pairs}; withdraw or decline the extra referrals, then upgrade again"
        )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(
            'uq_referral_open_household_program',
            ['household_id', 'program_id'],
            unique=True,
            sqlite_where=sa.text(OPEN_PREDICATE),
            postgresql_where=sa.text(OPEN_PREDICATE),
        )

    keys = op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('operation', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('claimed_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_idempotency_key_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    sa.UniqueConstraint('user_id', 'operation', 'key', name=op.f('uq_idempotency_key_user_id_operation_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_user_id'), ['user_id'], unique=False)

    referral = sa.table(
        'referral',
        sa.column('id', sa.Integer()),
        sa.column('household_id', sa.Integer()),
        sa.column('program_id', sa.Integer()),
        sa.column('note', sa.String()),
        sa.column('created_by_user_id', sa.Integer()),
        sa.column('idempotency_key', sa.String()),
        sa.column('sent_at', models.types.UTCDateTime(timezone=True)),
    )
    rows = conn.execute(
        sa.select(
            referral.c.id, referral.c.household_id, referral.c.program_id, referral.c.note,
            referral.c.created_by_user_id, referral.c.idempotency_key, referral.c.sent_at,
        ).where(referral.c.idempotency_key.is_not(None), referral.c.created_by_user_id.is_not(None))
    ).all()
    if rows:
        op.bulk_insert(keys, [
            {
                "user_id": user_id,
                "operation": OPERATION,
                "key": key,
                "fingerprint": _fingerprint({"household_id": hid, "program_id": pid, "note": note}),
                "claimed_at": sent_at,
                "finished_at": sent_at,
                "response_status": 201,
                "resource_id": rid,
            }
            for rid, hid, pid, note, user_id, key, sent_at in rows
        ])


def downgrade() -> None:
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_user_id'))
    op.drop_table('idempotency_key')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('uq_referral_open_household_program')
