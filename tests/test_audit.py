"""The audit trail: reads of personal data leave rows (who, which role, what, outcome, request id);
rows cannot be changed or deleted, and their hash chain shows any tampering."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household
from models.users import AuditEvent, User
from service.core.audit import record_event
from tests.conftest import DEMO_PASSWORDS, login_form
from tests.test_cli import jejaring

Headers = Callable[[str], dict[str, str]]
KJ = "pendamping.kebonjayanti"


def user_named(session: Session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def households_of(session: Session, username: str) -> list[Household]:
    fid = user_named(session, username).facilitator_id
    return list(session.exec(select(Household).where(Household.facilitator_id == fid).order_by(col(Household.id))))


def rows_of(session: Session, request_id: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.request_id == request_id)))


def test_reads_of_personal_data_leave_an_audit_row_with_role_outcome_and_request_id(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    me = user_named(session, KJ)
    mine = households_of(session, KJ)[0]
    theirs = households_of(session, "pendamping.jaktim")[0]
    api = as_user(KJ)
    reads = {
        "rid-detail": (f"/api/v1/households/{mine.id}", "household", str(mine.id), "ok"),
        "rid-matches": (f"/api/v1/households/{mine.id}/matches", "household", str(mine.id), "ok"),
        "rid-list": ("/api/v1/households", "household", None, "ok"),
        "rid-denied": (f"/api/v1/households/{theirs.id}", "household", str(theirs.id), "denied"),
    }
    for rid, (url, _entity, _eid, outcome) in reads.items():
        response = client.get(url, headers={**api, "X-Request-ID": rid})
        assert response.status_code == (200 if outcome == "ok" else 404), (url, response.text)
    login = client.post(
        "/login", data={"username": KJ, "password": DEMO_PASSWORDS[KJ], **login_form(client)}, follow_redirects=False
    )
    assert login.status_code == 303
    pages = {
        "rid-family": (f"/kpm/{mine.id}", "household", str(mine.id), "ok"),
        "rid-screening": ("/kpm/skrining", "caseload", None, "ok"),
        "rid-export": ("/kpm/skrining.csv", "caseload", None, "ok"),
    }
    for rid, (url, *_rest) in pages.items():
        assert client.get(url, headers={"X-Request-ID": rid}).status_code == 200, url
    for rid, (_url, entity, eid, outcome) in {**reads, **pages}.items():
        rows = rows_of(session, rid)
        assert len(rows) == 1, (rid, rows)
        row = rows[0]
        assert (row.actor_user_id, row.role, row.entity, row.entity_id, row.outcome) == (
            me.id,
            "facilitator",
            entity,
            eid,
            outcome,
        ), rid
        assert row.row_hash and len(row.row_hash) == 64
    assert rows_of(session, "rid-export")[0].action == "export"
    assert rows_of(session, "rid-matches")[0].action == "read_matches"


def test_writes_carry_the_role_of_their_actor(client: TestClient, session: Session, as_user: Headers) -> None:
    h = households_of(session, KJ)[0]
    response = client.patch(
        f"/api/v1/households/{h.id}",
        json={"version": h.version, "address": "Jl. Uji 1"},
        headers={**as_user(KJ), "X-Request-ID": "rid-write"},
    )
    assert response.status_code == 200, response.text
    [row] = rows_of(session, "rid-write")
    assert (row.action, row.role, row.outcome, row.entity_id) == ("update", "facilitator", "ok", str(h.id))


def _some_events(app: FastAPI, n: int = 3) -> None:
    with Session(app.state.engine) as s:
        for i in range(n):
            record_event(s, actor_user_id=None, action="test", entity="audit", entity_id=i, request_id=f"t{i}")
        s.commit()


def test_audit_rows_cannot_be_changed_or_deleted(app: FastAPI) -> None:
    _some_events(app)
    for statement in ("UPDATE auditevent SET action = 'erased'", "DELETE FROM auditevent"):
        with app.state.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as refused:
            conn.execute(sa.text(statement))
            conn.commit()
        assert "audit" in str(refused.value).lower()
    with app.state.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM auditevent WHERE action = 'test'")).scalar() == 3


def _drop_triggers(app: FastAPI) -> None:
    """As the database owner would: remove the guard so a row can be changed behind the service."""
    with app.state.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("DROP TRIGGER auditevent_immutable ON auditevent"))
        else:
            conn.execute(sa.text("DROP TRIGGER auditevent_no_update"))


def test_audit_verify_passes_on_the_demo_and_names_the_first_tampered_row(
    app: FastAPI, client: TestClient, db_url: str, as_user: Headers, session: Session
) -> None:
    h = households_of(session, KJ)[0]
    client.get(f"/api/v1/households/{h.id}", headers=as_user(KJ))
    client.patch(f"/api/v1/households/{h.id}", json={"version": h.version, "address": "x"}, headers=as_user(KJ))
    _some_events(app, 4)
    ok = jejaring(db_url, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout
    ids = [r.id for r in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
    session.rollback()  # end the read transaction: dropping a trigger waits for every reader of the table
    assert len(ids) >= 6
    victim = ids[len(ids) // 2]
    _drop_triggers(app)
    with app.state.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE auditevent SET actor_user_id = NULL, action = 'nothing' WHERE id = :i"), {"i": victim}
        )
    broken = jejaring(db_url, "audit", "verify")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"row {victim}" in broken.stdout + broken.stderr


def test_concurrent_writers_keep_one_unbroken_chain(app: FastAPI, db_url: str) -> None:
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(5):
                with Session(app.state.engine) as s:
                    record_event(s, actor_user_id=None, action="test", entity="audit", entity_id=f"{k}.{i}")
                    s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.state.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM auditevent WHERE action = 'test'")).scalar() == 40
    result = jejaring(db_url, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
