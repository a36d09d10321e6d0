"""The network kept by its users, end to end (#13, "Done when"): the organiser of Kota Bandung's
forum records a meeting with attendance and Forum CSR's commitment, invites Dinas Koperasi dan
UMKM from the dashboard's invitation list, its staff accept, the network shows it as a member (no
longer isolated) and ``/network/changes`` between the day before and today reports that tie and
the demand it newly reaches; the dashboard then compares with the last meeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping.network import node_id
from models.network import Forum
from models.organizations import Organization, Program
from models.users import Role
from service.network.changes import changes_since_default
from tests import factories
from tests.conftest import sign_in
from tests.factories import PASSWORD

Headers = Callable[[str], dict[str, str]]
API = "/api/v1"
FORUM = "Forum Sinergi Kreatif Kota Bandung"
CSR = "Forum CSR Kota Bandung"
KUMKM = "Dinas Koperasi dan UMKM Kota Bandung"
SEWING = "Forum CSR funds sewing training for 20 PRSE women in Kebon Jayanti"


def _id(session: Session, model: type[Forum] | type[Organization], name: str) -> int:
    return int(session.exec(select(model.id).where(model.name == name)).one())  # type: ignore[arg-type]


def _isolated(client: TestClient, headers: dict[str, str]) -> set[str]:
    gaps = client.get(f"{API}/network/gaps", params={"region": "32.73"}, headers=headers)
    assert gaps.status_code == 200, gaps.text
    return {i["label"] for i in gaps.json()["isolated"]}


def test_a_meeting_an_invitation_accepted_and_the_network_changes_since(
    client: TestClient, session: Session, app: FastAPI, as_user: Headers
) -> None:
    today = app.state.settings.today()
    organiser = as_user("forum.bandung")
    forum, csr, kumkm = _id(session, Forum, FORUM), _id(session, Organization, CSR), _id(session, Organization, KUMKM)
    members = client.get(f"{API}/forums/{forum}/members", headers=organiser).json()["items"]
    present = [{"member_kind": m["member_kind"], "member_id": m["member_id"]} for m in members if not m["left_on"]]
    if not any(m["member_kind"] == "organization" and m["member_id"] == csr for m in members):
        added = client.post(
            f"{API}/forums/{forum}/members",
            json={"member_kind": "organization", "member_id": csr, "role": "treasurer", "joined_on": None},
            headers=organiser,
        )
        assert added.status_code == 201, added.text
        present.append({"member_kind": "organization", "member_id": csr})

    # 1. The meeting: who came, and Forum CSR's commitment for Kebon Jayanti.
    meeting = client.post(
        f"{API}/forums/{forum}/meetings",
        json={
            "held_on": (today - timedelta(days=1)).isoformat(),
            "place": "Aula Kelurahan Kebon Jayanti",
            "agenda": "Pelatihan menjahit untuk perempuan PRSE",
            "minutes": "Forum CSR siap mendanai pelatihan.",
            "attendance": present,
            "commitments": [
                {
                    "party_kind": "organization",
                    "party_id": csr,
                    "text": SEWING,
                    "due_on": (today + timedelta(days=30)).isoformat(),
                    "need": "training",
                    "village_code": "32.73.16.1002",
                }
            ],
        },
        headers=organiser,
    )
    assert meeting.status_code == 201, meeting.text
    body = meeting.json()
    assert {a["name"] for a in body["attendance"]} >= {CSR}
    assert [c["party_name"] for c in body["commitments"]] == [CSR]

    # 2. The invitation list proposes Dinas KUMKM, which sits isolated; the organiser invites it.
    suggested = client.get(f"{API}/network/suggestions", params={"forum_id": forum}, headers=organiser).json()
    assert node_id("organization", kumkm) in [i["organization"] for i in suggested["invitations"]]
    assert KUMKM in _isolated(client, organiser)
    sent = client.post(f"{API}/forums/{forum}/invitations", json={"organization_id": kumkm}, headers=organiser)
    assert sent.status_code == 201 and sent.json()["status"] == "sent", sent.text

    # 3. Its staff see it and accept: it becomes a member.
    org = session.get(Organization, kumkm)
    staff_account = factories.user(session, Role.agency_staff, organization=org)
    session.commit()
    staff = sign_in(client, staff_account.username, PASSWORD)
    waiting = client.get(f"{API}/invitations", headers=staff).json()["items"]
    assert [i["id"] for i in waiting] == [sent.json()["id"]]
    accepted = client.patch(f"{API}/invitations/{sent.json()['id']}", json={"status": "accepted"}, headers=staff)
    assert accepted.status_code == 200, accepted.text
    listed = client.get(f"{API}/forums/{forum}/members", headers=organiser).json()["items"]
    assert any(m["member_kind"] == "organization" and m["member_id"] == kumkm for m in listed)

    # 4. The network: a member of the forum, no longer isolated.
    graph = client.get(f"{API}/network/graph", params={"region": "32.73"}, headers=organiser).json()
    ties = {(e["source"], e["target"], e["type"]) for e in graph["edges"]}
    assert (node_id("organization", kumkm), node_id("forum", forum), "member_of") in ties
    assert KUMKM not in _isolated(client, organiser)

    # 5. The changes between the day before and today: that tie, and the demand it newly reaches.
    changes = client.get(
        f"{API}/network/changes",
        params={"region": "32.73", "since": (today - timedelta(days=1)).isoformat(), "until": today.isoformat()},
        headers=organiser,
    )
    assert changes.status_code == 200, changes.text
    c = changes.json()
    tie = {"type": "forum_membership", "source": KUMKM, "target": FORUM}
    assert tie in [
        {"type": t["type"], "source": t["source"]["label"], "target": t["target"]["label"]} for t in c["ties_added"]
    ]
    assert KUMKM in {s["label"] for s in c["no_longer_isolated"]}
    kumkm_programs = set(session.exec(select(Program.name).where(Program.organization_id == kumkm)).all())
    reached = c["newly_reached"]
    assert reached and {r["organization"] for r in reached} == {KUMKM}
    assert {r["program"] for r in reached} <= kumkm_programs
    assert c["unmet_after"]["pairs"] == c["unmet_before"]["pairs"] - len(reached)

    # 6. "Since the last meeting": the forum's dashboard compares with yesterday's meeting.
    assert changes_since_default(session, forum, today) == today - timedelta(days=1)
    assert changes_since_default(session, forum, today - timedelta(days=1)) == today - timedelta(days=31)
