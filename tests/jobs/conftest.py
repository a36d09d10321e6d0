"""Jobs tests: each test has its own database copy, its own jobs queue and, when it asks, a real consumer."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from models.jobs import JobPublic
from service.app import create_app
from service.deps import JobQueueDep, ScopeDep, SessionDep, request_id
from service.jobs import JobQueue, submit_job
from service.jobs.consumer import embedded_consumer
from service.settings import Settings
from tests.conftest import TEST_SECRET, settings_for
from tests.jobs import kinds  # noqa: F401  (the route below submits these kinds, as a domain imports its own)

KINDS = "tests.jobs.kinds"
_queues = itertools.count()

# How a domain's route submits a job (the spreadsheet import will look like this): parse, submit, 202.
submit_router = APIRouter(prefix="/api/v1/test-jobs", tags=["tests"])


class Submission(BaseModel):
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)


@submit_router.post("", status_code=202, response_model=JobPublic)
def submit_test_job(
    body: Submission, request: Request, session: SessionDep, scope: ScopeDep, queue: JobQueueDep
) -> JobPublic:
    job = submit_job(session, scope, kind=body.kind, params=body.params, queue=queue, request_id=request_id(request))
    return JobPublic.model_validate(job, from_attributes=True)


@pytest.fixture
def queue_name() -> str:
    """A queue name of this test alone, so tests (and parallel runs) never read each other's messages."""
    return f"test_{os.getpid()}_{next(_queues)}"


@pytest.fixture
def jobs_settings(db_url: str, tmp_path: Path, queue_name: str) -> Settings:
    """Settings of this test's database with a SQLite jobs queue in the test's directory."""
    return settings_for(db_url).model_copy(
        update={"jobs_url": f"sqlite:///{tmp_path / 'jobs.db'}", "jobs_queue": queue_name, "jobs_workers": 2}
    )


@pytest.fixture
def app(jobs_settings: Settings) -> Iterator[FastAPI]:
    application = create_app(jobs_settings)
    application.include_router(submit_router)
    yield application
    queue: JobQueue | None = getattr(application.state, "job_queue", None)
    if queue is not None:
        queue.flush()
        queue.close()
    application.state.engine.dispose()


@pytest.fixture
def consumer(jobs_settings: Settings) -> Callable[[], AbstractContextManager[JobQueue]]:
    """``with consumer():`` runs a real embedded consumer (worker threads) on this test's queue."""
    return lambda: embedded_consumer(jobs_settings, include=[KINDS])


def submit(client: TestClient, headers: dict[str, str], kind: str, **params: Any) -> dict[str, Any]:
    response = client.post("/api/v1/test-jobs", json={"kind": kind, "params": params}, headers=headers)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "queued"
    return body


def wait_for(
    client: TestClient,
    headers: dict[str, str],
    job_id: str,
    until: Callable[[dict[str, Any]], bool],
    *,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` until ``until(body)``; fail with the last body after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if until(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job did not get there in {timeout} s: {body}")
        time.sleep(0.05)


def finished(body: dict[str, Any]) -> bool:
    return body["status"] in ("succeeded", "failed")


def jejaring_process(settings: Settings, log: Path, *args: str, preload: str | None = None) -> subprocess.Popen[bytes]:
    """Start ``jejaring ARGS`` against ``settings``'s database and queue; its output goes to ``log``."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "JEJARING_SECRET_KEY": TEST_SECRET,
        "JEJARING_ENVIRONMENT": "test",
        "JEJARING_LOG_LEVEL": "INFO",
        "JEJARING_JOBS_URL": settings.jobs_url,
        "JEJARING_JOBS_QUEUE": settings.jobs_queue,
    }
    # ``preload`` imports a module first, as a site would import its own job kinds before serving.
    code = f"import {preload}; " if preload else ""
    command = [sys.executable, "-c", code + "from service.cli import main; main()", *args]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])


def stop_process(process: subprocess.Popen[bytes], sig: int, *, timeout: float = 15.0) -> int:
    """Send ``sig`` and wait for the exit status; kill the process if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
