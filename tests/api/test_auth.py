"""Sign-in, tokens and the current user."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.users import AuditEvent, User
from service.core.security import create_token
from tests.conftest import TEST_SECRET


def test_sign_in_returns_a_token_that_reads_me(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "admin", "password": "admin-demo-2026"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "admin"
    assert me.json()["role"] == "admin"
    assert "password_hash" not in me.json()


def test_sign_in_fails_alike_for_wrong_password_and_unknown_user(client: TestClient) -> None:
    wrong = client.post("/api/v1/auth/token", data={"username": "admin", "password": "nope-nope"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Incorrect username or password"}


def test_sign_in_without_fields_names_the_missing_field(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "admin"})
    assert response.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in response.json()["detail"]]


def test_api_refuses_missing_forged_and_expired_tokens(client: TestClient, session: Session) -> None:
    admin = session.exec(select(User).where(User.username == "admin")).one()
    assert admin.id is not None
    expired = create_token(user_id=admin.id, secret=TEST_SECRET, minutes=-1)
    forged = create_token(user_id=admin.id, secret="another-secret-that-is-long-enough-0000", minutes=10)
    for headers in (
        {},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": "Bearer not-a-token"},
    ):
        response = client.get("/api/v1/households", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_deactivated_user_loses_access_at_once(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]]
) -> None:
    headers = as_user("pendamping.kebonjayanti")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    session.execute(sa.update(User).where(User.username == "pendamping.kebonjayanti").values(is_active=False))
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    again = client.post(
        "/api/v1/auth/token", data={"username": "pendamping.kebonjayanti", "password": "pendamping-demo-2026"}
    )
    assert again.status_code == 401


def test_sign_ins_are_audited_without_personal_data(client: TestClient, session: Session) -> None:
    client.post("/api/v1/auth/token", data={"username": "admin", "password": "admin-demo-2026"})
    client.post("/api/v1/auth/token", data={"username": "admin", "password": "wrong-password"})
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions[-2:] == ["login", "login_failed"]
    failed = session.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).first()
    assert failed is not None and failed.actor_user_id is None
    assert failed.detail == {"username": "admin", "address": "testclient"}  # never the password


def test_health_checks_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["X-Request-ID"]
