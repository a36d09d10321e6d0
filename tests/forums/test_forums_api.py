"""The forums API on the demo: the organiser of Kota Bandung's forum adds Forum CSR, records a meeting
with attendance and Forum CSR's commitment, follows it up; bad input names the field; a forum out
of reach is 404; members read, only organisers and admins write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Facilitator
from models.network import Forum
from models.organizations import Organization, Program
from models.users import AuditEvent, User
from service import forums
from tests.matrix.world import DINSOS_BANDUNG, FORUM_CSR, KEBON_JAYANTI_FACILITATOR

Headers = Callable[[str], dict[str, str]]
API = "/api/v1"
BANDUNG_FORUM = "Forum Sinergi Kreatif Kota Bandung"
JAKTIM_FORUM = "Forum Pemberdayaan Ekonomi KPM Jakarta Timur"
KEBON_JAYANTI = "32.73.16.1002"
SEWING = "Forum CSR funds sewing training for 20 PRSE women in Kebon Jayanti"


def _id(session: Session, model: Any, name: str) -> int:
    return int(session.exec(select(model.id).where(model.name == name)).one())


def world(session: Session) -> dict[str, int]:
    return {
        "forum": _id(session, Forum, BANDUNG_FORUM),
        "jaktim_forum": _id(session, Forum, JAKTIM_FORUM),
        "csr": _id(session, Organization, FORUM_CSR),
        "dinsos": _id(session, Organization, DINSOS_BANDUNG),
        "facilitator": _id(session, Facilitator, KEBON_JAYANTI_FACILITATOR),
    }


def sewing_meeting(w: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "held_on": date.today().isoformat(),
        "place": "Aula Kelurahan Kebon Jayanti",
        "agenda": "Rencana pelatihan menjahit PRSE",
        "minutes": "Forum CSR siap mendanai pelatihan menjahit.",
        "attendance": [
            {"member_kind": "organization", "member_id": w["csr"]},
            {"member_kind": "organization", "member_id": w["dinsos"]},
            {"member_kind": "facilitator", "member_id": w["facilitator"]},
        ],
        "commitments": [
            {
                "party_kind": "organization",
                "party_id": w["csr"],
                "text": SEWING,
                "due_on": (date.today() + timedelta(days=30)).isoformat(),
                "need": "training",
                "sector": "fashion",
                "village_code": KEBON_JAYANTI,
            }
        ],
        **extra,
    }


def add_csr(client: TestClient, as_user: Headers, w: dict[str, int]) -> None:
    r = client.post(
        f"{API}/forums/{w['forum']}/members",
        json={"member_kind": "organization", "member_id": w["csr"], "role": "treasurer", "joined_on": "2026-01-05"},
        headers=as_user("forum.bandung"),
    )
    assert r.status_code == 201, r.text


def test_organiser_records_a_meeting_with_forum_csr_commitment(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    w = world(session)
    organiser = as_user("forum.bandung")
    add_csr(client, as_user, w)
    members = client.get(f"{API}/forums/{w['forum']}/members", headers=organiser).json()
    assert {"items", "total", "limit", "offset"} <= set(members)
    csr = next(m for m in members["items"] if m["member_id"] == w["csr"] and m["member_kind"] == "organization")
    assert (csr["name"], csr["role"], csr["joined_on"], csr["left_on"]) == (FORUM_CSR, "treasurer", "2026-01-05", None)

    r = client.post(f"{API}/forums/{w['forum']}/meetings", json=sewing_meeting(w), headers=organiser)
    assert r.status_code == 201, r.text
    meeting = r.json()
    assert {a["name"] for a in meeting["attendance"]} == {FORUM_CSR, DINSOS_BANDUNG, KEBON_JAYANTI_FACILITATOR}
    (promise,) = meeting["commitments"]
    assert promise["party_name"] == FORUM_CSR and promise["text"] == SEWING
    assert promise["village_name"] == "Kebon Jayanti" and promise["status"] == "open"

    listed = client.get(f"{API}/forums/{w['forum']}/meetings", headers=organiser).json()
    assert listed["total"] == 1 and listed["items"][0]["attendees"] == 3 and listed["items"][0]["commitments"] == 1
    assert client.get(f"{API}/meetings/{meeting['id']}", headers=organiser).json()["minutes"].startswith("Forum CSR")

    r = client.patch(
        f"{API}/commitments/{promise['id']}", json={"status": "done", "note": "20 peserta lulus"}, headers=organiser
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done" and r.json()["follow_ups"][-1]["note"] == "20 peserta lulus"
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "forum_commitment")).first() is not None


def test_commitments_due_finds_soon_and_overdue(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    add_csr(client, as_user, w)
    body = sewing_meeting(w)
    today = date.today()
    body["commitments"] = [
        {**body["commitments"][0], "due_on": (today + timedelta(days=d)).isoformat(), "text": f"in {d}"}
        for d in (-2, 5, 20)
    ]
    assert client.post(f"{API}/forums/{w['forum']}/meetings", json=body, headers=as_user("admin")).status_code == 201
    due = forums.commitments_due(session, today)
    assert [(d.text, d.overdue) for d in due] == [("in -2", True), ("in 5", False)]


def test_admin_starts_a_forum_and_names_its_organiser(client: TestClient, as_user: Headers, session: Session) -> None:
    admin = as_user("admin")
    organiser = session.exec(select(User).where(User.username == "forum.bandung")).one()
    r = client.post(
        f"{API}/forums",
        json={"name": "Forum UMKM Kiaracondong", "region_code": "32.73.16", "description": "Kecamatan"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["id"] and new["version"] == 1 and new["organizer_user_ids"] == []
    r = client.patch(
        f"{API}/forums/{new['id']}", json={"version": 1, "organizer_user_ids": [organiser.id]}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["organizer_user_ids"] == [organiser.id] and r.json()["version"] == 2
    # The organiser now runs the new forum, and no longer the old one.
    assert client.get(f"{API}/forums/{new['id']}", headers=sign_in_again(client)).status_code == 200
    listed = client.get(f"{API}/forums", headers=admin).json()
    assert {"items", "total", "limit", "offset"} <= set(listed) and listed["total"] == 3
    # Not an organiser's account: 422 naming it.
    dinsos_user = session.exec(select(User).where(User.username == "dinsos.bandung")).one()
    r = client.patch(
        f"{API}/forums/{new['id']}", json={"version": 2, "organizer_user_ids": [dinsos_user.id]}, headers=admin
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "organizer_user_ids", 0]


def sign_in_again(client: TestClient) -> dict[str, str]:
    from tests.conftest import sign_in

    return sign_in(client, "forum.bandung")


def test_only_admins_start_forums_and_names_are_unique(client: TestClient, as_user: Headers) -> None:
    body = {"name": "Forum Baru", "region_code": "32.73", "description": None}
    assert client.post(f"{API}/forums", json=body, headers=as_user("forum.bandung")).status_code == 403
    body["name"] = BANDUNG_FORUM
    assert client.post(f"{API}/forums", json=body, headers=as_user("admin")).status_code == 409
    body["name"], body["region_code"] = "Forum Entah", "99.99"
    r = client.post(f"{API}/forums", json=body, headers=as_user("admin"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "region_code"]


def test_organiser_of_another_forum_gets_404(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    organiser = as_user("forum.bandung")
    other = w["jaktim_forum"]
    assert client.get(f"{API}/forums/{other}", headers=organiser).status_code == 404
    assert client.get(f"{API}/forums/{other}/members", headers=organiser).status_code == 404
    assert client.get(f"{API}/forums/{other}/meetings", headers=organiser).status_code == 404
    r = client.post(f"{API}/forums/{other}/meetings", json={"held_on": "2026-12-01"}, headers=organiser)
    assert r.status_code == 404
    listed = client.get(f"{API}/forums", headers=organiser).json()
    assert [f["id"] for f in listed["items"]] == [w["forum"]]
    # A meeting and its commitment of the other forum are not found either.
    r = client.post(f"{API}/forums/{other}/meetings", json={"held_on": "2026-12-01"}, headers=as_user("admin"))
    meeting = r.json()["id"]
    assert client.get(f"{API}/meetings/{meeting}", headers=organiser).status_code == 404


def test_members_read_their_forum_but_do_not_run_it(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    add_csr(client, as_user, w)
    meeting = client.post(f"{API}/forums/{w['forum']}/meetings", json=sewing_meeting(w), headers=as_user("admin"))
    promise = meeting.json()["commitments"][0]["id"]
    staff = as_user("dinsos.bandung")  # Dinas Sosial Kota Bandung is a member
    assert client.get(f"{API}/forums/{w['forum']}", headers=staff).status_code == 200
    assert client.get(f"{API}/meetings/{meeting.json()['id']}", headers=staff).status_code == 200
    assert client.get(f"{API}/forums/{w['jaktim_forum']}", headers=staff).status_code == 404
    r = client.post(f"{API}/forums/{w['forum']}/meetings", json={"held_on": "2026-12-01"}, headers=staff)
    assert r.status_code == 403
    # Dinas Sosial did not make Forum CSR's commitment: it cannot mark it done.
    assert client.patch(f"{API}/commitments/{promise}", json={"status": "done"}, headers=staff).status_code == 403


def test_bad_meeting_input_names_the_field(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    organiser = as_user("forum.bandung")
    url = f"{API}/forums/{w['forum']}/meetings"

    def loc(body: dict[str, Any]) -> list[Any]:
        r = client.post(url, json=body, headers=organiser)
        assert r.status_code == 422, r.text
        return list(r.json()["detail"][0]["loc"])

    # Forum CSR is not (yet) a member: it cannot attend.
    assert loc(sewing_meeting(w)) == ["body", "attendance", 0]
    add_csr(client, as_user, w)
    body = sewing_meeting(w)
    body["commitments"][0]["party_id"] = 999999
    assert loc(body) == ["body", "commitments", 0, "party_id"]
    body = sewing_meeting(w)
    body["commitments"][0]["program_id"] = 999999
    assert loc(body) == ["body", "commitments", 0, "program_id"]
    body = sewing_meeting(w)
    body["commitments"][0]["village_code"] = "32.73.16.9999"
    assert loc(body) == ["body", "commitments", 0, "village_code"]
    body = sewing_meeting(w)
    body["commitments"][0]["need"] = "magic"
    assert loc(body)[:4] == ["body", "commitments", 0, "need"]
    # A programme of Jakarta that the Bandung organiser does not see is no better than an unknown one.
    jakarta = session.exec(select(Program.id).where(Program.name.like("%Jakpreneur%"))).first()  # type: ignore[attr-defined]
    if jakarta is not None:
        body = sewing_meeting(w)
        body["commitments"][0]["program_id"] = jakarta
        assert loc(body) == ["body", "commitments", 0, "program_id"]


def test_member_dates_and_roles(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    organiser = as_user("forum.bandung")
    url = f"{API}/forums/{w['forum']}/members"
    body = {"member_kind": "organization", "member_id": w["csr"], "role": "member", "joined_on": "2026-03-01",
            "left_on": "2026-02-01"}  # fmt: skip
    r = client.post(url, json=body, headers=organiser)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "left_on"]
    body["left_on"] = None
    assert client.post(url, json=body, headers=organiser).status_code == 201
    assert client.post(url, json=body, headers=organiser).status_code == 409  # already a member
    r = client.post(url, json={**body, "member_id": 999999}, headers=organiser)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "member_id"]
    member = f"{url}/organization/{w['csr']}"
    r = client.patch(member, json={"left_on": "2026-01-01"}, headers=organiser)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "left_on"]
    r = client.patch(member, json={"role": "chair", "left_on": "2026-06-30"}, headers=organiser)
    assert r.status_code == 200 and (r.json()["role"], r.json()["left_on"]) == ("chair", "2026-06-30")
    # Left in June: not a member at a December meeting.
    r = client.post(
        f"{API}/forums/{w['forum']}/meetings",
        json={"held_on": "2026-12-01", "attendance": [{"member_kind": "organization", "member_id": w["csr"]}]},
        headers=organiser,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "attendance", 0]
    assert client.patch(f"{url}/organization/999999", json={"role": "chair"}, headers=organiser).status_code == 404


def test_work_plan_crud(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    organiser = as_user("forum.bandung")
    url = f"{API}/forums/{w['forum']}/plan"
    r = client.post(
        url,
        json={"title": "Pemetaan PRSE penjahit", "owner_kind": "facilitator", "owner_id": w["facilitator"],
              "due_on": "2027-01-31"},
        headers=organiser,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["owner_name"] == KEBON_JAYANTI_FACILITATOR and item["status"] == "planned"
    r = client.post(url, json={"title": "x", "owner_kind": "organization"}, headers=organiser)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "owner_id"]
    r = client.patch(f"{url}/{item['id']}", json={"version": 1, "status": "in_progress"}, headers=organiser)
    assert r.status_code == 200 and r.json()["status"] == "in_progress" and r.json()["version"] == 2
    assert (
        client.patch(f"{url}/{item['id']}", json={"version": 1, "status": "done"}, headers=organiser).status_code == 409
    )
    assert client.get(url, headers=organiser).json()["total"] == 1
    assert client.delete(f"{url}/{item['id']}", headers=organiser).status_code == 204
    assert client.get(url, headers=organiser).json()["total"] == 0
    other = f"{API}/forums/{w['jaktim_forum']}/plan"
    assert client.post(other, json={"title": "x"}, headers=organiser).status_code == 404


def test_forum_patch_by_organiser(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    organiser = as_user("forum.bandung")
    url = f"{API}/forums/{w['forum']}"
    version = client.get(url, headers=organiser).json()["version"]
    r = client.patch(url, json={"version": version, "description": "Forum yang diperbarui"}, headers=organiser)
    assert r.status_code == 200 and r.json()["description"] == "Forum yang diperbarui"
    r = client.patch(url, json={"version": version + 1, "region_code": "32"}, headers=organiser)
    assert r.status_code == 403
    r = client.patch(url, json={"version": version, "description": "basi"}, headers=organiser)
    assert r.status_code == 409
