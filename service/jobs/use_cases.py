"""Use cases: submit a job, read one or a page of them, retry a failed one.

A job is seen by the user who started it and by administrators; to anyone else it answers 404
exactly like a job that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.jobs import Job, JobStatus
from service.core.audit import record_event
from service.core.paging import paginate
from service.core.scope import Scope
from service.errors import Conflict, NotFound
from service.jobs.queue import JobQueue
from service.jobs.registry import kind_named

PARAMS_LIMIT = 64 * 1024
"""Largest JSON of a job's params; a file to process is stored first and referred to by name."""


def submit_job(
    session: Session,
    scope: Scope,
    *,
    kind: str,
    params: dict[str, Any],
    queue: JobQueue,
    request_id: str | None = None,
) -> Job:
    """Record a job for the caller and queue it; a consumer runs it, not this request."""
    declared = kind_named(kind)
    if declared is None:
        raise ValueError(f"no imported module declares the job kind {kind!r}")
    if len(json.dumps(params, allow_nan=False)) > PARAMS_LIMIT:
        raise ValueError(f"the params of a {kind} job exceed {PARAMS_LIMIT} bytes; store the data and pass its name")
    if scope.user_id is None:
        raise ValueError("a job belongs to the account that starts it; this caller has none")
    job = Job(kind=kind, params=params, owner_user_id=scope.user_id, max_attempts=declared.max_attempts)
    session.add(job)
    record_event(
        session, actor_user_id=scope.user_id, action="job.submit", entity="job", entity_id=job.id, request_id=request_id
    )
    session.commit()
    queue.enqueue(job.id)  # after the commit, so no worker looks for a row that is not there yet
    return job


def get_job(session: Session, scope: Scope, job_id: str) -> Job:
    """The job, for the user who started it and for administrators; 404 for anyone else."""
    job = session.exec(select(Job).where(col(Job.id) == job_id, scope.where(Job))).first()
    if job is None:
        raise NotFound("No such job")
    return job


def list_jobs(
    session: Session,
    scope: Scope,
    *,
    limit: int,
    offset: int,
    status: JobStatus | None = None,
    kind: str | None = None,
) -> tuple[list[Job], int]:
    """The caller's jobs (administrators: everyone's), newest first, and how many there are."""
    stmt = select(Job).where(scope.where(Job))
    if status is not None:
        stmt = stmt.where(col(Job.status) == status)
    if kind is not None:
        stmt = stmt.where(col(Job.kind) == kind)
    return paginate(session, stmt, limit=limit, offset=offset, order_by=(col(Job.created_at).desc(), col(Job.id)))


def retry_job(session: Session, scope: Scope, job_id: str, *, queue: JobQueue, request_id: str | None = None) -> Job:
    """Queue a failed job again, from the start and with a fresh allowance of attempts; 409 otherwise."""
    job = get_job(session, scope, job_id)
    requeue = (
        sa.update(Job)
        .where(col(Job.id) == job.id, col(Job.status) == JobStatus.failed)
        .values(
            status=JobStatus.queued,
            attempts=0,
            progress=0.0,
            result=sa.null(),
            error=None,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
        )
    )
    if session.connection().execute(requeue).rowcount != 1:
        session.rollback()
        session.refresh(job)
        raise Conflict(f"Only a failed job can be retried; this one is {job.status.value}")
    record_event(
        session, actor_user_id=scope.user_id, action="job.retry", entity="job", entity_id=job.id, request_id=request_id
    )
    session.commit()
    queue.enqueue(job.id)
    session.refresh(job)
    return job
