"""Capacity and the programme record (#15.2): places taken on enrolment and given back on a drop
move the programme's version, so a form read before an enrolment cannot write the old capacity
back; and no change may leave fewer places than families enrolled now hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Program
from models.referrals import Referral, ReferralStatus
from tests.api.test_referrals import consent, household_id, move, program, refer

Headers = Callable[[str], dict[str, str]]
KJ, STAFF = "pendamping.kebonjayanti", "dinsos.bandung"
DINSOS_PROGRAM = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"
FAMILIES = ("kebon_jayanti_prse_woman", "kebon_jayanti_non_prse_woman")


def one_place_two_referrals(client: TestClient, session: Session, as_user: Headers) -> tuple[int, list[int]]:
    """The Dinsos programme with capacity 1 (one place left, open to every family of its area) and
    two families referred to it, accepted."""
    dinsos = program(session, DINSOS_PROGRAM)
    assert dinsos.id is not None
    dinsos.capacity, dinsos.capacity_remaining, dinsos.eligibility = 1, 1, None
    session.add(dinsos)
    session.commit()
    referral_ids = []
    for case in FAMILIES:
        hid = household_id(session, case)
        consent(client, as_user(KJ), hid, dinsos.organization_id)
        sent = refer(client, as_user(KJ), hid, dinsos.id)
        assert sent.status_code == 201, sent.text
        rid = sent.json()["id"]
        assert move(client, as_user(STAFF), rid, status="accepted").status_code == 200
        referral_ids.append(rid)
    return dinsos.id, referral_ids


def enrolled(session: Session, program_id: int) -> int:
    session.expire_all()
    rows = session.exec(
        select(Referral).where(Referral.program_id == program_id, Referral.status == ReferralStatus.enrolled)
    )
    return len(list(rows))


def test_a_programme_read_before_an_enrolment_cannot_write_the_old_capacity_back(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid, (first, second) = one_place_two_referrals(client, session, as_user)
    staff = as_user(STAFF)
    read = client.get(f"/api/v1/programs/{pid}", headers=staff).json()  # the agency's form, read now
    assert read["capacity_remaining"] == 1

    assert move(client, staff, first, status="enrolled").status_code == 200
    after = client.get(f"/api/v1/programs/{pid}", headers=staff).json()
    assert after["capacity_remaining"] == 0

    # The form read before the enrolment is saved with its old numbers: refused, nothing written.
    stale: dict[str, Any] = {"version": read["version"], "description": "Jadwal baru", "capacity_remaining": 1}
    saved = client.patch(f"/api/v1/programs/{pid}", json=stale, headers=staff)
    assert saved.status_code == 409, saved.text
    assert "changed by someone else" in saved.json()["detail"]
    session.expire_all()
    stored = session.get(Program, pid)
    assert stored is not None and stored.capacity_remaining == 0 and stored.description != "Jadwal baru"

    # So the second family cannot take a place that does not exist.
    full = move(client, staff, second, status="enrolled")
    assert full.status_code == 409 and "no capacity left" in full.json()["detail"]
    assert enrolled(session, pid) == 1
    assert after["version"] > read["version"], "taking a place changed the programme"


def test_a_drop_gives_the_place_back_and_changes_the_programme(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid, (first, _) = one_place_two_referrals(client, session, as_user)
    staff = as_user(STAFF)
    assert move(client, staff, first, status="enrolled").status_code == 200
    read = client.get(f"/api/v1/programs/{pid}", headers=staff).json()
    assert move(client, staff, first, status="dropped").status_code == 200
    after = client.get(f"/api/v1/programs/{pid}", headers=staff).json()
    assert after["capacity_remaining"] == 1 and after["version"] > read["version"]
    stale = client.patch(
        f"/api/v1/programs/{pid}", json={"version": read["version"], "capacity_remaining": 0}, headers=staff
    )
    assert stale.status_code == 409


def test_a_change_may_not_leave_fewer_places_than_families_enrolled(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid, (first, second) = one_place_two_referrals(client, session, as_user)
    staff = as_user(STAFF)
    assert move(client, staff, first, status="enrolled").status_code == 200
    version = client.get(f"/api/v1/programs/{pid}", headers=staff).json()["version"]

    # One place, one family enrolled: no place may be left over...
    reopened = client.patch(
        f"/api/v1/programs/{pid}", json={"version": version, "capacity_remaining": 1}, headers=staff
    )
    assert reopened.status_code == 422, reopened.text
    detail = reopened.json()["detail"][0]
    assert detail["loc"] == ["body", "capacity_remaining"]
    assert detail["msg"] == "at most 0 can remain: families enrolled now hold 1 of the capacity of 1"
    # ...and the capacity may not drop below the families enrolled.
    shrunk = client.patch(
        f"/api/v1/programs/{pid}", json={"version": version, "capacity": 0, "capacity_remaining": 0}, headers=staff
    )
    assert shrunk.status_code == 422, shrunk.text
    detail = shrunk.json()["detail"][0]
    assert detail["loc"] == ["body", "capacity"]
    assert detail["msg"] == "the capacity cannot be less than 1: the places held by families enrolled now"
    session.expire_all()
    stored = session.get(Program, pid)
    assert stored is not None and (stored.capacity, stored.capacity_remaining, stored.version) == (1, 0, version)
    assert move(client, staff, second, status="enrolled").status_code == 409
    assert enrolled(session, pid) == 1

    # More places for everyone: capacity 3 with 2 left is fine, and the second family gets one.
    grown = client.patch(
        f"/api/v1/programs/{pid}", json={"version": version, "capacity": 3, "capacity_remaining": 2}, headers=staff
    )
    assert grown.status_code == 200, grown.text
    assert move(client, staff, second, status="enrolled").status_code == 200
    assert enrolled(session, pid) == 2
