"""Forum notices on the demo: a meeting scheduled reaches the members' inboxes; a commitment due
within a week or overdue reaches the party and the organiser, once each; members read the meeting
page and follow up their own commitment."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.notifications import Notification
from models.users import User
from service import forums
from service.jobs import periodic_jobs
from tests.forums.test_forums_api import API, SEWING, add_csr, sewing_meeting, world

Headers = Callable[[str], dict[str, str]]


def events_of(session: Session, username: str) -> list[tuple[str, str]]:
    user = session.exec(select(User).where(User.username == username)).one()
    rows = session.exec(select(Notification).where(Notification.user_id == user.id)).all()
    return sorted((n.event, n.url) for n in rows if n.event.startswith("forum."))


def test_a_meeting_scheduled_tells_the_members(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    soon = (date.today() + timedelta(days=7)).isoformat()
    r = client.post(
        f"{API}/forums/{w['forum']}/meetings", json={"held_on": soon, "place": "Aula"}, headers=as_user("forum.bandung")
    )
    assert r.status_code == 201, r.text
    url = f"/forum/rapat/{r.json()['id']}"
    assert events_of(session, "dinsos.bandung") == [("forum.meeting_scheduled", url)]
    assert events_of(session, "pendamping.kebonjayanti") == [("forum.meeting_scheduled", url)]
    assert events_of(session, "pendamping.jaktim") == []  # not a member
    inbox = client.get(f"{API}/notifications", headers=as_user("dinsos.bandung")).json()["items"]
    text = next(n["text"] for n in inbox if n["event"] == "forum.meeting_scheduled")
    assert "Forum Sinergi Kreatif Kota Bandung" in text and soon in text
    # A meeting recorded afterwards was not "scheduled": nobody is told.
    past = (date.today() - timedelta(days=3)).isoformat()
    client.post(f"{API}/forums/{w['forum']}/meetings", json={"held_on": past}, headers=as_user("forum.bandung"))
    assert len(events_of(session, "dinsos.bandung")) == 1


def test_commitments_due_and_overdue_are_told_once(client: TestClient, as_user: Headers, session: Session) -> None:
    w = world(session)
    add_csr(client, as_user, w)
    today = date.today()
    body = sewing_meeting(w, held_on=(today - timedelta(days=20)).isoformat())
    body["commitments"] = [
        {**body["commitments"][0], "due_on": (today + timedelta(days=3)).isoformat()},
        {"party_kind": "organization", "party_id": w["dinsos"], "text": "Data PRSE Kebon Jayanti",
         "due_on": (today - timedelta(days=1)).isoformat()},
    ]  # fmt: skip
    assert client.post(f"{API}/forums/{w['forum']}/meetings", json=body, headers=as_user("admin")).status_code == 201
    assert forums.notify_commitments_due(session, today) == 2
    assert forums.notify_commitments_due(session, today) == 2  # looked at again, told no one again
    session.expire_all()
    assert [e for e, _ in events_of(session, "forum.bandung")] == ["forum.commitment_due", "forum.commitment_overdue"]
    assert [e for e, _ in events_of(session, "dinsos.bandung")] == ["forum.commitment_overdue"]
    inbox = client.get(f"{API}/notifications", headers=as_user("forum.bandung")).json()["items"]
    assert any(SEWING[:40] in n["text"] for n in inbox)
    assert "forums.commitments_due" in {job.name for job in periodic_jobs()}


def test_members_read_the_meeting_page_and_follow_up_their_own(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    from tests.web.test_forum_meeting_pages import csrf, sign_in, text_of

    w = world(session)
    body = {
        "held_on": date.today().isoformat(),
        "commitments": [
            {"party_kind": "organization", "party_id": w["dinsos"], "text": "Dinas Sosial menyiapkan data PRSE"},
            {"party_kind": "facilitator", "party_id": w["facilitator"], "text": "Pendamping mendata penjahit"},
        ],
    }
    meeting = client.post(f"{API}/forums/{w['forum']}/meetings", json=body, headers=as_user("admin")).json()
    theirs, other = meeting["commitments"][0]["id"], meeting["commitments"][1]["id"]
    sign_in(client, "dinsos.bandung")
    page = client.get(f"/forum/rapat/{meeting['id']}")
    assert page.status_code == 200 and "Dinas Sosial menyiapkan data PRSE" in text_of(page.text)
    assert f'action="/forum/komitmen/{theirs}"' in page.text and f'action="/forum/komitmen/{other}"' not in page.text
    assert not re.search(r'action="/forum/rapat/\d+/komitmen"', page.text)  # they add no commitment
    r = client.post(
        f"/forum/komitmen/{theirs}", data={"csrf": csrf(page.text), "status": "done"}, follow_redirects=False
    )
    assert r.status_code == 303
    r = client.post(f"/forum/komitmen/{other}", data={"csrf": csrf(page.text), "status": "done"})
    assert r.status_code == 403
    jaktim = client.post(
        f"{API}/forums/{w['jaktim_forum']}/meetings", json={"held_on": "2026-12-01"}, headers=as_user("admin")
    ).json()
    assert client.get(f"/forum/rapat/{jaktim['id']}").status_code == 404
