"""service areas beyond an organisation's region: admin approval

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import models.types
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programservicearea", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_at", models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programservicearea", schema=None) as batch_op:
        batch_op.drop_column("approved_by")
        batch_op.drop_column("approved_at")
