"""personal data: NIK masks keep only the last 4 digits

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Masks written before showed 8 of 16 digits (``3273********0012``); keep only the last 4.
    op.execute(
        sa.text(
            "UPDATE household SET nik_masked = '************' || substr(nik_masked, length(nik_masked) - 3, 4) "
            "WHERE nik_masked NOT LIKE '************%'"
        )
    )


def downgrade() -> None:
    # The hidden digits are gone for good (only the keyed hash remains): nothing to restore.
    pass
