"""The inbox of every role: the caller's own notifications, unread first, read and unread, someone
else's 404, the count in every page's header, and the email settings (API and page)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.notifications import Notification
from models.types import utcnow
from models.users import Role, User
from service.notifications import notify
from tests.conftest import login_form, sign_in
from tests.factories import PASSWORD, forum, user
from tests.notifications.world import build

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def page_sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert answer.status_code == 303


def tell(session: Session, users: list[User], n: int, **kw: Any) -> None:
    for i in range(n):
        notify(
            session,
            event="test.event",
            to_users=[u.id for u in users if u.id is not None],
            text_key="notice.referral.created",
            params={"program": f"Program {i}", "referral": i + 1},
            url=f"/rujukan/{i + 1}",
            **kw,
        )
    session.commit()


def test_each_role_reads_its_own_inbox_unread_first_and_marks_read(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    organiser = user(bare_session, Role.forum_organizer, forum=forum(bare_session))
    admin = user(bare_session, Role.admin)
    bare_session.commit()
    tell(bare_session, [w.staff, w.own, organiser, admin], 3)

    for who in (w.staff, w.own, organiser, admin):
        headers = sign_in(bare_client, who.username, PASSWORD)
        page = bare_client.get("/api/v1/notifications", headers=headers, params={"limit": 2}).json()
        assert page["total"] == 3 and page["limit"] == 2 and len(page["items"]) == 2
        assert set(page["items"][0]) == {"id", "event", "created_at", "read_at", "text", "url"}
        assert bare_client.get("/api/v1/notifications/unread", headers=headers).json() == {"unread": 3}

    headers = sign_in(bare_client, w.staff.username, PASSWORD)
    items = bare_client.get("/api/v1/notifications", headers=headers).json()["items"]
    oldest = items[-1]
    read = bare_client.post(f"/api/v1/notifications/{oldest['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = bare_client.post(f"/api/v1/notifications/{oldest['id']}/read", headers=headers).json()
    assert again["read_at"] == read.json()["read_at"]  # the first reading counts
    tell(bare_session, [w.staff], 1)  # a newer one arrives
    items = bare_client.get("/api/v1/notifications", headers=headers).json()["items"]
    assert [i["read_at"] is None for i in items] == [True, True, True, False]  # unread first
    assert items[-1]["id"] == oldest["id"]
    assert bare_client.get("/api/v1/notifications", headers=headers, params={"unread": True}).json()["total"] == 3
    english = bare_client.get("/api/v1/notifications", headers=headers, params={"lang": "en"}).json()["items"][0]
    assert english["text"].startswith("New referral #1 to Program 0")

    assert bare_client.post("/api/v1/notifications/read", headers=headers).json() == {"marked": 3}
    assert bare_client.get("/api/v1/notifications/unread", headers=headers).json() == {"unread": 0}
    # the others' inboxes are untouched
    assert bare_client.get(
        "/api/v1/notifications/unread", headers=sign_in(bare_client, w.own.username, PASSWORD)
    ).json() == {"unread": 3}


def test_someone_elses_notification_is_not_found(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    tell(bare_session, [w.own], 1)
    theirs = bare_session.exec(select(Notification)).one()
    staff = sign_in(bare_client, w.staff.username, PASSWORD)
    assert bare_client.post(f"/api/v1/notifications/{theirs.id}/read", headers=staff).status_code == 404
    assert bare_client.post("/api/v1/notifications/999999/read", headers=staff).status_code == 404
    page_sign_in(bare_client, w.staff.username)
    csrf = CSRF.search(bare_client.get("/pemberitahuan").text)
    assert csrf
    opened = bare_client.post(f"/pemberitahuan/{theirs.id}/buka", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert opened.status_code == 404
    bare_session.refresh(theirs)
    assert theirs.read_at is None


def test_the_header_counts_unread_notices_on_every_page_and_opening_one_marks_it_read(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    tell(bare_session, [w.staff], 2)
    assert 'class="ncount"' not in bare_client.get("/about").text  # anonymous: no count, the page works
    assert bare_client.get("/login").status_code == 200

    page_sign_in(bare_client, w.staff.username)
    for path in ("/", "/about", "/rujukan", "/pemberitahuan", "/pemberitahuan/pengaturan"):
        html = bare_client.get(path).text
        assert re.search(r'<span class="ncount"[^>]*>2</span>', html), path

    inbox = bare_client.get("/pemberitahuan").text
    assert "Rujukan baru #2 ke Program 1" in inbox and "2 belum dibaca" in inbox
    ids = re.findall(r'action="/pemberitahuan/(\d+)/buka"', inbox)
    assert len(ids) == 2
    csrf = CSRF.search(inbox)
    assert csrf
    refused = bare_client.post(f"/pemberitahuan/{ids[0]}/buka", data={"csrf": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    opened = bare_client.post(f"/pemberitahuan/{ids[0]}/buka", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/rujukan/2"
    assert re.search(r'<span class="ncount"[^>]*>1</span>', bare_client.get("/about").text)

    done = bare_client.post("/pemberitahuan/baca-semua", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert done.status_code == 303
    assert 'class="ncount"' not in bare_client.get("/about").text


def test_email_settings_by_api_and_page(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session, staff_email=None)
    headers = sign_in(bare_client, w.own.username, PASSWORD)
    assert bare_client.get("/api/v1/notifications/settings", headers=headers).json() == {
        "email": None,
        "email_enabled": False,
        "email_mode": "immediate",
        "language": None,
    }
    missing = bare_client.put("/api/v1/notifications/settings", json={"email_enabled": True}, headers=headers)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "email"]
    wrong = bare_client.put(
        "/api/v1/notifications/settings", json={"email": "not-an-address", "email_enabled": True}, headers=headers
    )
    assert wrong.status_code == 422 and "email" in wrong.json()["detail"][0]["loc"]
    saved = bare_client.put(
        "/api/v1/notifications/settings",
        json={"email": "pendamping@example.org", "email_enabled": True, "email_mode": "daily", "language": "en"},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json()["email_mode"] == "daily"

    page_sign_in(bare_client, w.staff.username)
    form = bare_client.get("/pemberitahuan/pengaturan").text
    csrf = CSRF.search(form)
    assert csrf and "Ringkasan harian" in form
    bad = bare_client.post(
        "/pemberitahuan/pengaturan",
        data={"csrf": csrf.group(1), "email": "dinsos@", "email_enabled": "ya", "email_mode": "daily"},
    )
    assert bad.status_code == 422 and "Alamat email tidak valid" in bad.text and 'value="dinsos@"' in bad.text
    empty = bare_client.post(
        "/pemberitahuan/pengaturan", data={"csrf": csrf.group(1), "email": "", "email_enabled": "ya"}
    )
    assert empty.status_code == 422 and "Isi alamat email" in empty.text
    ok = bare_client.post(
        "/pemberitahuan/pengaturan",
        data={"csrf": csrf.group(1), "email": "dinsos@example.org", "email_enabled": "ya", "email_mode": "daily"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    shown = bare_client.get(ok.headers["location"]).text
    assert "Pengaturan tersimpan" in shown and 'value="dinsos@example.org"' in shown
    assert re.search(r'value="daily" checked', shown)


def test_status_changes_tell_the_other_side(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    fac = sign_in(bare_client, w.own.username, PASSWORD)
    staff = sign_in(bare_client, w.staff.username, PASSWORD)
    made = bare_client.post(
        "/api/v1/referrals", json={"household_id": w.family.id, "program_id": w.prog.id}, headers=fac
    ).json()
    assert bare_client.patch(f"/api/v1/referrals/{made['id']}", json={"status": "accepted"}, headers=staff).is_success
    mine = bare_client.get("/api/v1/notifications", headers=fac).json()["items"]
    assert [(i["event"], i["url"]) for i in mine] == [("referral.status_changed", f"/rujukan/{made['id']}")]
    assert "diterima" in mine[0]["text"]
    assert bare_client.patch(f"/api/v1/referrals/{made['id']}", json={"status": "withdrawn"}, headers=fac).is_success
    theirs = [i["event"] for i in bare_client.get("/api/v1/notifications", headers=staff).json()["items"]]
    assert sorted(theirs) == ["referral.created", "referral.status_changed"]
    assert len(bare_client.get("/api/v1/notifications", headers=fac).json()["items"]) == 1  # not told of its own move


def test_once_key_tells_a_user_once_and_inactive_accounts_never(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    gone = user(bare_session, Role.agency_staff, organization=w.org)
    gone.is_active = False
    bare_session.add(gone)
    bare_session.commit()
    for _ in range(2):
        notify(
            bare_session,
            event="test.once",
            to_organization=w.org.id,
            text_key="notice.referral.created",
            params={"program": "P", "referral": 1},
            url="/rujukan/1",
            once_key="test:1",
        )
        bare_session.commit()
    rows = bare_session.exec(select(Notification)).all()
    assert [n.user_id for n in rows] == [w.staff.id]
    assert rows[0].created_at > utcnow() - timedelta(minutes=1)
