"""The consumers' schedule carries the notification sender and the overdue check; run through the
queue, the sender delivers to a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.jobs import JobQueue, load_kinds, periodic_jobs
from service.settings import Settings
from tests.conftest import settings_for, sign_in
from tests.factories import PASSWORD
from tests.notifications.conftest import MailServer
from tests.notifications.world import build


@pytest.fixture
def queue(bare_db_url: str, tmp_path: Path, smtp_server: MailServer) -> Iterator[JobQueue]:
    load_kinds()
    settings: Settings = settings_for(bare_db_url).model_copy(
        update={
            "jobs_url": f"sqlite:///{tmp_path / 'jobs.db'}",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server.port,
            "smtp_starttls": False,
        }
    )
    q = JobQueue(settings)
    yield q
    q.close()


def test_every_consumer_schedules_the_sender_and_the_overdue_check(queue: JobQueue) -> None:
    assert {"notifications.send", "referrals.overdue"} <= {j.name for j in periodic_jobs()}
    scheduled = {t.__name__ for t in queue.huey._registry._periodic_tasks}
    assert {"reconcile_jobs", "notifications.send", "referrals.overdue"} <= scheduled


def test_the_periodic_sender_delivers_a_new_referrals_email(
    queue: JobQueue, bare_session: Session, bare_client: TestClient, smtp_server: MailServer
) -> None:
    w = build(bare_session)
    fac = sign_in(bare_client, w.own.username, PASSWORD)
    made = bare_client.post(
        "/api/v1/referrals", json={"household_id": w.family.id, "program_id": w.prog.id}, headers=fac
    )
    assert made.status_code == 201
    queue.run_periodic("notifications.send")
    assert [m["X-Envelope-To"] for m in smtp_server.received] == ["dinsos@example.org"]
    queue.run_periodic("notifications.send")
    assert len(smtp_server.received) == 1
