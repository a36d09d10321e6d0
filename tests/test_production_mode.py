"""Production mode: no API explorer, no weak secret (and the refusal never prints it), no demo
accounts, and the sign-in form's CSRF token (issue 15, #14)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.settings import Settings
from tests.conftest import DEMO_PASSWORDS, PRODUCTION_SECRET, login_form

WEAK = [
    "Q" * 40,  # one repeated character
    "abcd" * 10,  # a short pattern repeated
    "abcdefghijklmnopqrstuvwxyz0123456789",  # a run of neighbouring characters
    "Xk2-sh0Rt-9vQ-Lp7w",  # too short
]


def test_production_serves_no_api_explorer(production_client: TestClient, client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert production_client.get(path).status_code == 404, path
    assert client.get("/openapi.json").status_code == 200  # outside production it stays


@pytest.mark.parametrize("secret", WEAK)
def test_production_refuses_a_weak_secret_without_printing_it(secret: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(environment="production", secret_key=secret)
    text = str(refused.value)
    assert "JEJARING_SECRET_KEY" in text
    assert not any(secret[i : i + 4] in text for i in range(len(secret) - 3))
    Settings(environment="development", secret_key=secret)  # outside production, anything goes
    Settings(environment="production", secret_key=PRODUCTION_SECRET)


def test_cli_in_production_with_a_weak_secret_exits_without_echoing_it(tmp_path: object) -> None:
    secret = "Q" * 30 + "7xQ" + "Q" * 9
    env = {
        **os.environ,
        "JEJARING_ENVIRONMENT": "production",
        "JEJARING_SECRET_KEY": secret,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "JEJARING_SECRET_KEY" in output and "Traceback" not in output
    assert "QQQ" not in output and "7x" not in output


def test_demo_accounts_cannot_sign_in_in_production(production_client: TestClient) -> None:
    for username, password in DEMO_PASSWORDS.items():
        response = production_client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert response.status_code == 401, username
    page = production_client.post(
        "/login", data={"username": "admin", "password": DEMO_PASSWORDS["admin"], **login_form(production_client)}
    )
    assert page.status_code == 401


def test_demo_seed_is_refused_in_production(db_url: str) -> None:
    env = {
        **os.environ,
        "JEJARING_ENVIRONMENT": "production",
        "JEJARING_SECRET_KEY": PRODUCTION_SECRET,
        "DATABASE_URL": db_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "seed", "demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "not in production" in result.stderr


def test_sign_in_form_needs_its_csrf_token(client: TestClient) -> None:
    credentials = {"username": "admin", "password": DEMO_PASSWORDS["admin"]}
    bare = client.post("/login", data=credentials, follow_redirects=False)
    assert bare.status_code == 403
    assert "Formulir masuk sudah kedaluwarsa" in bare.text
    assert "jejaring_session" not in bare.headers.get("set-cookie", "")
    # a token from another browser (another pre-session cookie) does not pass either
    other = TestClient(client.app)
    forged = client.post("/login", data={**credentials, **login_form(other)}, follow_redirects=False)
    assert forged.status_code == 403
    # the form's own token does; the refused form offers a fresh one
    fields = login_form(client)
    assert fields["csrf"]
    assert client.post("/login", data={**credentials, **fields}, follow_redirects=False).status_code == 303
