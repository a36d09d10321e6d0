"""partnerships proposed by one side and confirmed by the other: status, proposer, answer, reference, expiry notice

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

Partnerships written before the workflow (the demo's) were agreed by both sides: they become
``confirmed``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ('proposed', 'confirmed', 'declined', 'ended')
KINDS = ('organization', 'facilitator', 'forum')


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    # The CHECK constraint is added by name below (add_column would not emit it on PostgreSQL).
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=False, length=40)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', _enum(STATUSES, 'partnershipstatus'), nullable=True))
        batch_op.add_column(sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('proposed_by_kind', _enum(KINDS, 'partnership_proposer'), nullable=True))
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('proposed_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answered_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expiry_noticed_at', models.types.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE partnership SET status = 'confirmed'")
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=_enum(STATUSES, 'partnershipstatus'), nullable=False)
        batch_op.create_check_constraint(op.f('ck_partnership_partnershipstatus'), _in('status', STATUSES))
        batch_op.create_check_constraint(op.f('ck_partnership_partnership_proposer'), _in('proposed_by_kind', KINDS))
        batch_op.create_index(batch_op.f('ix_partnership_status'), ['status'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_partnership_proposed_by_user_id_user'), 'user', ['proposed_by_user_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_partnership_answered_by_user_id_user'), 'user', ['answered_by_user_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_partnership_answered_by_user_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_partnership_proposed_by_user_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_partnership_status'))
        batch_op.drop_constraint(batch_op.f('ck_partnership_partnership_proposer'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_partnership_partnershipstatus'), type_='check')
        batch_op.drop_column('expiry_noticed_at')
        batch_op.drop_column('confirmed_on')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answered_by_user_id')
        batch_op.drop_column('proposed_by_user_id')
        batch_op.drop_column('proposed_by_id')
        batch_op.drop_column('proposed_by_kind')
        batch_op.drop_column('reference')
        batch_op.drop_column('status')
