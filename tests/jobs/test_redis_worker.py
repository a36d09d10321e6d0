"""Broker mode: the web app only enqueues on Redis; `jejaring worker --workers 3` runs the jobs in three processes."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from service.jobs import JobQueue
from service.settings import Settings
from tests.jobs.conftest import KINDS, finished, jejaring_process, stop_process, submit, wait_for

Headers = Callable[[str], dict[str, str]]
REDIS_URL = os.environ.get("JEJARING_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"no Redis server at {REDIS_URL}: start one (.ci/run does) or set JEJARING_TEST_REDIS_URL")
    yield client
    client.close()


@pytest.fixture
def jobs_settings(db_url: str, queue_name: str, redis_client: redis.Redis) -> Iterator[Settings]:
    """This test's database with a Redis queue of its own name; its keys are removed afterwards."""
    from tests.conftest import settings_for

    settings = settings_for(db_url).model_copy(update={"jobs_url": REDIS_URL, "jobs_queue": queue_name})
    yield settings
    queue = JobQueue(settings)
    queue.flush()
    queue.close()
    assert redis_client.keys(f"huey.*{queue_name}*") == []


def test_worker_with_three_processes_runs_jobs_submitted_by_the_web_app(
    client: TestClient,
    as_user: Headers,
    jobs_settings: Settings,
    queue_name: str,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    headers = as_user("pendamping.kebonjayanti")
    jobs = [submit(client, headers, "tests.count_households", seconds=0.5) for _ in range(6)]
    assert redis_client.llen(f"huey.redis.{queue_name}") == 6  # enqueued, and nothing in this process runs them

    log = tmp_path / "worker.log"
    worker = jejaring_process(jobs_settings, log, "worker", "--workers", "3", "--include", KINDS)
    try:
        started = time.monotonic()
        done = [wait_for(client, headers, job["id"], finished, timeout=30) for job in jobs]
        elapsed = time.monotonic() - started
    finally:
        status = stop_process(worker, signal.SIGINT)
    assert [d["status"] for d in done] == ["succeeded"] * 6, log.read_text()
    pids = {d["result"]["pid"] for d in done}
    assert worker.pid not in pids and len(pids) >= 2, pids  # run by the worker's child processes, side by side
    assert status == 0, log.read_text()
    assert redis_client.llen(f"huey.redis.{queue_name}") == 0
    assert elapsed < 30
