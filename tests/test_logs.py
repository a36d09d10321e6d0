"""No personal value in any log: every logger at DEBUG through the personal-data flows."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household
from models.organizations import Program
from models.users import User
from tests.conftest import sign_in
from tests.web.conftest import free_port

NAME, PHONE, NIK = "Ibu Rahasia Logtest", "0812-7777-6543", "3273161204900777"
NEW_NAME, NEW_PHONE, NEW_NIK = "Ibu Rahasia Ganti", "+62 813 5555 4321", "3273164104900778"
NOTE = f"hubungi {NEW_PHONE}, NIK {NEW_NIK}"
SECRETS = [NAME, PHONE, NIK, NEW_NAME, NEW_PHONE, NEW_NIK, "Rahasia", "7777-6543", "5555 4321", "4104900778"]
STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None)))


class Everything(logging.Handler):
    """Keeps the full text of every record: message, arguments, extra fields, traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.getMessage(), repr(record.args)]
        parts += [f"{k}={v!r}" for k, v in vars(record).items() if k not in STANDARD]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        self.texts.append((record.name, " ".join(parts)))


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    """Every logger at DEBUG (the root, uvicorn, sqlalchemy, the app's) into one handler."""
    handler = Everything()
    names = ["", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine", "uvicorn", "uvicorn.access"]
    names += ["uvicorn.error", "service", "fastapi", "starlette", "multipart", "python_multipart"]
    before = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    for n, level in before.items():
        logging.getLogger(n).setLevel(level)


def leaks(handler: Everything, secrets: list[str]) -> list[tuple[str, str]]:
    return [
        (name, secret)
        for name, text in handler.texts
        if not name.startswith(("httpx", "httpcore"))  # the test's own HTTP client, not the service
        for secret in secrets
        if secret in text
    ]


def test_personal_data_flows_leave_no_personal_value_in_any_log(
    all_logs: Everything, app: FastAPI, session: Session
) -> None:
    fac_user = session.exec(select(User).where(User.username == "pendamping.kebonjayanti")).one()
    demo = session.exec(
        select(Household).where(Household.facilitator_id == fac_user.facilitator_id, col(Household.phone).is_not(None))
    ).first()
    assert demo is not None and demo.phone
    secrets = [*SECRETS, demo.head_name, demo.phone]
    with TestClient(app, raise_server_exceptions=False) as client:
        admin, fac = sign_in(client, "admin"), sign_in(client, "pendamping.kebonjayanti")
        body = {
            "pkh_id": "PKH-LOG-0001",
            "nik": NIK,
            "head_name": NAME,
            "phone": PHONE,
            "village_code": "32.73.16.1002",
            "facilitator_id": fac_user.facilitator_id,
        }
        created = client.post("/api/v1/households", json=body, headers=admin)
        assert created.status_code == 201, created.text
        hid, version = created.json()["id"], created.json()["version"]
        edit = {"version": version, "head_name": NEW_NAME, "phone": NEW_PHONE, "nik": NEW_NIK}
        assert client.patch(f"/api/v1/households/{hid}", json=edit, headers=fac).status_code == 200
        assert client.post("/api/v1/households/lookup", json={"nik": NEW_NIK}, headers=fac).status_code == 200
        assert client.get("/api/v1/households", params={"q": "Rahasia"}, headers=fac).status_code == 200
        assert client.get("/api/v1/households", params={"nik": NIK}, headers=fac).status_code == 422
        # The demo family: read, edited, referred with a note holding a NIK and a phone.
        assert client.get(f"/api/v1/households/{demo.id}", headers=fac).status_code == 200
        demo_edit = {"version": demo.version, "phone": demo.phone, "head_name": demo.head_name}
        assert client.patch(f"/api/v1/households/{demo.id}", json=demo_edit, headers=fac).status_code == 200
        program = session.exec(select(Program).where(Program.name == "PENA Berdikari")).one()
        consent = client.post(
            f"/api/v1/households/{demo.id}/consents", json={"organization_id": program.organization_id}, headers=fac
        )
        assert consent.status_code == 201, consent.text
        referral = client.post(
            "/api/v1/referrals", json={"household_id": demo.id, "program_id": program.id, "note": NOTE}, headers=fac
        )
        assert referral.status_code in (201, 422), referral.text
        # Validation errors carrying personal values.
        bad = [
            {**body, "nik": NIK[:-1], "pkh_id": "PKH-LOG-0002"},
            {**body, "village_code": "99.99.99.9999", "pkh_id": "PKH-LOG-0003"},
            {**body, "nik": "x" + NIK, "phone": PHONE * 3, "head_name": NAME + "\x00"},
        ]
        for b in bad:
            assert client.post("/api/v1/households", json=b, headers=admin).status_code == 422
        assert client.patch(f"/api/v1/households/{hid}", json={"version": "v", "head_name": NAME}, headers=fac)
        assert client.post("/api/v1/households", content=json.dumps(body)[:-3], headers=admin).status_code == 422
    assert any(name.startswith("sqlalchemy") for name, _ in all_logs.texts), "SQL logging was not captured"
    assert leaks(all_logs, secrets) == []


def test_served_app_logs_no_query_string_and_no_database_error_values(all_logs: Everything, app: FastAPI) -> None:
    """Under uvicorn: the access log keeps the path without its query; a database error whose
    statement and message carry a name and a phone is logged without them."""

    @app.get("/test-database-error")
    def database_error() -> None:
        with Session(app.state.engine) as s:
            s.execute(
                sa.text("INSERT INTO household (pkh_id, head_name, phone, nik_hash) VALUES (:p, :n, :ph, :h)"),
                {"p": "PKH-LOG-0001", "n": NAME, "ph": PHONE, "h": NIK},
            )
            s.commit()

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=True))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        paths = {
            f"/api/v1/households?nik={NIK}": 401,
            "/api/v1/households?q=Rahasia%20Logtest&limit=5": 401,
            f"/test-database-error?phone={PHONE}": 500,
        }
        for path, code in paths.items():
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
            assert caught.value.code == code
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    access = [text for name, text in all_logs.texts if name == "uvicorn.access"]
    assert len(access) == 3, all_logs.texts[-5:]
    assert sum("/api/v1/households" in text for text in access) == 2
    errors = [text for name, text in all_logs.texts if name.startswith("uvicorn.error") and "Traceback" in text]
    assert errors and "IntegrityError" in errors[0] and "database_error" in errors[0]
    assert leaks(all_logs, [NIK, PHONE, NAME, "Rahasia", "Logtest", "7777"]) == []
