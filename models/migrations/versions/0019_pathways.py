"""pathways: ordered programmes or programme kinds towards a goal, owned by an organisation or a forum

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ('training', 'capital_grant', 'loan', 'marketing', 'certification', 'mentoring', 'equipment')


def upgrade() -> None:
    op.create_table('pathway',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('goal', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('forum_id', sa.Integer(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(organization_id IS NULL) <> (forum_id IS NULL)', name=op.f('ck_pathway_one_owner')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_pathway_region_code_region')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_pathway_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_pathway_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user.id'], name=op.f('fk_pathway_created_by_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway'))
    )
    with op.batch_alter_table('pathway', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_forum_id'), ['forum_id'], unique=False)

    op.create_table('pathway_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('program_kind', sa.Enum(*KINDS, name='pathwaystep_kind', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.CheckConstraint('(program_id IS NULL) <> (program_kind IS NULL)', name=op.f('ck_pathway_step_one_target')),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathway.id'], name=op.f('fk_pathway_step_pathway_id_pathway'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_pathway_step_program_id_program'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_step')),
    sa.UniqueConstraint('pathway_id', 'position', name=op.f('uq_pathway_step_pathway_id_position')),
    )
    with op.batch_alter_table('pathway_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_step_pathway_id'), ['pathway_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_step_program_id'), ['program_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pathway_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_step_program_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_step_pathway_id'))
    op.drop_table('pathway_step')
    with op.batch_alter_table('pathway', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_forum_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_organization_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_region_code'))
    op.drop_table('pathway')
