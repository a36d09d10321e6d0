"""Running one job by id inside a consumer, and putting right what a dead worker left behind.

Every change of a job's status is one conditional ``UPDATE``: a run claims its job with
``WHERE status = 'queued'`` (so a duplicate queue message runs nothing) and then writes only
``WHERE status = 'running' AND attempts = <its attempt>`` (so a run presumed dead, whose job was
handed to another worker, cannot overwrite the newer run).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models.jobs import ERROR_LENGTH, Job, JobStatus
from models.types import utcnow
from service.db import make_engine
from service.jobs.context import JobContext, JobError, JobSuperseded
from service.jobs.files import purge_expired
from service.jobs.registry import kind_named
from service.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
"""How often a running job's worker stamps ``heartbeat_at``."""
STALE_AFTER = timedelta(seconds=60)
"""A running job whose heartbeat is older than this lost its worker."""
LOST_AFTER = timedelta(seconds=60)
"""A queued job older than this and missing from the queue is put on it again (periodic check)."""

WORKER_STOPPED = (
    "The worker running this job stopped {attempts} times before the job finished; "
    "retry it, or ask an administrator to look at the worker's log"
)


@dataclass
class Claim:
    """A run's hold on its job: what to run, for whom, and its attempt number (the fencing token)."""

    job_id: str
    kind: str
    params: dict[str, Any]
    owner_user_id: int
    attempt: int


@dataclass
class Reconciled:
    """What a reconciliation did, by job id."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


class JobRunner:
    """Runs jobs by id with the engine of ``settings`` (one engine per process, made on first use)."""

    def __init__(self, settings: Settings, *, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.settings = settings
        self.heartbeat_seconds = heartbeat_seconds
        self._engine: Engine | None = None
        self._pid = 0
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """This process's engine; a forked worker process builds its own instead of sharing the parent's."""
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                self._engine = make_engine(self.settings)
                self._pid = os.getpid()
            return self._engine

    def dispose(self) -> None:
        """Close this process's database connections (before forking workers, or at shutdown)."""
        with self._lock:
            if self._engine is not None and self._pid == os.getpid():
                self._engine.dispose()
            self._engine = None

    # --- one run ------------------------------------------------------------------------------

    def run(self, job_id: str) -> None:
        """Run the job ``job_id`` if it is still queued; store its result or its error."""
        claim = self._claim(job_id)
        if claim is None:
            log.info("job %s is not queued any more; message dropped", job_id, extra={"job_id": job_id})
            return
        kind = kind_named(claim.kind)
        if kind is None:
            self._finish(claim, JobStatus.failed, error=f"Unknown job kind {claim.kind!r}: this worker does not run it")
            log.error("job %s has an unknown kind %r", job_id, claim.kind, extra={"job_id": job_id, "kind": claim.kind})
            return
        ctx = JobContext(
            job_id=job_id,
            owner_user_id=claim.owner_user_id,
            attempt=claim.attempt,
            engine=self.engine,
            report=lambda fraction: self._beat(claim, progress=fraction),
            settings=self.settings,
        )
        log.info(
            "job %s (%s) started, attempt %d",
            job_id,
            claim.kind,
            claim.attempt,
            extra={"job_id": job_id, "kind": claim.kind, "attempt": claim.attempt},
        )
        beating = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(claim, beating), name=f"heartbeat-{job_id[:8]}")
        heartbeat.daemon = True
        heartbeat.start()
        try:
            result = kind.run(ctx, **claim.params)
            stored = json.loads(json.dumps(result, allow_nan=False))
            if not isinstance(stored, dict):
                raise TypeError(f"job kind {claim.kind!r} returned {type(result).__name__}, not a dict")
        except JobSuperseded:
            log.warning("job %s was handed to another worker; this run stops", job_id, extra={"job_id": job_id})
        except JobError as exc:
            self._finish(claim, JobStatus.failed, error=str(exc))
            log.info("job %s (%s) failed", job_id, claim.kind, extra={"job_id": job_id, "kind": claim.kind})
        except KeyboardInterrupt:
            # The consumer is stopping now (SIGTERM to a process worker): give the job back.
            self._put_back(claim)
            raise
        except Exception as exc:
            # The exception's own message may quote the data (a NIK in a parse error): it is
            # neither stored nor logged; the type and the stack (code lines, no values) are.
            name = type(exc).__name__
            self._finish(claim, JobStatus.failed, error=f"The job stopped on an unexpected error ({name})")
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "job %s (%s) failed on an unexpected %s (message withheld); stack:\n%s",
                job_id,
                claim.kind,
                name,
                stack,
                extra={
                    "job_id": job_id,
                    "kind": claim.kind,
                    "error_type": name,
                },
            )
        else:
            self._finish(claim, JobStatus.succeeded, result=stored)
            log.info("job %s (%s) succeeded", job_id, claim.kind, extra={"job_id": job_id, "kind": claim.kind})
        finally:
            beating.set()

    def _claim(self, job_id: str) -> Claim | None:
        now = utcnow()
        stmt = (
            sa.update(Job)
            .where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
            .values(
                status=JobStatus.running,
                attempts=col(Job.attempts) + 1,
                progress=0.0,
                result=sa.null(),
                error=None,
                started_at=now,
                finished_at=None,
                heartbeat_at=now,
            )
            .returning(col(Job.kind), col(Job.params), col(Job.owner_user_id), col(Job.attempts))
        )
        with self.engine.begin() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            return None
        kind, params, owner_user_id, attempt = row
        return Claim(job_id, kind, dict(params or {}), owner_user_id, attempt)

    def _owned(self, claim: Claim) -> sa.Update:
        return sa.update(Job).where(
            col(Job.id) == claim.job_id,
            col(Job.status) == JobStatus.running,
            col(Job.attempts) == claim.attempt,
        )

    def _beat(self, claim: Claim, *, progress: float | None = None) -> bool:
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if progress is not None:
            values["progress"] = progress
        with self.engine.begin() as conn:
            return conn.execute(self._owned(claim).values(**values)).rowcount == 1

    def _heartbeat(self, claim: Claim, done: threading.Event) -> None:
        while not done.wait(self.heartbeat_seconds):
            try:
                if not self._beat(claim):
                    return
            except sa.exc.SQLAlchemyError as exc:
                log.warning("job %s: heartbeat not written (%s)", claim.job_id, type(exc).__name__)

    def _finish(
        self, claim: Claim, status: JobStatus, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        now = utcnow()
        values: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
        values["result"] = sa.null() if result is None else result
        if status is JobStatus.succeeded:
            values["progress"] = 1.0
        if error is not None:
            values["error"] = error[: ERROR_LENGTH - 1] + "…" if len(error) > ERROR_LENGTH else error
        with self.engine.begin() as conn:
            if conn.execute(self._owned(claim).values(**values)).rowcount != 1:
                log.warning("job %s: outcome not stored, another run owns the job", claim.job_id)

    def _put_back(self, claim: Claim) -> None:
        values = {"status": JobStatus.queued, "attempts": claim.attempt - 1, "started_at": None, "heartbeat_at": None}
        with self.engine.begin() as conn:
            conn.execute(self._owned(claim).values(**values))
        log.warning("job %s interrupted by a shutdown; queued again", claim.job_id, extra={"job_id": claim.job_id})

    def purge_expired_files(self) -> int:
        """Delete the uploads and reports past their ``expires_at`` (every minute, with the reconciliation)."""
        with Session(self.engine) as session:
            removed = purge_expired(session)
        if removed:
            log.info("removed %d expired uploads and reports", removed)
        return removed

    # --- after a crash ------------------------------------------------------------------------

    def reconcile(
        self,
        *,
        pending: Callable[[], Iterable[str]],
        enqueue: Callable[[str], None],
        stale_after: timedelta = STALE_AFTER,
        lost_after: timedelta = timedelta(0),
    ) -> Reconciled:
        """Requeue (or fail) running jobs whose worker died, and requeue queued jobs the queue lost."""
        now = utcnow()
        cutoff = now - stale_after
        done = Reconciled()
        stale_rows = sa.select(col(Job.id), col(Job.attempts), col(Job.max_attempts)).where(
            col(Job.status) == JobStatus.running,
            sa.or_(col(Job.heartbeat_at).is_(None), col(Job.heartbeat_at) < cutoff),
        )
        with self.engine.begin() as conn:
            stale = conn.execute(stale_rows).all()
        for job_id, attempts, max_attempts in stale:
            still_stale = sa.update(Job).where(
                col(Job.id) == job_id,
                col(Job.status) == JobStatus.running,
                col(Job.attempts) == attempts,
                sa.or_(col(Job.heartbeat_at).is_(None), col(Job.heartbeat_at) < cutoff),
            )
            if attempts < max_attempts:
                values: dict[str, Any] = {"status": JobStatus.queued, "progress": 0.0, "heartbeat_at": None}
            else:
                error = WORKER_STOPPED.format(attempts=attempts)
                values = {"status": JobStatus.failed, "error": error, "finished_at": now}
            with self.engine.begin() as conn:
                taken = conn.execute(still_stale.values(**values)).rowcount == 1
            if taken and attempts < max_attempts:
                enqueue(job_id)
                done.requeued.append(job_id)
            elif taken:
                done.failed.append(job_id)

        waiting = set(pending())
        queued_rows = sa.select(col(Job.id)).where(
            col(Job.status) == JobStatus.queued, col(Job.created_at) <= now - lost_after
        )
        with self.engine.begin() as conn:
            queued = conn.scalars(queued_rows).all()
        for job_id in queued:
            if job_id not in waiting and job_id not in done.requeued:
                enqueue(job_id)
                done.lost.append(job_id)
        if done.requeued or done.failed or done.lost:
            log.warning(
                "jobs reconciled: requeued %s (worker died), failed %s (worker died too often), lost %s (put back)",
                done.requeued,
                done.failed,
                done.lost,
            )
        return done
