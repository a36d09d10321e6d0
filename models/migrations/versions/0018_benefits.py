"""benefit record: what each completed programme gave a family; consent to share it

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ('training', 'capital_grant', 'loan', 'marketing', 'certification', 'mentoring', 'equipment')
NEEDS = ('capital', 'training', 'marketing', 'certification', 'equipment', 'mentoring')
SOURCES = ('referral', 'manual')


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=40)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): referrals' foreign keys point at consent.
    op.add_column(
        'consent', sa.Column('share_benefits', sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table('benefit',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('program_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('kind', _enum(KINDS, 'benefitkind'), nullable=False),
    sa.Column('need', _enum(NEEDS, 'benefitneed'), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('source', _enum(SOURCES, 'benefitsource'), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_benefit_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_benefit_referral_id_referral')),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_benefit_program_id_program')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_benefit_organization_id_organization')),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_benefit_business_id_business'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['confirmed_by_user_id'], ['user.id'], name=op.f('fk_benefit_confirmed_by_user_id_user')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user.id'], name=op.f('fk_benefit_recorded_by_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_benefit_referral_id')),
    )
    with op.batch_alter_table('benefit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_need'), ['need'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_received_on'), ['received_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('benefit', schema=None) as batch_op:
        for column in ('received_on', 'need', 'kind', 'organization_id', 'program_id', 'household_id'):
            batch_op.drop_index(batch_op.f(f'ix_benefit_{column}'))
    op.drop_table('benefit')
    op.execute('ALTER TABLE consent DROP COLUMN share_benefits')
