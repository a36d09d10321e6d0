"""A family's requests under UU PDP 27/2022 (access, correction, restriction, erasure) and what
was done about them, each due 3 x 24 hours after it was made."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.types import Timestamped, UTCDateTime, enum_column, utcnow

RESPONSE_TIME = timedelta(hours=3 * 24)
"""UU PDP 27/2022: a controller answers a data subject's request within 3 x 24 hours."""


class RequestKind(StrEnum):
    access = "access"  # art. 7, 8: a copy of the data and how it was processed
    correction = "correction"  # art. 6
    restriction = "restriction"  # art. 11: processing stopped
    lift_restriction = "lift_restriction"
    erasure = "erasure"  # art. 8, 9: erased / anonymised


class RequestStatus(StrEnum):
    open = "open"
    completed = "completed"
    refused = "refused"


class DataSubjectRequest(Timestamped, table=True):
    """One request of a family about its data, who handled it and when (ids and a note, no personal data)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: RequestKind = enum_column(RequestKind, index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: RequestStatus = enum_column(RequestStatus, default=RequestStatus.open, index=True)
    handled_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=1000)


class DataSubjectRequestPublic(SQLModel):
    id: int
    kind: RequestKind
    household_id: int
    requested_at: datetime
    due_at: datetime
    status: RequestStatus
    handled_by_user_id: int | None
    handled_at: datetime | None
    note: str | None
