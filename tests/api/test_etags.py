"""Optimistic concurrency over HTTP (#15 hardening): every record with a version carries a strong
``ETag`` (``"kind-id.version"``) on GET and PATCH; ``If-Match`` on PATCH answers 412 when the
record moved on (nothing stored), and must agree with a ``version`` sent in the body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Facilitator
from models.organizations import Organization
from tests.api.test_referrals import consent, household_id, program, refer

Headers = Callable[[str], dict[str, str]]
KJ, STAFF, ADMIN = "pendamping.kebonjayanti", "dinsos.bandung", "admin"
DINSOS = "Dinas Sosial Kota Bandung"
DINSOS_PROGRAM = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"


def records(session: Session) -> dict[str, tuple[str, str, dict[str, Any], str]]:
    """kind -> (url, user who may change it, a change, the field that shows it)."""
    org = session.exec(select(Organization).where(Organization.name == DINSOS)).one()
    facilitator = session.exec(select(Facilitator)).first()
    assert facilitator is not None
    return {
        "household": (
            f"/api/v1/households/{household_id(session, 'kebon_jayanti_prse_woman')}",
            KJ,
            {"phone": "0812-5555-0101"},
            "phone",
        ),
        "program": (
            f"/api/v1/programs/{program(session, DINSOS_PROGRAM).id}",
            STAFF,
            {"description": "Baru"},
            "description",
        ),
        "organization": (f"/api/v1/organizations/{org.id}", ADMIN, {"address": "Jl. Baru 1"}, "address"),
        "facilitator": (f"/api/v1/facilitators/{facilitator.id}", ADMIN, {"phone": "0812-5555-0202"}, "phone"),
    }


KINDS = ("household", "program", "organization", "facilitator")


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_carries_its_etag_and_a_fresh_if_match_changes_it(
    client: TestClient, session: Session, as_user: Headers, kind: str
) -> None:
    url, user, change, field = records(session)[kind]
    headers = as_user(user)
    read = client.get(url, headers=headers)
    assert read.status_code == 200, read.text
    body = read.json()
    assert read.headers["ETag"] == f'"{kind}-{body["id"]}.{body["version"]}"'

    # If-Match alone (no version in the body): the change is made and the new ETag comes back.
    changed = client.patch(url, json=change, headers={**headers, "If-Match": read.headers["ETag"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()[field] == change[field] and changed.json()["version"] == body["version"] + 1
    assert changed.headers["ETag"] == f'"{kind}-{body["id"]}.{body["version"] + 1}"'
    assert client.get(url, headers=headers).headers["ETag"] == changed.headers["ETag"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_if_match_answers_412_and_stores_nothing(
    client: TestClient, session: Session, as_user: Headers, kind: str
) -> None:
    url, user, change, field = records(session)[kind]
    headers = as_user(user)
    read = client.get(url, headers=headers)
    old_tag, version = read.headers["ETag"], read.json()["version"]
    # Someone else changes it first (with the body's version, as before).
    first = client.patch(url, json={"version": version, **change}, headers=headers)
    assert first.status_code == 200, first.text
    late = {field: "ditimpa" if field != "phone" else "0812-0000-9999"}
    stale = client.patch(url, json=late, headers={**headers, "If-Match": old_tag})
    assert stale.status_code == 412, stale.text
    detail = stale.json()["detail"]
    assert "changed since the version your If-Match names" in detail and first.headers["ETag"] in detail
    after = client.get(url, headers=headers)
    assert after.json()[field] == change[field] and after.json()["version"] == version + 1
    # Without If-Match, a stale body version stays the 409 it always was.
    assert client.patch(url, json={"version": version, **late}, headers=headers).status_code == 409


def test_if_match_and_the_body_version_must_agree(client: TestClient, session: Session, as_user: Headers) -> None:
    url, user, change, _ = records(session)["program"]
    headers = as_user(user)
    read = client.get(url, headers=headers)
    version = read.json()["version"]
    both = client.patch(
        url, json={"version": version + 1, **change}, headers={**headers, "If-Match": read.headers["ETag"]}
    )
    assert both.status_code == 422
    assert both.json()["detail"][0]["loc"] == ["body", "version"]
    assert "disagree" in both.json()["detail"][0]["msg"]
    # A weak tag, another record's tag or no version at all: refused, nothing stored.
    weak = client.patch(url, json=change, headers={**headers, "If-Match": "W/" + read.headers["ETag"]})
    assert weak.status_code == 412
    other = client.patch(url, json=change, headers={**headers, "If-Match": '"household-1.1"'})
    assert other.status_code == 412
    none = client.patch(url, json=change, headers=headers)
    assert none.status_code == 422 and none.json()["detail"][0]["loc"] == ["body", "version"]
    agreed = client.patch(
        url, json={"version": version, **change}, headers={**headers, "If-Match": read.headers["ETag"]}
    )
    assert agreed.status_code == 200, agreed.text
    assert client.get(url, headers=headers).json()["version"] == version + 1


def test_a_referral_moves_only_from_the_version_if_match_names(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, DINSOS_PROGRAM)
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    rid = refer(client, as_user(KJ), hid, dinsos.id).json()["id"]
    agency = as_user(STAFF)
    read = client.get(f"/api/v1/referrals/{rid}", headers=agency)
    assert read.headers["ETag"] == f'"referral-{rid}.{read.json()["version"]}"'
    accepted = client.patch(
        f"/api/v1/referrals/{rid}", json={"status": "accepted"}, headers={**agency, "If-Match": read.headers["ETag"]}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["ETag"] == f'"referral-{rid}.{read.json()["version"] + 1}"'
    # A move from the page read before the acceptance: 412, still accepted.
    stale = client.patch(
        f"/api/v1/referrals/{rid}",
        json={"status": "declined", "reason": "other"},
        headers={**agency, "If-Match": read.headers["ETag"]},
    )
    assert stale.status_code == 412, stale.text
    assert client.get(f"/api/v1/referrals/{rid}", headers=agency).json()["status"] == "accepted"
