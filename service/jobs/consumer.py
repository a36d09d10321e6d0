"""Consumers: the one embedded in ``jejaring serve`` (SQLite queue) and ``jejaring worker``.

Who runs a consumer, so that none runs twice by accident:

- The embedded consumer is started by the ``serve`` command's own process, around
  ``uvicorn.run``, never by ``create_app`` or its lifespan. So a ``TestClient``, an app
  imported by another ASGI server, and each of uvicorn's ``--workers N`` processes (spawned
  children that only import ``service.asgi``) start none; with ``--workers N`` the one
  consumer lives in uvicorn's supervising parent.
- ``jejaring worker`` runs one consumer in the foreground; start as many as you want on Redis.
- Should two consumers read one queue anyway (two ``serve`` on one jobs file, an overlap during
  a deploy), a job still runs once: a run claims it by ``UPDATE ... WHERE status = 'queued'``.

Every consumer reconciles before it starts (jobs a dead worker left running are requeued or
failed, queued jobs missing from the queue are put back) and again every minute.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Literal

from huey.consumer import Consumer

from service.jobs.queue import JobQueue, jobs_file
from service.jobs.registry import load_kinds
from service.settings import Settings

log = logging.getLogger(__name__)

POLL_MAX_SECONDS = 1.0
"""Longest wait between two looks at a SQLite queue when it is idle (Redis pops blocking)."""
SHUTDOWN_SECONDS = 8.0
"""How long a stopping embedded consumer waits for running jobs (Docker kills after 10 s)."""

WorkerType = Literal["thread", "process"]


class EmbeddedConsumer(Consumer):  # type: ignore[misc]  # huey ships no type hints: Consumer is Any
    """A huey consumer inside a host program (the web server, a test) that keeps its own signal handlers."""

    def _set_signal_handlers(self) -> None:
        """Leave SIGINT and SIGTERM to the host; it stops the consumer by calling ``stop``."""


@contextmanager
def embedded_consumer(
    settings: Settings, *, workers: int | None = None, include: Iterable[str] = ()
) -> Iterator[JobQueue]:
    """Run a consumer with worker threads in this process for the duration of the block."""
    kinds = load_kinds(include)
    queue = JobQueue(settings)
    try:
        queue.reconcile()
        consumer = EmbeddedConsumer(
            queue.huey,
            workers=workers or settings.jobs_workers,
            worker_type="thread",
            periodic=True,
            max_delay=POLL_MAX_SECONDS,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        consumer.start()
        log.info("jobs consumer started in this process: %d threads, kinds %s", consumer.workers, kinds)
        try:
            yield queue
        finally:
            consumer.stop(graceful=True)
            log.info("jobs consumer stopped")
    finally:
        queue.close()


@contextmanager
def jobs_beside_server(settings: Settings, *, enabled: bool = True) -> Iterator[None]:
    """For ``jejaring serve``: run the embedded consumer when the queue is a SQLite file."""
    if not enabled or jobs_file(settings) is None:
        log.info("this server runs no jobs; run `jejaring worker` beside it")
        yield
        return
    # uvicorn re-raises the SIGTERM it handled once it has stopped; as KeyboardInterrupt
    # (which uvicorn.run swallows) it lets the consumer finish its jobs instead of dying mid-job.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with embedded_consumer(settings):
            yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_worker(
    settings: Settings, *, workers: int, worker_type: WorkerType = "process", include: Iterable[str] = ()
) -> None:
    """Run a consumer in the foreground until SIGINT (running jobs finish) or SIGTERM (they are put back)."""
    kinds = load_kinds(include)
    queue = JobQueue(settings)
    try:
        queue.reconcile()
        queue.runner.dispose()  # forked worker processes open their own database connections
        consumer = queue.huey.create_consumer(
            workers=workers,
            worker_type=worker_type,
            periodic=True,
            max_delay=POLL_MAX_SECONDS if queue.embedded else 10.0,
        )
        log.info("jobs worker starting: %d %s workers, kinds %s", workers, worker_type, kinds)
        consumer.run()
    finally:
        queue.close()
