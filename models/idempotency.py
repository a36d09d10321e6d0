"""Idempotency keys: a write request's key, claimed before it is processed, with what it answered.

One row per (user, operation, key), inserted and committed before the work starts, so a
concurrent retry with the same key finds it: in flight (``finished_at`` empty) or finished, with
the status the first request answered and the record it made. ``fingerprint`` is a digest of the
request's content, so the same key with another body is recognised (IETF httpapi
Idempotency-Key draft). The response is kept as a reference to the record it returned, not as a
copy of its body: the body holds a family's data, which must not outlive its record.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("user_id", "operation", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    operation: str = Field(max_length=40)  # e.g. "referral.create"
    key: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)  # sha256 hex of the request's canonical content
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_status: int | None = Field(default=None)
    resource_id: int | None = Field(default=None)
