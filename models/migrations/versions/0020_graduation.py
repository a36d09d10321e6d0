"""graduation: readiness rules per region, and a family's graduation record

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('readinessrule',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
    sa.Column('indicator', sa.Enum('revenue_3m', 'business_age', 'children_covered', 'agreed', 'years_in_pkh', name='readinessindicatorname', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_readinessrule_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readinessrule'))
    )
    with op.batch_alter_table('readinessrule', schema=None) as batch_op:
        batch_op.create_index('ix_readinessrule_region_indicator', ['region_code', 'indicator'], unique=False)
    op.create_table('graduation',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('graduated_on', sa.Date(), nullable=False),
    sa.Column('type', sa.Enum('graduated_self_sufficient', 'graduated_natural', name='graduationtype', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_graduation_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user.id'], name=op.f('fk_graduation_recorded_by_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graduation')),
    sa.UniqueConstraint('household_id', name=op.f('uq_graduation_household_id'))
    )
    with op.batch_alter_table('graduation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduation_type'), ['type'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('graduation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_graduation_type'))
    op.drop_table('graduation')
    with op.batch_alter_table('readinessrule', schema=None) as batch_op:
        batch_op.drop_index('ix_readinessrule_region_indicator')
    op.drop_table('readinessrule')
