"""`jejaring serve` on a SQLite jobs queue runs exactly one consumer: in its own process, not in uvicorn's workers."""

from __future__ import annotations

import json
import signal
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from models.jobs import Job
from models.users import User
from service.jobs import JobQueue
from service.settings import Settings
from tests.conftest import DEMO_PASSWORDS
from tests.jobs.conftest import KINDS, jejaring_process, stop_process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def call(url: str, *, token: str | None = None, form: dict[str, str] | None = None) -> dict[str, Any]:
    data = urllib.parse.urlencode(form).encode() if form else None
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        body: dict[str, Any] = json.loads(response.read())
        return body


def wait_until_serving(base: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            call(base + "/healthz")
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


@pytest.mark.parametrize("web_workers", [1, 2])
def test_serve_runs_jobs_in_its_own_process_and_stops_cleanly_on_sigterm(
    web_workers: int, jobs_settings: Settings, session: Session, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    # The kinds are imported before the command runs, as a site's own kinds would be.
    server = jejaring_process(
        jobs_settings, log, "serve", "--port", str(port), "--workers", str(web_workers), preload=KINDS
    )
    try:
        wait_until_serving(base, log)
        admin = session.exec(select(User).where(User.username == "admin")).one()
        assert admin.id is not None
        jobs = [Job(kind="tests.count_households", params={"seconds": 0.2}, owner_user_id=admin.id) for _ in range(4)]
        session.add_all(jobs)
        session.commit()
        queue = JobQueue(jobs_settings)
        for job in jobs:
            queue.enqueue(job.id)
        queue.close()

        token = call(base + "/api/v1/auth/token", form={"username": "admin", "password": DEMO_PASSWORDS["admin"]})
        deadline = time.monotonic() + 30
        while True:
            bodies = [call(f"{base}/api/v1/jobs/{job.id}", token=token["access_token"]) for job in jobs]
            if all(b["status"] == "succeeded" for b in bodies) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert [b["status"] for b in bodies] == ["succeeded"] * 4, log.read_text()
        # Run by the serve command's process (uvicorn's supervisor when there are web workers).
        assert {b["result"]["pid"] for b in bodies} == {server.pid}
    finally:
        status = stop_process(server, signal.SIGTERM)
    assert status == 0, log.read_text()
