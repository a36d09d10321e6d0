"""The NIK: only its last 4 digits ever leave the service, lookups travel in a POST body, and a
NIK clash tells a facilitator nothing about families outside their caseload."""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household
from models.users import AuditEvent, User
from tests.conftest import DEMO_PASSWORDS, login_form

Headers = Callable[[str], dict[str, str]]
KEBON_JAYANTI = "32.73.16.1002"
# A NIK shaped like a real one: kecamatan 32.73.16, born 12 April 1990, serial 0123.
NIK = "3273161204900123"


def facilitator_of(session: Session, username: str) -> int:
    user = session.exec(select(User).where(User.username == username)).one()
    assert user.facilitator_id is not None
    return user.facilitator_id


def households_of(session: Session, username: str) -> list[Household]:
    fid = facilitator_of(session, username)
    return list(session.exec(select(Household).where(Household.facilitator_id == fid).order_by(col(Household.id))))


def register(client: TestClient, as_user: Headers, session: Session, nik: str = NIK) -> dict[str, object]:
    body = {
        "pkh_id": "PKH-NIK-0001",
        "nik": nik,
        "head_name": "Ibu Uji Nik",
        "head_birth_date": "1990-04-12",
        "head_sex": "F",
        "village_code": KEBON_JAYANTI,
        "facilitator_id": facilitator_of(session, "pendamping.kebonjayanti"),
    }
    response = client.post("/api/v1/households", json=body, headers=as_user("admin"))
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def digits_shown(text: str, nik: str) -> set[int]:
    """Which positions of ``nik`` a text reveals, reading every masked or partial NIK in it."""
    shown: set[int] = set()
    for m in re.finditer(r"[0-9*]{16}", text):
        run = m.group(0)
        if "*" not in run and run != nik:
            continue
        if all(c == "*" or c == nik[i] for i, c in enumerate(run)):
            shown |= {i for i, c in enumerate(run) if c != "*"}
    return shown


def test_every_output_shows_only_the_last_four_nik_digits(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    created = register(client, as_user, session)
    assert created["nik_masked"] == "************0123"
    hid = created["id"]
    fac = as_user("pendamping.kebonjayanti")
    outputs = [
        client.get(f"/api/v1/households/{hid}", headers=fac).text,
        client.get("/api/v1/households", params={"limit": 500}, headers=fac).text,
        client.get(f"/api/v1/households/{hid}", headers=as_user("admin")).text,
    ]
    response = client.post(
        "/login",
        data={
            "username": "pendamping.kebonjayanti",
            "password": DEMO_PASSWORDS["pendamping.kebonjayanti"],
            **login_form(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    outputs += [client.get(f"/kpm/{hid}").text, client.get("/kpm").text, client.get("/kpm/skrining.csv").text]
    for text in outputs:
        assert digits_shown(text, NIK) <= {12, 13, 14, 15}, text[:200]
        assert NIK[:12] not in text and NIK[:8] not in text
    assert {12, 13, 14, 15} <= digits_shown(outputs[0], NIK)


def test_demo_households_keep_only_the_last_four_nik_digits(session: Session) -> None:
    masks = session.exec(select(Household.nik_masked)).all()
    assert masks and all(re.fullmatch(r"\*{12}\d{4}", m) for m in masks)


def test_migration_cuts_stored_masks_to_the_last_four_digits(db_url: str) -> None:
    from service.db import make_engine
    from service.migrations import downgrade, upgrade
    from tests.conftest import settings_for

    engine = make_engine(settings_for(db_url))
    try:
        downgrade(engine, "0009-1")
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE household SET nik_masked = '3273********' || substr(nik_masked, 13, 4)"))
        upgrade(engine)
        with engine.connect() as conn:
            masks = conn.execute(sa.text("SELECT nik_masked FROM household")).scalars().all()
    finally:
        engine.dispose()
    assert masks and all(re.fullmatch(r"\*{12}\d{4}", m) for m in masks)


def test_nik_lookup_is_a_post_and_the_query_form_is_refused(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    created = register(client, as_user, session)
    fac = as_user("pendamping.kebonjayanti")
    found = client.post("/api/v1/households/lookup", json={"nik": NIK}, headers=fac)
    assert found.status_code == 200, found.text
    assert [h["id"] for h in found.json()["items"]] == [created["id"]]
    # Another facilitator's caseload does not hold it: nothing found, same shape.
    elsewhere = client.post("/api/v1/households/lookup", json={"nik": NIK}, headers=as_user("pendamping.jaktim"))
    assert elsewhere.status_code == 200 and elsewhere.json()["items"] == []
    bad = client.post("/api/v1/households/lookup", json={"nik": "12345"}, headers=fac)
    assert bad.status_code == 422 and "12345" not in bad.text
    refused = client.get("/api/v1/households", params={"nik": NIK}, headers=fac)
    assert 400 <= refused.status_code < 500
    assert "POST /api/v1/households/lookup" in refused.text and NIK not in refused.text


def test_nik_clash_answers_the_same_in_and_out_of_scope_and_is_audited(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    fac = as_user("pendamping.kebonjayanti")
    mine = households_of(session, "pendamping.kebonjayanti")
    target, own_other = mine[0], mine[1]
    stranger = households_of(session, "pendamping.jaktim")[0]
    # Give the two others NIKs we know (through the admin), then try them on the target.
    niks = {own_other.id: "3273160101900001", stranger.id: "3175010101900002"}
    for hid, nik in niks.items():
        version = client.get(f"/api/v1/households/{hid}", headers=as_user("admin")).json()["version"]
        r = client.patch(f"/api/v1/households/{hid}", json={"version": version, "nik": nik}, headers=as_user("admin"))
        assert r.status_code == 200, r.text
    before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    answers = []
    for nik in niks.values():
        r = client.patch(f"/api/v1/households/{target.id}", json={"version": target.version, "nik": nik}, headers=fac)
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 409
    assert "already registered" not in str(answers[0][1])
    refused = session.exec(
        select(AuditEvent).where(AuditEvent.action == "nik_refused").order_by(col(AuditEvent.id))
    ).all()
    assert len(refused) == 2
    assert all(e.entity == "household" and e.entity_id == str(target.id) for e in refused)
    after = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    assert after >= before + 2
    # The household kept its NIK.
    session.expire_all()
    assert session.get(Household, target.id).nik_hash == target.nik_hash  # type: ignore[union-attr]
