"""Background jobs: long work runs in a consumer, never inside a request.

A domain declares a kind with a plain function and submits jobs of it::

    @job_kind("households.import")
    def run(ctx: JobContext, *, upload: str) -> dict[str, Any]:
        with ctx.session() as session:
            ...
            ctx.progress(0.5)
        return {"imported": 120}

    job = submit_job(session, scope, kind="households.import", params={"upload": name}, queue=queue)

Work on a schedule (every consumer runs it; it claims its rows with conditional updates)::

    @periodic_job("notifications.send", minute="*")
    def send(engine: Engine, settings: Settings) -> None:
        with Session(engine) as session:
            ...

The ``Job`` row is the truth (status, progress, result, error); huey (``queue.py``) carries job
ids to a consumer (``consumer.py``), whose workers run them (``runner.py``).
"""

from service.jobs.context import JobContext, JobError
from service.jobs.queue import JobQueue
from service.jobs.registry import KIND_MODULES, job_kind, kind_named, load_kinds, periodic_job, periodic_jobs
from service.jobs.use_cases import get_job, list_jobs, retry_job, submit_job

__all__ = [
    "KIND_MODULES",
    "JobContext",
    "JobError",
    "JobQueue",
    "get_job",
    "job_kind",
    "kind_named",
    "list_jobs",
    "load_kinds",
    "periodic_job",
    "periodic_jobs",
    "retry_job",
    "submit_job",
]
