"""Background jobs: long work (imports, exports, maps) run by a consumer, tracked here.

A job row is the truth about a piece of background work; the queue (huey) only carries its id.
``params`` and ``result`` hold ids, counts and file references, never personal data in clear;
``error`` is a short sentence meant for the person who started the job.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import Timestamped, UTCDateTime, enum_column, json_column

JOB_ID_LENGTH = 32
ERROR_LENGTH = 500


def new_job_id() -> str:
    """Return a random, unguessable job id (uuid4 as 32 hex digits); job ids appear in URLs."""
    return uuid.uuid4().hex


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class JobBase(SQLModel):
    kind: str = Field(max_length=80, index=True, description="What the job does, e.g. households.import")
    status: JobStatus = enum_column(JobStatus, default=JobStatus.queued, index=True)
    progress: float = Field(default=0.0, ge=0.0, le=1.0, description="Share of the work done, 0.0 to 1.0")
    result: dict[str, Any] | None = json_column(description="What the job produced (counts, ids, file names)")
    error: str | None = Field(default=None, max_length=ERROR_LENGTH, description="Why the job failed")
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Job(JobBase, Timestamped, table=True):
    """One piece of background work: who started it, with what, how far it got, how it ended.

    ``attempts`` counts the runs a worker started; a run whose worker died (no heartbeat) is
    started again until ``max_attempts``, then the job fails. A job that raised fails at once.
    """

    __table_args__ = (sa.CheckConstraint("progress >= 0 AND progress <= 1", name="progress_fraction"),)

    id: str = Field(default_factory=new_job_id, primary_key=True, max_length=JOB_ID_LENGTH)
    params: dict[str, Any] = json_column(nullable=False, default_factory=dict)
    owner_user_id: int = Field(foreign_key="user.id", index=True)
    attempts: int = Field(default=0)
    max_attempts: int = Field(default=3)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JobPublic(JobBase):
    id: str
    created_at: datetime


class UploadPurpose(StrEnum):
    import_source = "import_source"
    import_report = "import_report"


class Upload(Timestamped, table=True):
    """A file handed to background work, or made by it (an import's source, its error report).

    A source file holds personal data in clear (NIKs), so it is stored encrypted (AES-GCM under a
    key derived from the secret key) and deleted once its job succeeded; a report holds masked
    NIKs only. Only the owner (and administrators) may read one; ``expires_at`` bounds how long any
    is kept. ``meta`` is the service's own (never sent out): e.g. the hashes of refused rows' NIKs,
    so that a corrected report re-imports without the clear NIK being typed again.
    """

    id: str = Field(default_factory=new_job_id, primary_key=True, max_length=JOB_ID_LENGTH)
    owner_user_id: int = Field(foreign_key="user.id", index=True)
    job_id: str | None = Field(default=None, foreign_key="job.id", index=True, max_length=JOB_ID_LENGTH)
    purpose: UploadPurpose = enum_column(UploadPurpose)
    filename: str = Field(max_length=255)
    size: int = Field(ge=0)
    encrypted: bool = Field(default=False)
    data: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    meta: dict[str, Any] | None = json_column()
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
