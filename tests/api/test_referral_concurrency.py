"""Referrals under concurrency and retries (#15.3): one open referral per family and programme
whatever the timing (a partial unique index behind the check), and ``Idempotency-Key`` as the
IETF httpapi draft has it: the same key and body answer as the first request did, another body
422, a retry while the first is still running 409 with ``Retry-After``.

Real concurrency: 20 threads post through the TestClient at once (its sync endpoints run in a
thread pool), against this test's own copy of the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from models.idempotency import IdempotencyKey
from models.referrals import Referral, ReferralStatus
from models.types import utcnow
from models.users import User
from service.core import idempotency
from service.core.idempotency import fingerprint
from service.referrals.rules import OPEN
from tests.api.test_referrals import consent, household_id, program

Headers = Callable[[str], dict[str, str]]
KJ = "pendamping.kebonjayanti"
DINSOS_PROGRAM = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"
N = 20


def at_once(n: int, call: Callable[[], Any]) -> list[Any]:
    """``call`` from ``n`` threads released together."""
    start = threading.Barrier(n)

    def one() -> Any:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: one(), range(n)))


def ready(client: TestClient, session: Session, as_user: Headers) -> tuple[int, int, dict[str, Any]]:
    """A family in care with its consent to the Dinsos programme: (household, programme, body)."""
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, DINSOS_PROGRAM)
    assert dinsos.id is not None
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    return hid, dinsos.id, {"household_id": hid, "program_id": dinsos.id, "note": "Usaha warung nasi"}


def referrals_of(session: Session, hid: int, pid: int) -> int:
    session.expire_all()
    return session.exec(
        select(func.count()).select_from(Referral).where(Referral.household_id == hid, Referral.program_id == pid)
    ).one()


def test_twenty_concurrent_referrals_without_a_key_create_one(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid, pid, body = ready(client, session, as_user)
    headers = as_user(KJ)
    responses = at_once(N, lambda: client.post("/api/v1/referrals", json=body, headers=headers))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (N - 1), [(r.status_code, r.text[:200]) for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert "already has an open referral" in r.json()["detail"]
    assert referrals_of(session, hid, pid) == 1


def test_twenty_concurrent_retries_with_one_key_get_the_same_referral(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid, pid, body = ready(client, session, as_user)
    headers = {**as_user(KJ), "Idempotency-Key": "0d6f5c1e-retry"}

    def post() -> Any:
        return client.post("/api/v1/referrals", json=body, headers=headers)

    responses = at_once(N, post)
    created = [r for r in responses if r.status_code == 201]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(created) + len(in_flight) == N, [(r.status_code, r.text[:200]) for r in responses]
    assert created, "at least the first request answers 201"
    assert len({r.json()["id"] for r in created}) == 1
    referral_id = created[0].json()["id"]
    for r in in_flight:
        wait = r.headers.get("Retry-After")
        assert wait is not None and wait.isdigit(), r.headers
        assert "still being processed" in r.json()["detail"]
    # Those told to wait retry as Retry-After says: now the first has finished, they get its answer.
    if in_flight:
        time.sleep(max(int(r.headers["Retry-After"]) for r in in_flight))
        for _ in in_flight:
            again = post()
            assert again.status_code == 201, again.text
            assert again.json()["id"] == referral_id
    # A retry long after answers the same too: the same status, the same referral.
    late = post()
    assert late.status_code == 201 and late.json()["id"] == referral_id
    assert late.json()["status"] == created[0].json()["status"]
    assert referrals_of(session, hid, pid) == 1

    # The same key with another body is refused, whoever else is sending.
    other = {**body, "note": "Catatan lain"}
    reused = at_once(5, lambda: client.post("/api/v1/referrals", json=other, headers=headers))
    assert [r.status_code for r in reused] == [422] * 5, [r.text[:200] for r in reused]
    assert reused[0].json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert referrals_of(session, hid, pid) == 1


def test_the_open_referral_index_covers_exactly_the_open_statuses(session: Session) -> None:
    """The database's partial index (built by the migrations; the demo loaded under it) names the
    statuses the referral loop calls open, and no other."""
    if session.get_bind().dialect.name == "sqlite":
        sql = "SELECT sql FROM sqlite_master WHERE name = 'uq_referral_open_household_program'"
    else:
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_referral_open_household_program'"
    definition = session.execute(sa.text(sql)).scalar_one()
    assert "UNIQUE" in definition.upper()
    named = {s.value for s in ReferralStatus if f"'{s.value}'" in definition}
    assert named == {s.value for s in OPEN}


def test_a_key_still_in_flight_answers_409_with_retry_after_and_a_dead_claim_is_taken_over(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid, pid, body = ready(client, session, as_user)
    headers = as_user(KJ)
    user = session.exec(select(User).where(User.username == KJ)).one()
    assert user.id is not None
    content = {k: body[k] for k in ("household_id", "program_id", "note")}
    # A request holding the key right now (claimed a moment ago, not finished).
    session.add(
        IdempotencyKey(
            user_id=user.id,
            operation="referral.create",
            key="busy",
            fingerprint=fingerprint(content),
            claimed_at=utcnow(),
        )
    )
    # A request that claimed its key long ago and died before finishing.
    dead_since = utcnow() - idempotency.STALE_AFTER - timedelta(seconds=1)
    session.add(
        IdempotencyKey(
            user_id=user.id,
            operation="referral.create",
            key="dead",
            fingerprint=fingerprint(content),
            claimed_at=dead_since,
        )
    )
    session.commit()

    busy = client.post("/api/v1/referrals", json=body, headers={**headers, "Idempotency-Key": "busy"})
    assert busy.status_code == 409 and busy.headers["Retry-After"] == str(idempotency.RETRY_AFTER_SECONDS)
    assert "still being processed" in busy.json()["detail"]
    assert referrals_of(session, hid, pid) == 0

    taken = client.post("/api/v1/referrals", json=body, headers={**headers, "Idempotency-Key": "dead"})
    assert taken.status_code == 201, taken.text
    again = client.post("/api/v1/referrals", json=body, headers={**headers, "Idempotency-Key": "dead"})
    assert again.status_code == 201 and again.json()["id"] == taken.json()["id"]
    assert referrals_of(session, hid, pid) == 1


def test_a_failed_request_gives_its_key_back(client: TestClient, session: Session, as_user: Headers) -> None:
    """Refused for want of consent, the same key and body succeed once the consent is recorded."""
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, DINSOS_PROGRAM)
    headers = {**as_user(KJ), "Idempotency-Key": "after-consent"}
    body = {"household_id": hid, "program_id": dinsos.id, "note": None}
    refused = client.post("/api/v1/referrals", json=body, headers=headers)
    assert refused.status_code == 422 and refused.json()["detail"][0]["type"] == "consent_required"
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    made = client.post("/api/v1/referrals", json=body, headers=headers)
    assert made.status_code == 201, made.text
