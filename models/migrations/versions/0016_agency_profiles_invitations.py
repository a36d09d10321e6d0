"""agencies' service points: phone, e-mail, opening hours, closing day; forum invitations

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401

import models.types  # noqa: F401
from alembic import op


revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ('sent', 'accepted', 'declined', 'withdrawn')
PENDING_PREDICATE = "status = 'sent'"
LOCATION_COLUMNS = ('phone', 'email', 'opening_hours', 'closed_on')


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): other tables' foreign keys point at location.
    op.add_column('location', sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.add_column('location', sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.add_column('location', sa.Column('opening_hours', sa.JSON(), nullable=True))
    op.add_column('location', sa.Column('closed_on', sa.Date(), nullable=True))

    op.create_table('forum_invitation',
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, name='invitationstatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_invitation_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_forum_invitation_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by'], ['user.id'], name=op.f('fk_forum_invitation_invited_by_user')),
    sa.ForeignKeyConstraint(['answered_by'], ['user.id'], name=op.f('fk_forum_invitation_answered_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_invitation'))
    )
    with op.batch_alter_table('forum_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_invitation_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_invitation_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_invitation_status'), ['status'], unique=False)
        batch_op.create_index(
            'uq_forum_invitation_pending',
            ['forum_id', 'organization_id'],
            unique=True,
            sqlite_where=sa.text(PENDING_PREDICATE),
            postgresql_where=sa.text(PENDING_PREDICATE),
        )


def downgrade() -> None:
    with op.batch_alter_table('forum_invitation', schema=None) as batch_op:
        batch_op.drop_index('uq_forum_invitation_pending')
        batch_op.drop_index(batch_op.f('ix_forum_invitation_status'))
        batch_op.drop_index(batch_op.f('ix_forum_invitation_organization_id'))
        batch_op.drop_index(batch_op.f('ix_forum_invitation_forum_id'))
    op.drop_table('forum_invitation')
    for column in reversed(LOCATION_COLUMNS):
        op.execute(f'ALTER TABLE location DROP COLUMN {column}')
