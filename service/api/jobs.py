"""Background jobs: a job's status, progress and result; the caller's jobs; retrying a failed one.

Jobs are submitted by the domain that needs one (a spreadsheet import, an export), through
``service.jobs.submit_job`` with the queue from ``JobQueueDep``; these routes only follow them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from models.jobs import JOB_ID_LENGTH, JobPublic, JobStatus
from models.types import NoNul
from service import jobs as svc
from service.api.params import Limit, Offset
from service.core.paging import Page
from service.deps import JobQueueDep, ScopeDep, SessionDep, request_id

router = APIRouter(prefix="/jobs", tags=["jobs"])
JobId = Annotated[str, Path(max_length=JOB_ID_LENGTH), NoNul]


@router.get("", response_model=Page[JobPublic])
def list_jobs(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[JobStatus | None, Query(description="Only jobs in this status")] = None,
    kind: Annotated[str | None, Query(max_length=80, description="Only jobs of this kind"), NoNul] = None,
) -> Page[JobPublic]:
    """Your jobs, newest first (administrators see everyone's)."""
    rows, total = svc.list_jobs(session, scope, limit=limit, offset=offset, status=status, kind=kind)
    items = [JobPublic.model_validate(job, from_attributes=True) for job in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobPublic)
def get_job(job_id: JobId, session: SessionDep, scope: ScopeDep) -> JobPublic:
    """A job's status, progress and result (for whoever started it, and administrators)."""
    return JobPublic.model_validate(svc.get_job(session, scope, job_id), from_attributes=True)


@router.post(
    "/{job_id}/retry",
    response_model=JobPublic,
    status_code=202,
    responses={409: {"description": "The job has not failed"}},
)
def retry_job(job_id: JobId, request: Request, session: SessionDep, scope: ScopeDep, queue: JobQueueDep) -> JobPublic:
    """Run a failed job again from the start."""
    job = svc.retry_job(session, scope, job_id, queue=queue, request_id=request_id(request))
    return JobPublic.model_validate(job, from_attributes=True)
