"""Forum invitations that lead somewhere (#13, item 3): the organiser of Kota Bandung's forum
invites Dinas Koperasi dan UMKM from the invitation list, its staff accept, it becomes a member
and the network shows it linked to the forum; refusals (409, 404, 403, 422) on the way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping.network import node_id
from models.invitations import ForumInvitation
from models.network import Forum, ForumMember, PartyKind
from models.organizations import Organization
from models.users import AuditEvent, Role
from tests import factories
from tests.conftest import sign_in
from tests.factories import PASSWORD

Headers = Callable[[str], dict[str, str]]
KUMKM = "Dinas Koperasi dan UMKM Kota Bandung"
DISDAGIN = "Dinas Perdagangan dan Perindustrian Kota Bandung"
DINSOS = "Dinas Sosial Kota Bandung"
ORGANISER = "forum.bandung"


def org_id(session: Session, name: str) -> int:
    found = session.exec(select(Organization.id).where(Organization.name == name)).one()
    assert found is not None
    return found


def forum_id(session: Session, region: str = "32.73") -> int:
    found = session.exec(select(Forum.id).where(Forum.region_code == region)).one()
    assert found is not None
    return found


def staff_of(client: TestClient, session: Session, name: str) -> dict[str, str]:
    """Bearer headers of a new staff account of the organisation ``name``."""
    org = session.exec(select(Organization).where(Organization.name == name)).one()
    account = factories.user(session, Role.agency_staff, organization=org)
    session.commit()
    return sign_in(client, account.username, PASSWORD)


def isolated(client: TestClient, headers: dict[str, str]) -> set[str]:
    gaps = client.get("/api/v1/network/gaps", params={"region": "32.73"}, headers=headers)
    assert gaps.status_code == 200, gaps.text
    return {i["label"] for i in gaps.json()["isolated"] if i["reason"] == "no_facilitator_tie"}


def test_the_organiser_invites_from_the_list_the_staff_accept_and_it_joins_the_network(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    organiser = as_user(ORGANISER)
    forum, kumkm = forum_id(session), org_id(session, KUMKM)
    suggested = client.get("/api/v1/network/suggestions", params={"forum_id": forum}, headers=organiser).json()
    assert node_id("organization", kumkm) in [i["organization"] for i in suggested["invitations"]]
    assert KUMKM in isolated(client, organiser)
    staff = staff_of(client, session, KUMKM)

    sent = client.post(f"/api/v1/forums/{forum}/invitations", json={"organization_id": kumkm}, headers=organiser)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "sent" and sent.json()["organization_name"] == KUMKM
    invitation = sent.json()["id"]
    # Invited twice while the first waits: 409.
    again = client.post(f"/api/v1/forums/{forum}/invitations", json={"organization_id": kumkm}, headers=organiser)
    assert again.status_code == 409 and "waiting" in again.json()["detail"]
    listed = client.get(f"/api/v1/forums/{forum}/invitations", headers=organiser).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == invitation

    theirs = client.get("/api/v1/invitations", headers=staff).json()
    assert [i["id"] for i in theirs["items"]] == [invitation]
    assert theirs["items"][0]["forum_name"] == "Forum Sinergi Kreatif Kota Bandung"
    # The organiser cannot accept for them; they cannot withdraw it.
    assert (
        client.patch(f"/api/v1/invitations/{invitation}", json={"status": "accepted"}, headers=organiser).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/invitations/{invitation}", json={"status": "withdrawn"}, headers=staff).status_code
        == 403
    )
    assert client.patch(f"/api/v1/invitations/{invitation}", json={"status": "sent"}, headers=staff).status_code == 422

    accepted = client.patch(f"/api/v1/invitations/{invitation}", json={"status": "accepted"}, headers=staff)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["joined_on"]
    member = session.get(ForumMember, (forum, PartyKind.organization, kumkm))
    assert member is not None and member.joined_on is not None
    # Answered once: a second answer is 409, and so is inviting a member.
    twice = client.patch(f"/api/v1/invitations/{invitation}", json={"status": "declined"}, headers=staff)
    assert twice.status_code == 409
    member_again = client.post(
        f"/api/v1/forums/{forum}/invitations", json={"organization_id": kumkm}, headers=organiser
    )
    assert member_again.status_code == 409 and "already a member" in member_again.json()["detail"]

    # The network: a member_of tie to the forum, and no longer isolated.
    graph = client.get("/api/v1/network/graph", params={"region": "32.73"}, headers=organiser).json()
    ties = {(e["source"], e["target"], e["type"]) for e in graph["edges"]}
    assert (node_id("organization", kumkm), node_id("forum", forum), "member_of") in ties
    assert KUMKM not in isolated(client, organiser)
    assert DISDAGIN in isolated(client, organiser)
    # The organiser's list shows the answer; the audit trail has each step.
    shown = client.get(f"/api/v1/forums/{forum}/invitations", headers=organiser).json()["items"][0]
    assert shown["status"] == "accepted" and shown["answered_at"]
    # Each side was told: the organisation of the invitation, the forum's organisers of the answer.
    told = client.get("/api/v1/notifications", headers=staff).json()["items"]
    assert [(n["event"], n["url"]) for n in told] == [("invitation.sent", "/#undangan")]
    assert "Forum Sinergi Kreatif Kota Bandung" in told[0]["text"]
    inbox = client.get("/api/v1/notifications", headers=organiser).json()["items"]
    answered = [n for n in inbox if n["event"].startswith("invitation.")]
    assert [n["event"] for n in answered] == ["invitation.accepted"] and KUMKM in answered[0]["text"]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "forum_invitation")).all()
    assert sorted(actions) == ["accepted", "create"]


def test_an_invitation_declined_or_withdrawn_makes_no_member(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    organiser = as_user(ORGANISER)
    forum, disdagin, kumkm = forum_id(session), org_id(session, DISDAGIN), org_id(session, KUMKM)
    first = client.post(f"/api/v1/forums/{forum}/invitations", json={"organization_id": disdagin}, headers=organiser)
    staff = staff_of(client, session, DISDAGIN)
    declined = client.patch(f"/api/v1/invitations/{first.json()['id']}", json={"status": "declined"}, headers=staff)
    assert declined.status_code == 200 and declined.json()["joined_on"] is None
    assert session.get(ForumMember, (forum, PartyKind.organization, disdagin)) is None
    # Declined: the forum may ask again later.
    second = client.post(f"/api/v1/forums/{forum}/invitations", json={"organization_id": disdagin}, headers=organiser)
    assert second.status_code == 201
    other = client.post(f"/api/v1/forums/{forum}/invitations", json={"organization_id": kumkm}, headers=organiser)
    withdrawn = client.patch(
        f"/api/v1/invitations/{other.json()['id']}", json={"status": "withdrawn"}, headers=organiser
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    late = client.patch(
        f"/api/v1/invitations/{other.json()['id']}",
        json={"status": "accepted"},
        headers=staff_of(client, session, KUMKM),
    )
    assert late.status_code == 409
    assert session.get(ForumMember, (forum, PartyKind.organization, kumkm)) is None
    pending = client.get(f"/api/v1/forums/{forum}/invitations", params={"status": "sent"}, headers=organiser).json()
    assert [i["organization_id"] for i in pending["items"]] == [disdagin]


def test_invitations_outside_ones_reach_are_not_found(client: TestClient, session: Session, as_user: Headers) -> None:
    organiser = as_user(ORGANISER)
    bandung, jaktim, kumkm = forum_id(session), forum_id(session, "31.75"), org_id(session, KUMKM)
    # Another forum's, for an organiser; any forum's, for staff and facilitators.
    body = {"organization_id": kumkm}
    assert client.post(f"/api/v1/forums/{jaktim}/invitations", json=body, headers=organiser).status_code == 404
    assert client.get(f"/api/v1/forums/{jaktim}/invitations", headers=organiser).status_code == 404
    for who in ("dinsos.bandung", "pendamping.kebonjayanti"):
        assert client.post(f"/api/v1/forums/{bandung}/invitations", json=body, headers=as_user(who)).status_code == 404
    assert client.get("/api/v1/invitations", headers=as_user("pendamping.kebonjayanti")).status_code == 403
    # An organisation the organiser cannot see (Jakarta Timur's) is not found; none at all is 404 too.
    sudinsos = org_id(session, "Suku Dinas Sosial Kota Administrasi Jakarta Timur")
    far = client.post(f"/api/v1/forums/{bandung}/invitations", json={"organization_id": sudinsos}, headers=organiser)
    assert far.status_code == 404
    assert client.post(f"/api/v1/forums/{bandung}/invitations", json={}, headers=organiser).status_code == 422
    # Dinas Sosial is a member already.
    dinsos = client.post(
        f"/api/v1/forums/{bandung}/invitations", json={"organization_id": org_id(session, DINSOS)}, headers=organiser
    )
    assert dinsos.status_code == 409
    sent = client.post(f"/api/v1/forums/{bandung}/invitations", json=body, headers=organiser).json()
    # Another organisation's staff neither see nor answer it.
    dinsos_staff = as_user("dinsos.bandung")
    assert client.get(f"/api/v1/invitations/{sent['id']}", headers=dinsos_staff).status_code == 404
    answer = client.patch(f"/api/v1/invitations/{sent['id']}", json={"status": "accepted"}, headers=dinsos_staff)
    assert answer.status_code == 404
    assert client.get("/api/v1/invitations", headers=dinsos_staff).json()["total"] == 0
    assert session.exec(select(ForumInvitation)).one().status == "sent"


def test_two_invitations_at_once_leave_one_waiting(
    client: TestClient, session: Session, as_user: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both requests pass the check before either writes: the index of pending invitations decides.
    monkeypatch.setattr("service.invitations.queries.pending", lambda *_: None)
    organiser, forum, kumkm = as_user(ORGANISER), forum_id(session), org_id(session, KUMKM)
    url, body = f"/api/v1/forums/{forum}/invitations", {"organization_id": kumkm}
    assert client.post(url, json=body, headers=organiser).status_code == 201
    second = client.post(url, json=body, headers=organiser)
    assert second.status_code == 409 and "waiting for an answer" in second.json()["detail"]
    assert len(session.exec(select(ForumInvitation)).all()) == 1
