"""The queue between the web processes and the consumers: huey, carrying job ids only.

``JOBS_URL`` picks the storage: ``sqlite:///var/jobs.db`` is a SqliteHuey file (no server; the
consumer runs inside ``jejaring serve``), ``redis://...`` a RedisHuey list (consumers are
``jejaring worker`` processes). Messages are signed with a key derived from the secret key, so
whoever can write to Redis still cannot make a worker unpickle a message of their own.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey, crontab
from huey.serializer import SignedSerializer

from service.jobs.registry import PeriodicJob, periodic_jobs
from service.jobs.runner import LOST_AFTER, JobRunner, Reconciled
from service.settings import Settings

log = logging.getLogger(__name__)

SQLITE_PREFIX = "sqlite:///"


def jobs_file(settings: Settings) -> Path | None:
    """The SQLite file of the jobs queue, or ``None`` when the queue lives in Redis."""
    if settings.jobs_url.startswith(SQLITE_PREFIX):
        return Path(settings.jobs_url[len(SQLITE_PREFIX) :])
    return None


def _huey(settings: Settings) -> Any:
    key = hashlib.sha256(b"jejaring-jobs:" + settings.secret_key.encode()).hexdigest()
    options: dict[str, Any] = {"results": False, "serializer": SignedSerializer(secret=key, salt="jejaring-jobs")}
    path = jobs_file(settings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(settings.jobs_queue, filename=str(path), **options)
    return RedisHuey(settings.jobs_queue, url=settings.jobs_url, **options)


class JobQueue:
    """One huey instance for ``settings``, with the task that runs a job by id and the periodic check."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.huey: Any = _huey(settings)  # huey ships no type hints
        self.runner = JobRunner(settings)
        self._run_job: Any = self.huey.task(name="run_job")(self.runner.run)
        self.huey.periodic_task(crontab(minute="*"), name="reconcile_jobs")(self._reconcile_periodically)
        for job in periodic_jobs():
            self.huey.periodic_task(crontab(minute=job.minute), name=job.name)(self._periodic(job))

    @property
    def embedded(self) -> bool:
        """True when the queue is a SQLite file that needs no server (the consumer runs in ``serve``)."""
        return jobs_file(self.settings) is not None

    def enqueue(self, job_id: str) -> None:
        """Put the job ``job_id`` on the queue; a consumer runs it when a worker is free."""
        self._run_job(job_id)

    def pending_job_ids(self) -> list[str]:
        """Ids of the jobs waiting on the queue, oldest first."""
        task_class = self._run_job.task_class
        return [str(task.args[0]) for task in self.huey.pending() if isinstance(task, task_class) and task.args]

    def reconcile(self, *, lost_after: timedelta = timedelta(0)) -> Reconciled:
        """Requeue or fail the jobs a dead worker left running; requeue queued jobs missing from the queue."""
        return self.runner.reconcile(pending=self.pending_job_ids, enqueue=self.enqueue, lost_after=lost_after)

    def _reconcile_periodically(self) -> None:
        self.reconcile(lost_after=LOST_AFTER)
        self.runner.purge_expired_files()

    def _periodic(self, job: PeriodicJob) -> Any:
        def run() -> None:
            try:
                job.run(self.runner.engine, self.settings)
            except Exception as exc:  # the message may quote data: only its type is logged
                log.error("periodic job %s failed on %s (message withheld)", job.name, type(exc).__name__)

        return run

    def run_periodic(self, name: str) -> None:
        """Run the periodic job ``name`` now, in this process (tests, the command line)."""
        job = {j.name: j for j in periodic_jobs()}[name]
        job.run(self.runner.engine, self.settings)

    def flush(self) -> None:
        """Remove every message of this queue from its storage (tests; never on a live queue)."""
        self.huey.flush()

    def close(self) -> None:
        """Close the storage connection and this process's database engine."""
        if self.embedded:
            self.huey.storage.close()
        else:  # RedisStorage.close() is a no-op; its pool holds the sockets
            self.huey.storage.pool.disconnect()
        self.runner.dispose()
