"""A referral left waiting: flagged overdue on both sides' boards, and one notice to each side."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.notifications import Notification
from models.referrals import ReferralStatus
from models.types import utcnow
from service.referrals import notify_overdue
from service.referrals.notices import check_overdue_periodically
from tests.conftest import login_form
from tests.factories import PASSWORD, household, referral
from tests.notifications.world import build


def page_sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert answer.status_code == 303


def notices(app: FastAPI, event: str) -> list[Notification]:
    with Session(app.state.engine) as s:
        return list(s.exec(select(Notification).where(Notification.event == event).order_by(col(Notification.id))))


def test_referral_left_sent_for_eight_days_is_overdue_on_both_boards_and_told_once_to_each_side(
    bare_session: Session, bare_client: TestClient, bare_app: FastAPI
) -> None:
    w = build(bare_session)
    eight_days_ago = utcnow() - timedelta(days=8)
    late = referral(bare_session, w.family, w.prog, status=ReferralStatus.sent, status_changed_at=eight_days_ago)
    fresh_family = household(bare_session, facilitator=w.pendamping)
    fresh = referral(
        bare_session, fresh_family, w.prog, status=ReferralStatus.sent, status_changed_at=utcnow() - timedelta(days=6)
    )
    closed = referral(
        bare_session,
        household(bare_session, facilitator=w.pendamping),
        w.prog,
        status=ReferralStatus.declined,
        status_changed_at=eight_days_ago,
    )
    bare_session.commit()

    for username in (w.own.username, w.staff.username):
        page_sign_in(bare_client, username)
        board = bare_client.get("/rujukan")
        assert board.status_code == 200
        cards = board.text.split('class="rc"')[1:]
        late_card = next(c for c in cards if f'/rujukan/{late.id}"' in c)
        fresh_card = next(c for c in cards if f'/rujukan/{fresh.id}"' in c)
        closed_card = next(c for c in cards if f'/rujukan/{closed.id}"' in c)
        assert "Terlambat" in late_card, username
        assert "Terlambat" not in fresh_card and "Terlambat" not in closed_card, username
        assert "Terlambat" in bare_client.get(f"/rujukan/{late.id}").text

    # the periodic check: one notice to each side, naming the days waited; never twice
    check_overdue_periodically(bare_app.state.engine, bare_app.state.settings)
    with Session(bare_app.state.engine) as s:
        assert notify_overdue(s, days=7) == 0
    told = notices(bare_app, "referral.overdue")
    assert sorted(n.user_id for n in told) == sorted([w.staff.id, w.own.id])
    assert {n.url for n in told} == {f"/rujukan/{late.id}"}
    assert all(n.params["days"] == 8 for n in told)

    staff_api = {
        "Authorization": "Bearer "
        + bare_client.post("/api/v1/auth/token", data={"username": w.staff.username, "password": PASSWORD}).json()[
            "access_token"
        ]
    }
    inbox = bare_client.get("/api/v1/notifications", headers=staff_api).json()["items"]
    assert [i["event"] for i in inbox] == ["referral.overdue"]
    assert "8 hari" in inbox[0]["text"] and w.prog.name in inbox[0]["text"]
    listed = bare_client.get("/api/v1/referrals", headers=staff_api).json()["items"]
    assert {r["id"]: r["overdue"] for r in listed} == {late.id: True, fresh.id: False, closed.id: False}


def test_overdue_notice_comes_again_for_the_next_status_only(bare_session: Session, bare_app: FastAPI) -> None:
    w = build(bare_session)
    late = referral(
        bare_session, w.family, w.prog, status=ReferralStatus.sent, status_changed_at=utcnow() - timedelta(days=9)
    )
    bare_session.commit()
    with Session(bare_app.state.engine) as s:
        assert notify_overdue(s, days=7) == 1
    late.status = ReferralStatus.accepted
    late.status_changed_at = utcnow() - timedelta(days=10)
    bare_session.add(late)
    bare_session.commit()
    with Session(bare_app.state.engine) as s:
        assert notify_overdue(s, days=7) == 1
        assert notify_overdue(s, days=7) == 0
    keys = {n.once_key for n in notices(bare_app, "referral.overdue")}
    assert keys == {f"referral.overdue:{late.id}:sent", f"referral.overdue:{late.id}:accepted"}
