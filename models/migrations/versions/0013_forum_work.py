"""forums kept by their users: members' roles and leaving dates, work plans, meetings, attendance, commitments

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('forum_meeting',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('agenda', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_meeting_forum_id_forum'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_meeting'))
    )
    with op.batch_alter_table('forum_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_meeting_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_meeting_held_on'), ['held_on'], unique=False)

    op.create_table('forum_work_item',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('owner_kind', sa.Enum('organization', 'facilitator', name='workitem_owner_kind', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='workitemstatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_work_item_forum_id_forum'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_work_item'))
    )
    with op.batch_alter_table('forum_work_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_work_item_forum_id'), ['forum_id'], unique=False)

    op.create_table('forum_commitment',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('party_kind', sa.Enum('organization', 'facilitator', name='commitment_party_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('need', sa.Enum('capital', 'training', 'marketing', 'certification', 'equipment', 'mentoring', name='commitment_need', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('sector', sa.Enum('culinary', 'fashion', 'craft', 'agriculture', 'livestock', 'fishery', 'retail', 'services', 'other', name='commitment_sector', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('village_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'dropped', name='commitmentstatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('follow_ups', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_commitment_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['forum_meeting.id'], name=op.f('fk_forum_commitment_meeting_id_forum_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_forum_commitment_program_id_program'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_forum_commitment_village_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_commitment'))
    )
    with op.batch_alter_table('forum_commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_commitment_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_commitment_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_commitment_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_commitment_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_commitment_status'), ['status'], unique=False)

    op.create_table('forum_meeting_attendance',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_kind', sa.Enum('organization', 'facilitator', name='attendance_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['forum_meeting.id'], name=op.f('fk_forum_meeting_attendance_meeting_id_forum_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'member_kind', 'member_id', name=op.f('pk_forum_meeting_attendance'))
    )
    with op.batch_alter_table('forummember', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.Enum('chair', 'secretary', 'treasurer', 'member', name='forummember_role', native_enum=False, create_constraint=True, length=40), server_default='member', nullable=False))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_forummember_left_after_joined'), 'left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on'
        )



def downgrade() -> None:
    with op.batch_alter_table('forummember', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_forummember_left_after_joined'), type_='check')
        batch_op.drop_constraint(op.f('ck_forummember_forummember_role'), type_='check')
        batch_op.drop_column('left_on')
        batch_op.drop_column('role')

    op.drop_table('forum_meeting_attendance')
    with op.batch_alter_table('forum_commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_commitment_status'))
        batch_op.drop_index(batch_op.f('ix_forum_commitment_party_id'))
        batch_op.drop_index(batch_op.f('ix_forum_commitment_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_forum_commitment_forum_id'))
        batch_op.drop_index(batch_op.f('ix_forum_commitment_due_on'))

    op.drop_table('forum_commitment')
    with op.batch_alter_table('forum_work_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_work_item_forum_id'))

    op.drop_table('forum_work_item')
    with op.batch_alter_table('forum_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_meeting_held_on'))
        batch_op.drop_index(batch_op.f('ix_forum_meeting_forum_id'))

    op.drop_table('forum_meeting')
