"""What partnerships tell their sides: a proposal to party B, a confirmation to party A, and an
MoU ending within 30 days to both, once (the periodic check)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.network import Partnership
from models.organizations import Organization
from models.users import Role
from service.jobs import load_kinds, periodic_jobs
from service.partnerships import expiring_partnerships, notice_expiring
from service.partnerships.expiry import check_expiry_periodically
from tests import factories
from tests.conftest import sign_in

URL = "/api/v1/partnerships"
DINSOS = "Dinas Sosial Kota Bandung"
FORUM_CSR = "Forum CSR Kota Bandung"


def _org(session: Session, name: str) -> Organization:
    return session.exec(select(Organization).where(Organization.name == name)).one()


def _events(client: TestClient, headers: dict[str, str]) -> list[dict[str, str]]:
    r = client.get("/api/v1/notifications", headers=headers)
    assert r.status_code == 200, r.text
    return [n for n in r.json()["items"] if n["event"].startswith("partnership.")]


def test_each_side_is_told_and_an_mou_ending_next_month_once(
    client: TestClient, session: Session, app: FastAPI
) -> None:
    today = app.state.settings.today()
    dinsos, csr = _org(session, DINSOS), _org(session, FORUM_CSR)
    csr_user = factories.user(session, Role.agency_staff, organization=csr)
    dinsos_user = factories.user(session, Role.agency_staff, organization=dinsos)
    session.commit()
    csr_staff = sign_in(client, csr_user.username, factories.PASSWORD)
    dinsos_staff = sign_in(client, dinsos_user.username, factories.PASSWORD)

    def propose(kind: str, ends_in: int) -> int:
        body = {"party_a_kind": "organization", "party_a_id": dinsos.id, "party_b_kind": "organization",
                "party_b_id": csr.id, "kind": kind, "started_on": (today - timedelta(days=300)).isoformat(),
                "ended_on": (today + timedelta(days=ends_in)).isoformat()}  # fmt: skip
        r = client.post(URL, json=body, headers=dinsos_staff)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    soon = propose("mou", 20)
    told = _events(client, csr_staff)
    assert [(n["event"], n["url"]) for n in told] == [("partnership.proposed", f"/kemitraan#p{soon}")]
    assert DINSOS in told[0]["text"] and FORUM_CSR in told[0]["text"]
    assert _events(client, dinsos_staff) == []
    assert client.patch(f"{URL}/{soon}", json={"status": "confirmed"}, headers=csr_staff).status_code == 200
    assert [n["event"] for n in _events(client, dinsos_staff)] == ["partnership.confirmed"]

    later = propose("mou", 45)  # beyond the 30 days
    informal = propose("informal", 10)  # not an MoU
    for pid in (later, informal):
        assert client.patch(f"{URL}/{pid}", json={"status": "confirmed"}, headers=csr_staff).status_code == 200
    assert [t.id for t in expiring_partnerships(session, today)] == [soon]

    assert notice_expiring(session, today) == [soon]
    for headers in (csr_staff, dinsos_staff):
        expiring = [n for n in _events(client, headers) if n["event"] == "partnership.expiring"]
        assert len(expiring) == 1 and (today + timedelta(days=20)).isoformat() in expiring[0]["text"]
    # Once: the next check (and the periodic job) tells no one again.
    assert notice_expiring(session, today) == []
    check_expiry_periodically(app.state.engine, app.state.settings)
    assert len([n for n in _events(client, csr_staff) if n["event"] == "partnership.expiring"]) == 1
    assert session.get(Partnership, soon).expiry_noticed_at is not None  # type: ignore[union-attr]


def test_the_expiry_check_is_on_every_consumers_schedule() -> None:
    load_kinds()
    assert "partnerships.expiry" in {j.name for j in periodic_jobs()}
