"""A job survives a restart: it is resumed or marked failed, never silently lost."""

from __future__ import annotations

import signal
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from models.jobs import Job, JobStatus
from models.types import utcnow
from service.jobs import JobQueue
from service.settings import Settings
from tests.jobs.conftest import KINDS, finished, jejaring_process, stop_process, submit, wait_for

Headers = Callable[[str], dict[str, str]]
Consumer = Callable[[], AbstractContextManager[JobQueue]]
KJ = "pendamping.kebonjayanti"


def flush_queue(settings: Settings) -> None:
    queue = JobQueue(settings)
    queue.flush()
    queue.close()


def as_if_a_worker_died(session: Session, job_id: str, *, attempts: int) -> None:
    """The row a killed worker leaves: running, its heartbeat an hour old (its message long taken)."""
    session.execute(
        sa.update(Job)
        .where(col(Job.id) == job_id)
        .values(
            status=JobStatus.running, attempts=attempts, started_at=utcnow(), heartbeat_at=utcnow() - timedelta(hours=1)
        )
    )
    session.commit()


def test_job_submitted_while_no_consumer_runs_completes_once_one_starts(
    client: TestClient, as_user: Headers, consumer: Consumer, jobs_settings: Settings
) -> None:
    headers = as_user(KJ)
    lost = submit(client, headers, "tests.count_households")
    # The queue loses a message (a Redis without persistence restarted, a deleted file).
    flush_queue(jobs_settings)
    waiting = submit(client, headers, "tests.count_households")
    queue = JobQueue(jobs_settings)
    assert queue.pending_job_ids() == [waiting["id"]]
    queue.close()

    with consumer():
        for job in (waiting, lost):
            done = wait_for(client, headers, job["id"], finished)
            assert done["status"] == "succeeded" and done["result"]["attempt"] == 1, done


def test_running_job_whose_worker_died_is_run_again_at_consumer_start(
    client: TestClient, as_user: Headers, consumer: Consumer, session: Session, jobs_settings: Settings
) -> None:
    headers = as_user(KJ)
    job = submit(client, headers, "tests.count_households")
    flush_queue(jobs_settings)  # the dead worker had taken the message
    as_if_a_worker_died(session, job["id"], attempts=1)

    with consumer():
        done = wait_for(client, headers, job["id"], finished)
    assert done["status"] == "succeeded" and done["result"]["attempt"] == 2


def test_running_job_whose_worker_died_too_often_is_failed_at_consumer_start(
    client: TestClient, as_user: Headers, consumer: Consumer, session: Session, jobs_settings: Settings
) -> None:
    headers = as_user(KJ)
    job = submit(client, headers, "tests.count_households")
    flush_queue(jobs_settings)
    as_if_a_worker_died(session, job["id"], attempts=3)

    with consumer():
        done = wait_for(client, headers, job["id"], finished)
    assert done["status"] == "failed"
    assert done["error"] == (
        "The worker running this job stopped 3 times before the job finished; "
        "retry it, or ask an administrator to look at the worker's log"
    )
    assert client.post(f"/api/v1/jobs/{job['id']}/retry", headers=headers).status_code == 202


def test_job_of_a_killed_worker_process_is_resumed_by_the_next_consumer(
    client: TestClient,
    as_user: Headers,
    consumer: Consumer,
    session: Session,
    jobs_settings: Settings,
    tmp_path: Path,
) -> None:
    headers = as_user(KJ)
    gate = tmp_path / "gate"
    job = submit(client, headers, "tests.count_households", gate=str(gate))
    worker = jejaring_process(
        jobs_settings,
        tmp_path / "worker.log",
        "worker",
        "--workers",
        "1",
        "--worker-type",
        "thread",
        "--include",
        KINDS,
    )
    try:
        # Running, and halfway: the job has reported its progress (a moment after it was claimed).
        wait_for(client, headers, job["id"], lambda b: b["status"] == "running" and b["progress"] == 0.5, timeout=30)
    finally:
        stop_process(worker, signal.SIGKILL)
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()["status"] == "running"

    # A minute passes without a heartbeat (the row is aged rather than the test made to wait).
    session.execute(sa.update(Job).where(col(Job.id) == job["id"]).values(heartbeat_at=utcnow() - timedelta(minutes=2)))
    session.commit()
    gate.touch()
    with consumer():
        done = wait_for(client, headers, job["id"], finished)
    assert done["status"] == "succeeded" and done["result"]["attempt"] == 2, (tmp_path / "worker.log").read_text()


def test_job_interrupted_by_a_worker_shutdown_is_queued_again_and_finished_later(
    client: TestClient, as_user: Headers, consumer: Consumer, jobs_settings: Settings, tmp_path: Path
) -> None:
    headers = as_user(KJ)
    gate = tmp_path / "gate"
    job = submit(client, headers, "tests.count_households", gate=str(gate))
    log = tmp_path / "worker.log"
    worker = jejaring_process(jobs_settings, log, "worker", "--workers", "1", "--include", KINDS)
    try:
        wait_for(client, headers, job["id"], lambda b: b["status"] == "running", timeout=30)
    finally:
        status = stop_process(worker, signal.SIGTERM)  # stop now: process workers are interrupted
    assert status == 0, log.read_text()
    back = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()
    assert back["status"] == "queued" and back["started_at"] is None, log.read_text()

    gate.touch()
    with consumer():
        done = wait_for(client, headers, job["id"], finished)
    assert done["status"] == "succeeded" and done["result"]["attempt"] == 1  # the interrupted run is not counted


def test_reconcile_leaves_jobs_of_live_workers_and_just_submitted_jobs_alone(
    client: TestClient, as_user: Headers, session: Session, jobs_settings: Settings
) -> None:
    headers = as_user(KJ)
    running = submit(client, headers, "tests.count_households")
    fresh = submit(client, headers, "tests.count_households")
    flush_queue(jobs_settings)
    session.execute(
        sa.update(Job)
        .where(col(Job.id) == running["id"])
        .values(status=JobStatus.running, attempts=1, heartbeat_at=utcnow() - timedelta(seconds=5))
    )
    session.commit()
    queue = JobQueue(jobs_settings)
    try:
        every_minute = queue.reconcile(lost_after=timedelta(minutes=1))
        assert (every_minute.requeued, every_minute.failed, every_minute.lost) == ([], [], [])
        assert queue.pending_job_ids() == []
        at_start = queue.reconcile()
        assert (at_start.requeued, at_start.failed, at_start.lost) == ([], [], [fresh["id"]])
        assert queue.pending_job_ids() == [fresh["id"]]
    finally:
        queue.close()
