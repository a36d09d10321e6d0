"""Broker mode: the web app keeps the uploaded file and queues the import on Redis; a separate
``jejaring worker`` process runs it (it reads the sealed file and stores the families)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import redis
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.jobs import Upload
from models.protection import nik_hash
from service.settings import Settings
from tests.imports.helpers import csv_bytes, family
from tests.jobs.conftest import finished, jejaring_process, stop_process, wait_for
from tests.jobs.test_redis_worker import jobs_settings, redis_client  # noqa: F401  (Redis queue of this test)

Headers = Callable[[str], dict[str, str]]


def test_an_import_queued_by_the_web_app_is_run_by_the_worker_process(
    client: TestClient,
    as_user: Headers,
    jobs_settings: Settings,  # noqa: F811
    queue_name: str,
    redis_client: redis.Redis,  # noqa: F811
    session: Session,
    tmp_path: Path,
) -> None:
    headers = as_user("pendamping.kebonjayanti")
    rows = [family(800 + i) for i in range(3)]
    started = client.post(
        "/api/v1/imports/households", files={"file": ("kpm.csv", csv_bytes(rows), "text/csv")}, headers=headers
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    assert redis_client.llen(f"huey.redis.{queue_name}") == 1  # queued; nothing in this process runs it

    log = tmp_path / "worker.log"
    worker = jejaring_process(jobs_settings, log, "worker", "--workers", "1")
    try:
        body = wait_for(client, headers, job_id, finished, timeout=60)
    finally:
        status = stop_process(worker, signal.SIGINT)
    assert body["status"] == "succeeded", (body, log.read_text())
    assert (body["result"]["rows"], body["result"]["created"], body["result"]["refused"]) == (3, 3, [])
    assert status == 0, log.read_text()
    assert redis_client.llen(f"huey.redis.{queue_name}") == 0

    session.expire_all()
    stored = {h.pkh_id: h for h in session.exec(select(Household).where(Household.pkh_id.startswith("IMP-0008")))}
    assert set(stored) == {r["ID PKH"] for r in rows}
    # The worker unsealed the file and hashed the NIKs with the same keys as the web app.
    first = rows[0]
    assert stored[first["ID PKH"]].nik_hash == nik_hash(first["NIK Pengurus"], key=jobs_settings.nik_hash_key)
    assert session.exec(select(Upload).where(Upload.job_id == job_id, Upload.purpose == "import_source")).all() == []
