"""business check-ins: a business's dated visits (revenue, costs, workers, channels, certificates, loan)

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('businesscheckin',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('monthly_revenue', sa.BigInteger(), nullable=False),
    sa.Column('monthly_costs', sa.BigInteger(), nullable=True),
    sa.Column('workers', sa.Integer(), nullable=True),
    sa.Column('loan_status', sa.Enum('current', 'late', 'repaid', name='loanstatus', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('sales_channels', sa.JSON(), nullable=False),
    sa.Column('certifications', sa.JSON(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_businesscheckin_business_id_business'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_businesscheckin_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user.id'], name=op.f('fk_businesscheckin_recorded_by_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_businesscheckin'))
    )
    with op.batch_alter_table('businesscheckin', schema=None) as batch_op:
        batch_op.create_index('ix_businesscheckin_business_id_checked_on', ['business_id', 'checked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_businesscheckin_household_id'), ['household_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('businesscheckin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_businesscheckin_household_id'))
        batch_op.drop_index('ix_businesscheckin_business_id_checked_on')
    op.drop_table('businesscheckin')
