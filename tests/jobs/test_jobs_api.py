"""Jobs through the API, run by a real embedded consumer: lifecycle, failure and retry, privacy, visibility."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.jobs import Job
from models.users import AuditEvent, User
from service.core.scope import Scope
from service.jobs import JobQueue
from tests.jobs.conftest import finished, submit, wait_for

Headers = Callable[[str], dict[str, str]]
Consumer = Callable[[], AbstractContextManager[JobQueue]]
KJ, JAKTIM = "pendamping.kebonjayanti", "pendamping.jaktim"
PUBLIC_FIELDS = {"id", "kind", "status", "progress", "result", "error", "created_at", "started_at", "finished_at"}


def visible_households(session: Session, username: str) -> int:
    user = session.exec(select(User).where(User.username == username)).one()
    scope = Scope.for_user(session, user)
    return int(session.scalar(sa.select(sa.func.count()).select_from(Household).where(scope.where(Household))) or 0)


def test_submit_job_goes_queued_running_succeeded_in_a_consumer(
    client: TestClient, as_user: Headers, consumer: Consumer, session: Session, tmp_path: Path
) -> None:
    headers = as_user(KJ)
    gate = tmp_path / "gate"
    job = submit(client, headers, "tests.count_households", gate=str(gate))
    assert set(job) == PUBLIC_FIELDS
    assert len(job["id"]) == 32 and job["progress"] == 0.0 and job["started_at"] is None
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()["status"] == "queued"

    with consumer():
        running = wait_for(client, headers, job["id"], lambda b: b["status"] == "running" and b["progress"] == 0.5)
        assert running["started_at"] is not None and running["finished_at"] is None
        gate.touch()
        done = wait_for(client, headers, job["id"], finished)

    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0 and done["error"] is None
    assert done["result"]["households"] == visible_households(session, KJ) > 0  # counted in the owner's scope
    assert done["created_at"] <= done["started_at"] <= done["finished_at"]
    listed = client.get("/api/v1/jobs", headers=headers).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == job["id"]
    assert set(listed) == {"items", "total", "limit", "offset"}
    assert session.exec(select(AuditEvent).where(AuditEvent.entity_id == job["id"])).one().action == "job.submit"


def test_failed_job_keeps_its_error_and_retry_runs_it_again(
    client: TestClient, as_user: Headers, consumer: Consumer, session: Session, tmp_path: Path
) -> None:
    headers = as_user(KJ)
    marker = tmp_path / "marker"
    job = submit(client, headers, "tests.needs_marker", marker=str(marker))
    with consumer():
        failed = wait_for(client, headers, job["id"], finished)
        assert failed["status"] == "failed"
        assert failed["error"] == "The marker file is missing; create it and retry"
        assert failed["result"] is None and failed["finished_at"] is not None

        marker.touch()
        retried = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=headers)
        assert retried.status_code == 202, retried.text
        assert retried.json()["status"] == "queued" and retried.json()["error"] is None
        done = wait_for(client, headers, job["id"], finished)

    assert done["status"] == "succeeded" and done["result"] == {"marker": "marker"}
    again = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "Only a failed job can be retried; this one is succeeded"
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == job["id"])).all()
    assert sorted(actions) == ["job.retry", "job.submit"]


def test_retry_job_when_it_is_still_queued_answers_409(client: TestClient, as_user: Headers) -> None:
    headers = as_user(KJ)
    job = submit(client, headers, "tests.count_households")
    response = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "Only a failed job can be retried; this one is queued"


def test_unexpected_error_is_stored_without_its_message(
    client: TestClient, as_user: Headers, consumer: Consumer
) -> None:
    headers = as_user(KJ)
    nik = "3273010101900001"
    job = submit(client, headers, "tests.crash", nik=nik)
    with consumer():
        done = wait_for(client, headers, job["id"], finished)
    assert done["status"] == "failed"
    assert done["error"] == "The job stopped on an unexpected error (ValueError)"
    assert nik not in client.get(f"/api/v1/jobs/{job['id']}", headers=headers).text


def test_job_of_an_unknown_kind_fails_with_a_clear_error(
    client: TestClient, as_user: Headers, consumer: Consumer, session: Session
) -> None:
    # A kind no module of the consumer declares (say, from a newer web release than the workers).
    admin = session.exec(select(User).where(User.username == "admin")).one()
    job = Job(kind="exports.nobody_knows", params={}, owner_user_id=admin.id)
    session.add(job)
    session.commit()
    with consumer() as queue:
        queue.enqueue(job.id)
        done = wait_for(client, as_user("admin"), job.id, finished)
    assert done["status"] == "failed"
    assert done["error"] == "Unknown job kind 'exports.nobody_knows': this worker does not run it"


def test_job_is_seen_only_by_who_started_it_and_admins(
    client: TestClient, as_user: Headers, consumer: Consumer
) -> None:
    job = submit(client, as_user(KJ), "tests.needs_marker", marker="/nonexistent")
    with consumer():
        failed = wait_for(client, as_user(KJ), job["id"], finished)
    assert failed["status"] == "failed"
    missing = client.get("/api/v1/jobs/" + "0" * 32, headers=as_user(KJ))
    assert missing.status_code == 404

    for other in (JAKTIM, "dinsos.bandung", "forum.bandung"):
        response = client.get(f"/api/v1/jobs/{job['id']}", headers=as_user(other))
        assert response.status_code == 404 and response.json() == missing.json(), other
        retry = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=as_user(other))
        assert retry.status_code == 404 and retry.json() == missing.json(), other
        assert client.get("/api/v1/jobs", headers=as_user(other)).json()["total"] == 0, other

    assert client.get(f"/api/v1/jobs/{job['id']}", headers=as_user("admin")).json()["status"] == "failed"
    everyone = client.get("/api/v1/jobs", headers=as_user("admin")).json()
    assert [j["id"] for j in everyone["items"]] == [job["id"]]
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 401


def test_list_jobs_filters_by_status_and_pages_newest_first(client: TestClient, as_user: Headers) -> None:
    headers = as_user(KJ)
    ids = [submit(client, headers, "tests.count_households")["id"] for _ in range(3)]
    page = client.get("/api/v1/jobs", params={"limit": 2, "status": "queued"}, headers=headers).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 0
    rest = client.get("/api/v1/jobs", params={"limit": 2, "offset": 2, "status": "queued"}, headers=headers).json()
    assert {j["id"] for j in page["items"] + rest["items"]} == set(ids)
    assert client.get("/api/v1/jobs", params={"status": "failed"}, headers=headers).json()["total"] == 0
    assert client.get("/api/v1/jobs", params={"status": "lost"}, headers=headers).status_code == 422


def test_the_web_app_alone_runs_no_job(client: TestClient, as_user: Headers) -> None:
    """create_app and its lifespan start no consumer: only `jejaring serve` / `jejaring worker` do."""
    headers = as_user(KJ)
    job = submit(client, headers, "tests.count_households")
    time.sleep(1.5)
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()["status"] == "queued"
    names = {t.name for t in threading.enumerate()}
    assert not any(name.startswith(("Worker-", "Scheduler")) for name in names), names
