"""The ``jejaring`` command, run as operators run it."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Facilitator
from tests.conftest import TEST_SECRET


def jejaring(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "JEJARING_SECRET_KEY": TEST_SECRET, "JEJARING_ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], input=stdin, env=env, capture_output=True, text=True, timeout=120
    )


def test_users_create_reads_the_password_from_stdin_and_the_account_signs_in(
    db_url: str, client: TestClient, session: Session
) -> None:
    facilitator = session.exec(select(Facilitator)).first()
    assert facilitator is not None
    result = jejaring(
        db_url,
        "users",
        "create",
        "pendamping.baru",
        "--role",
        "facilitator",
        "--facilitator-id",
        str(facilitator.id),
        stdin="kata-sandi-rahasia\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created user pendamping.baru" in result.stdout
    assert "kata-sandi-rahasia" not in result.stdout + result.stderr
    token = client.post("/api/v1/auth/token", data={"username": "pendamping.baru", "password": "kata-sandi-rahasia"})
    assert token.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
    assert me["role"] == "facilitator" and me["facilitator_id"] == facilitator.id


def test_users_create_refuses_bad_accounts_with_a_reason(db_url: str) -> None:
    missing_link = jejaring(db_url, "users", "create", "x1", "--role", "facilitator", stdin="long-enough-pw\n")
    assert missing_link.returncode == 2 and "needs --facilitator-id" in missing_link.stderr
    short = jejaring(db_url, "users", "create", "x2", "--role", "admin", stdin="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    taken = jejaring(db_url, "users", "create", "admin", "--role", "admin", stdin="long-enough-pw\n")
    assert taken.returncode == 2 and "taken" in taken.stderr
    unknown = jejaring(
        db_url,
        "users",
        "create",
        "x3",
        "--role",
        "agency_staff",
        "--organization-id",
        "999999",
        stdin="long-enough-pw\n",
    )
    assert unknown.returncode == 2 and "does not exist" in unknown.stderr


def test_db_upgrade_and_seed_regions_are_repeatable(db_url: str) -> None:
    upgraded = jejaring(db_url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = jejaring(db_url, "seed", "regions")
    assert seeded.returncode == 0, seeded.stderr
    assert "'village': 83763" in seeded.stdout
