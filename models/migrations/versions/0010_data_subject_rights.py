"""UU PDP rights: data-subject requests; a household's exit date, restriction and anonymisation

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0010'
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ('access', 'correction', 'restriction', 'lift_restriction', 'erasure')
STATUSES = ('open', 'completed', 'refused')


def upgrade() -> None:
    op.create_table('datasubjectrequest',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='requestkind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, name='requeststatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('handled_by_user_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_user_id'], ['user.id'], name=op.f('fk_datasubjectrequest_handled_by_user_id_user')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_datasubjectrequest_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datasubjectrequest'))
    )
    with op.batch_alter_table('datasubjectrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datasubjectrequest_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_datasubjectrequest_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_datasubjectrequest_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_datasubjectrequest_status'), ['status'], unique=False)

    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exited_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('restricted_at', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_household_exited_on'), ['exited_on'], unique=False)
    # Families already out of PKH: their exit counts from the last change of their record.
    day = "substr(updated_at, 1, 10)" if op.get_bind().dialect.name == "sqlite" else "CAST(updated_at AS DATE)"
    op.execute(f"UPDATE household SET exited_on = {day} WHERE pkh_status <> 'active'")


def downgrade() -> None:
    op.drop_table('datasubjectrequest')
    op.drop_index(op.f('ix_household_exited_on'), table_name='household')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of the household
    # table would DROP it while other tables' foreign keys point at it, which SQLite refuses.
    for column in ('anonymised_at', 'restricted_at', 'exited_on'):
        op.execute(f'ALTER TABLE household DROP COLUMN {column}')
