"""Sign-in under a burst of wrong passwords: the server's peak memory and the answers.

Run from the repository root::

    .venv/bin/python -m bench.signin                        # 40 concurrent wrong sign-ins
    .venv/bin/python -m bench.signin --concurrency 80 --hash-slots 2
    .venv/bin/python -m bench.signin --app-dir /path/to/an/older/checkout   # the same burst, older code

The run builds a temporary SQLite database with this checkout's migrations and one account,
starts ``uvicorn service.asgi:app`` (from ``--app-dir``, default this checkout) with
``JEJARING_PASSWORD_HASH_CONCURRENCY=--hash-slots`` and the sign-in rate limits raised out of the
way (an attacker with many addresses), signs in once (so the lazily built things exist), reads
the server's resident memory, sends ``--concurrency`` wrong sign-ins at once, each for another
username, and reads the server's peak resident memory (``VmHWM`` of /proc/PID/status). Each
argon2 verification takes 64 MiB while it runs, so the peak grows with the hashes run at once.
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-Xk29-vQ7p-Lm3w-Zt8r-Hy5n"
PASSWORD = "bench-password-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _database(path: Path) -> str:
    from models.users import Role
    from service.db import make_engine
    from service.migrations import upgrade
    from service.people.accounts import create_user
    from service.settings import Settings

    url = f"sqlite:///{path}"
    engine = make_engine(Settings(environment="test", database_url=url, secret_key=SECRET))
    upgrade(engine)
    with Session(engine) as session:
        create_user(session, username="bench.admin", password=PASSWORD, role=Role.admin)
    engine.dispose()
    return url


def _post(base: str, username: str, password: str) -> int:
    body = urllib.parse.urlencode({"username": username, "password": password}).encode()
    request = urllib.request.Request(base + "/api/v1/auth/token", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def run(*, concurrency: int, hash_slots: int, app_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = _database(Path(tmp) / "bench.db")
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "JEJARING_SECRET_KEY": SECRET,
            "JEJARING_ENVIRONMENT": "test",
            "JEJARING_JOBS_URL": f"sqlite:///{tmp}/jobs.db",
            "JEJARING_PASSWORD_HASH_CONCURRENCY": str(hash_slots),
            "JEJARING_PASSWORD_HASH_WAIT_SECONDS": "600",
            "JEJARING_LOGIN_LIMIT_ACCOUNT": "100000/minute",
            "JEJARING_LOGIN_LIMIT_ADDRESS": "100000/minute",
            "PYTHONPATH": str(app_dir),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service.asgi:app", "--port", str(port), "--log-level", "warning"],
            cwd=app_dir,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
            assert _post(base, "bench.admin", PASSWORD) == 200
            before = _status_kib(server.pid, "VmRSS")
            statuses: list[int] = []
            lock = threading.Lock()
            go = threading.Event()

            def attempt(n: int) -> None:
                go.wait()
                status = _post(base, f"bench.guess.{n}", "wrong-password")
                with lock:
                    statuses.append(status)

            threads = [threading.Thread(target=attempt, args=(n,)) for n in range(concurrency)]
            for thread in threads:
                thread.start()
            started = time.perf_counter()
            go.set()
            for thread in threads:
                thread.join()
            took = time.perf_counter() - started
            peak = _status_kib(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"app: {app_dir}  hash slots: {hash_slots}  concurrent wrong sign-ins: {concurrency}")
    print(f"answers: {dict(sorted(collections.Counter(statuses).items()))} in {took:.1f} s")
    print(f"server RSS before: {before / 1024:.0f} MB  peak during the burst: {peak / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--hash-slots", type=int, default=2)
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    args = parser.parse_args()
    run(concurrency=args.concurrency, hash_slots=args.hash_slots, app_dir=args.app_dir.resolve())


if __name__ == "__main__":
    main()
