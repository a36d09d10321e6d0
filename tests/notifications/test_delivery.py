"""Notifications reach people: the inbox at once, email through a real SMTP server by the
background sender, with retries when the server refuses or hangs, and a daily digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.notifications import DeliveryStatus, EmailMode, Notification, NotificationDelivery
from service.notifications import notify
from service.notifications.delivery import retry_wait, send_digests, send_due
from service.settings import Settings
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.notifications.conftest import MailServer
from tests.notifications.world import FAMILY_ADDRESS, FAMILY_NIK, build


def mail_settings(app: FastAPI, port: int, **extra: Any) -> Settings:
    settings: Settings = app.state.settings
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False, "smtp_timeout": 2.0, **extra}
    )


def deliveries(app: FastAPI) -> list[NotificationDelivery]:
    with Session(app.state.engine) as s:
        return list(s.exec(select(NotificationDelivery).order_by(col(NotificationDelivery.id))))


def refer(client: TestClient, w: Any) -> dict[str, Any]:
    fac = sign_in(client, w.own.username, PASSWORD)
    created = client.post("/api/v1/referrals", json={"household_id": w.family.id, "program_id": w.prog.id}, headers=fac)
    assert created.status_code == 201, created.text
    return dict(created.json())


def no_personal_data(text: str) -> None:
    digits = "".join(ch for ch in text if ch.isdigit())
    assert FAMILY_NIK not in digits and FAMILY_NIK[:8] not in text
    assert FAMILY_ADDRESS not in text and "Rahasia" not in text
    assert "-6.9123" not in text and "107.6456" not in text


def test_new_referral_reaches_the_agency_inbox_and_its_email(
    bare_session: Session, bare_client: TestClient, bare_app: FastAPI, smtp_server: MailServer
) -> None:
    w = build(bare_session)
    made = refer(bare_client, w)

    staff = sign_in(bare_client, w.staff.username, PASSWORD)
    inbox = bare_client.get("/api/v1/notifications", headers=staff).json()
    assert inbox["total"] == 1 and inbox["limit"] == 50 and inbox["offset"] == 0
    item = inbox["items"][0]
    assert item["event"] == "referral.created" and item["read_at"] is None
    assert item["url"] == f"/rujukan/{made['id']}"
    assert "Pelatihan Menjahit Uji" in item["text"] and f"#{made['id']}" in item["text"]
    # the facilitator who referred is not told of their own referral
    own = sign_in(bare_client, w.own.username, PASSWORD)
    assert bare_client.get("/api/v1/notifications", headers=own).json()["total"] == 0

    settings = mail_settings(bare_app, smtp_server.port)
    with Session(bare_app.state.engine) as s:
        outcome = send_due(s, settings)
    assert (outcome.sent, outcome.failed) == (1, 0)
    [mail] = smtp_server.received
    assert mail["X-Envelope-To"] == "dinsos@example.org"
    assert "Pelatihan Menjahit Uji" in mail["Subject"]
    body = smtp_server.bodies()[0]
    assert f"http://127.0.0.1:8000/rujukan/{made['id']}" in body
    [d] = deliveries(bare_app)
    assert d.status is DeliveryStatus.sent and d.attempts == 1 and d.sent_at is not None

    for text in (item["text"], mail["Subject"], body):
        no_personal_data(text)
    # sent once: the next round finds nothing due
    with Session(bare_app.state.engine) as s:
        assert send_due(s, settings).deliveries == 0
    assert len(smtp_server.received) == 1


def test_refusing_mail_server_marks_the_delivery_failed_and_it_is_retried_later(
    bare_session: Session,
    bare_client: TestClient,
    bare_app: FastAPI,
    refusing_smtp_server: MailServer,
    smtp_server: MailServer,
) -> None:
    w = build(bare_session)
    refer(bare_client, w)  # the request succeeds whatever the mail server will do
    settings = mail_settings(bare_app, refusing_smtp_server.port, notify_max_attempts=3)
    now = datetime.now(UTC)
    with Session(bare_app.state.engine) as s:
        outcome = send_due(s, settings, now=now)
    assert (outcome.sent, outcome.failed) == (0, 1) and refusing_smtp_server.refused == 1
    [d] = deliveries(bare_app)
    assert d.status is DeliveryStatus.failed and d.attempts == 1
    assert d.last_error is not None and "554" in d.last_error and "refused" in d.last_error
    assert d.next_attempt_at >= now + retry_wait(settings, 1) - timedelta(seconds=1)

    # not before its time; then again (still refused: the wait doubles)
    with Session(bare_app.state.engine) as s:
        assert send_due(s, settings, now=now + timedelta(seconds=1)).deliveries == 0
        send_due(s, settings, now=now + timedelta(minutes=2))
    [d] = deliveries(bare_app)
    assert d.attempts == 2 and refusing_smtp_server.refused == 2
    assert d.next_attempt_at >= now + timedelta(minutes=2) + retry_wait(settings, 2) - timedelta(seconds=1)

    # the server is back: the third try goes through
    working = mail_settings(bare_app, smtp_server.port, notify_max_attempts=3)
    with Session(bare_app.state.engine) as s:
        assert send_due(s, working, now=now + timedelta(hours=1)).sent == 1
    [d] = deliveries(bare_app)
    assert d.status is DeliveryStatus.sent and d.attempts == 3 and len(smtp_server.received) == 1


def test_hanging_mail_server_times_out_and_gives_up_after_the_last_attempt(
    bare_session: Session, bare_client: TestClient, bare_app: FastAPI, silent_port: int
) -> None:
    w = build(bare_session)
    refer(bare_client, w)
    settings = mail_settings(bare_app, silent_port, smtp_timeout=0.3, notify_max_attempts=2)
    now = datetime.now(UTC)
    with Session(bare_app.state.engine) as s:
        send_due(s, settings, now=now)
        send_due(s, settings, now=now + timedelta(hours=1))
        assert send_due(s, settings, now=now + timedelta(days=1)).deliveries == 0  # no third try
    [d] = deliveries(bare_app)
    assert d.status is DeliveryStatus.failed and d.attempts == 2
    assert d.last_error is not None and "in time" in d.last_error


def test_a_rolled_back_write_tells_no_one(bare_session: Session, bare_app: FastAPI) -> None:
    w = build(bare_session)
    notify(
        bare_session,
        event="test.event",
        to_organization=w.org.id,
        text_key="notice.referral.created",
        params={"program": "X", "referral": 1},
        url="/rujukan/1",
    )
    bare_session.rollback()
    with Session(bare_app.state.engine) as s:
        assert s.exec(select(Notification)).all() == []
        assert s.exec(select(NotificationDelivery)).all() == []


def test_params_never_carry_a_nik_even_when_a_caller_slips_one_in(bare_session: Session, bare_app: FastAPI) -> None:
    w = build(bare_session)
    notify(
        bare_session,
        event="test.event",
        to_organization=w.org.id,
        text_key="notice.referral.created",
        params={"program": f"Program {FAMILY_NIK}", "referral": 1},
        url="/rujukan/1",
    )
    bare_session.commit()
    [n] = bare_session.exec(select(Notification)).all()
    assert FAMILY_NIK not in str(n.params) and "****" in str(n.params["program"])


def test_daily_digest_sends_one_email_with_the_days_items(
    bare_session: Session, bare_client: TestClient, bare_app: FastAPI, smtp_server: MailServer
) -> None:
    w = build(bare_session, mode=EmailMode.daily)
    first = refer(bare_client, w)
    fac = sign_in(bare_client, w.own.username, PASSWORD)
    staff = sign_in(bare_client, w.staff.username, PASSWORD)
    # the agency accepts and the facilitator withdraws: the facilitator's account has no email;
    # the withdrawal is the agency's second notice
    assert bare_client.patch(f"/api/v1/referrals/{first['id']}", json={"status": "accepted"}, headers=staff).is_success
    assert bare_client.patch(f"/api/v1/referrals/{first['id']}", json={"status": "withdrawn"}, headers=fac).is_success

    settings = mail_settings(bare_app, smtp_server.port, notify_digest_hour=7, timezone="Asia/Jakarta")
    with Session(bare_app.state.engine) as s:
        assert send_due(s, settings).deliveries == 0  # digest items do not go one by one
        early = datetime(2026, 12, 9, 6, 30, tzinfo=UTC) - timedelta(hours=7)  # 06:30 WIB
        assert send_digests(s, settings, now=early).deliveries == 0
        morning = datetime(2026, 12, 9, 7, 5, tzinfo=UTC) - timedelta(hours=7)  # 07:05 WIB
        outcome = send_digests(s, settings, now=morning)
        assert (outcome.sent, outcome.deliveries) == (1, 2)
        assert send_digests(s, settings, now=morning + timedelta(hours=3)).deliveries == 0  # once a day
    [mail] = smtp_server.received
    assert mail["X-Envelope-To"] == "dinsos@example.org" and "2" in mail["Subject"]
    body = smtp_server.bodies()[0]
    assert body.count("/rujukan/") == 2 and "Pelatihan Menjahit Uji" in body
    no_personal_data(body)
    assert {d.status for d in deliveries(bare_app)} == {DeliveryStatus.sent}
