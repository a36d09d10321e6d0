"""``jejaring users deactivate`` and ``jejaring users reset-password``: each ends the account's
sessions at once (issue 15, #8)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import DEMO_PASSWORDS, sign_in
from tests.test_cli import jejaring


def test_users_deactivate_ends_sessions_and_sign_in(db_url: str, client: TestClient) -> None:
    headers = sign_in(client, "forum.bandung")
    result = jejaring(db_url, "users", "deactivate", "forum.bandung")
    assert result.returncode == 0, result.stderr
    assert "deactivated user forum.bandung" in result.stdout
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    again = client.post("/api/v1/auth/token", data={"username": "forum.bandung", "password": "forum-demo-2026"})
    assert again.status_code == 401
    unknown = jejaring(db_url, "users", "deactivate", "tidak.ada")
    assert unknown.returncode == 2 and "no user tidak.ada" in unknown.stderr


def test_users_reset_password_reads_stdin_and_ends_sessions(db_url: str, client: TestClient) -> None:
    headers = sign_in(client, "admin")
    result = jejaring(db_url, "users", "reset-password", "admin", stdin="kata-sandi-baru-2026\n")
    assert result.returncode == 0, result.stderr
    assert "kata-sandi-baru-2026" not in result.stdout + result.stderr
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    old = client.post("/api/v1/auth/token", data={"username": "admin", "password": DEMO_PASSWORDS["admin"]})
    assert old.status_code == 401
    assert client.get("/api/v1/me", headers=sign_in(client, "admin", "kata-sandi-baru-2026")).status_code == 200
    short = jejaring(db_url, "users", "reset-password", "admin", stdin="pendek\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
