"""Fixtures of the browser tests: the app under uvicorn and a phone-sized Chromium page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORDS, TEST_SECRET

CHROMIUM = os.environ.get("JEJARING_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("JEJARING_TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving(db_url: str, command: list[str], **env_extra: str) -> Iterator[str]:
    """Run ``command`` (given ``{port}``) against ``db_url`` until the generator is closed; yields its address."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "JEJARING_SECRET_KEY": TEST_SECRET,
        "JEJARING_ENVIRONMENT": "test",
        **env_extra,
    }
    proc = subprocess.Popen([sys.executable, *(part.format(port=port) for part in command)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a loaded machine imports the app's libraries slowly
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited with {proc.returncode}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 60 s") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture
def live_server(db_url: str) -> Iterator[str]:
    """The app under uvicorn, on its own port and its own copy of the demo database."""
    yield from serving(
        db_url,
        ["-m", "uvicorn", "service.asgi:app", "--host", "127.0.0.1", "--port", "{port}", "--log-level", "warning"],
    )


@pytest.fixture
def live_server_with_jobs(db_url: str, tmp_path: Path) -> Iterator[str]:
    """``jejaring serve`` as a site runs it: the app and, on this test's own SQLite queue, a jobs consumer.

    A test module whose pages start background jobs (an import) overrides ``live_server`` with it."""
    yield from serving(
        db_url,
        ["-c", "from service.cli import main; main()", "serve", "--port", "{port}"],
        JEJARING_JOBS_URL=f"sqlite:///{tmp_path / 'jobs.db'}",
        JEJARING_JOBS_QUEUE=f"browser_{os.getpid()}",
        JEJARING_LOG_LEVEL="WARNING",
    )


@pytest.fixture
def page(live_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see .ci/run)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        context.close()
        browser.close()
        assert errors == []


def sign_in_form(page: object, username: str) -> None:
    """Fill and send the sign-in form (Bahasa Indonesia labels) as a demo user."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Masuk").click()
