"""Agencies publish their own offerings: drafts, publishing, revisions, and nobody else's records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.organizations import Organization, Program
from seeds.demo import DEMO_CASES

Headers = Callable[[str], dict[str, str]]
DINSOS = "Dinas Sosial Kota Bandung"
FORUM_CSR = "Forum CSR Kota Bandung"
RULE = {"all": [{"field": "household.prse", "op": "eq", "value": True}]}


def org(session: Session, name: str) -> Organization:
    return session.exec(select(Organization).where(Organization.name == name)).one()


def new_program(org_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "organization_id": org_id,
        "name": "Pelatihan Olahan Pangan KPM",
        "kind": "training",
        "capacity": 25,
        "capacity_remaining": 25,
        "service_area": ["32.73.16"],
        "sectors": ["culinary"],
        "eligibility": RULE,
    }
    body.update(overrides)
    return body


def visible_to_facilitator(client: TestClient, as_user: Headers, program_id: int) -> bool:
    return client.get(f"/api/v1/programs/{program_id}", headers=as_user("pendamping.kebonjayanti")).status_code == 200


def test_dinas_sosial_creates_publishes_and_edits_its_programme(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff = as_user("dinsos.bandung")
    dinsos = org(session, DINSOS)
    created = client.post("/api/v1/programs", json=new_program(dinsos.id or 0), headers=staff)
    assert created.status_code == 201, created.text
    program = created.json()
    pid = program["id"]
    assert program["status"] == "draft" and program["version"] == 1
    assert not visible_to_facilitator(client, as_user, pid), "a draft is not on the facilitators' map"

    published = client.patch(f"/api/v1/programs/{pid}", json={"version": 1, "status": "active"}, headers=staff)
    assert published.status_code == 200 and published.json()["status"] == "active"
    assert visible_to_facilitator(client, as_user, pid)
    prse = session.exec(select(Household).where(Household.pkh_id == DEMO_CASES["kebon_jayanti_prse_woman"])).one()
    matches = client.get(f"/api/v1/households/{prse.id}/matches", headers=as_user("pendamping.kebonjayanti"))
    assert any(m["program_id"] == pid and m["status"] == "eligible" for m in matches.json()["matches"])

    tighter = {"all": [*RULE["all"], {"field": "business.exists", "op": "eq", "value": True}]}
    edited = client.patch(
        f"/api/v1/programs/{pid}", json={"version": 2, "eligibility": tighter, "capacity_remaining": 20}, headers=staff
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "draft", "a changed programme waits for its owner to publish it again"
    assert not visible_to_facilitator(client, as_user, pid)
    stale = client.patch(f"/api/v1/programs/{pid}", json={"version": 2, "status": "active"}, headers=staff)
    assert stale.status_code == 409
    again = client.patch(
        f"/api/v1/programs/{pid}", json={"version": 3, "status": "active", "capacity": 30}, headers=staff
    )
    assert again.status_code == 200 and again.json()["status"] == "active" and again.json()["version"] == 4

    history = client.get(f"/api/v1/programs/{pid}/revisions", headers=as_user("forum.bandung"))
    assert history.status_code == 200, history.text
    revisions = history.json()
    assert [(r["version"], r["action"]) for r in revisions] == [
        (1, "create"),
        (2, "publish"),
        (3, "update"),
        (4, "update"),
    ]
    assert revisions[1]["changes"] == {"status": ["draft", "active"]}
    assert revisions[2]["changes"]["eligibility"] == [RULE, tighter]
    assert revisions[2]["changes"]["capacity_remaining"] == [25, 20]
    assert revisions[2]["changes"]["status"] == ["active", "draft"]
    assert {r["actor_user_id"] for r in revisions} == {revisions[0]["actor_user_id"]} != {None}


def test_nobody_touches_another_organisations_records(client: TestClient, session: Session, as_user: Headers) -> None:
    staff = as_user("dinsos.bandung")
    csr = org(session, FORUM_CSR)
    theirs = session.exec(select(Program).where(Program.organization_id == csr.id)).first()
    assert theirs is not None
    before = (theirs.name, theirs.version, theirs.eligibility)
    patched = client.patch(
        f"/api/v1/programs/{theirs.id}", json={"version": theirs.version, "name": "Diambil alih"}, headers=staff
    )
    assert patched.status_code == 404 and patched.json()["detail"] == f"Program {theirs.id} not found"
    assert client.delete(f"/api/v1/programs/{theirs.id}", headers=staff).status_code == 404
    profile = client.patch(
        f"/api/v1/organizations/{csr.id}", json={"version": csr.version, "phone": "0"}, headers=staff
    )
    assert profile.status_code == 404
    location = {"name": "Pos", "region_code": "32.73", "latitude": -6.9, "longitude": 107.6}
    assert client.post(f"/api/v1/organizations/{csr.id}/locations", json=location, headers=staff).status_code == 404
    session.expire_all()
    again = session.get(Program, theirs.id)
    assert again is not None and (again.name, again.version, again.eligibility) == before


def test_staff_keep_their_own_profile_and_locations(client: TestClient, session: Session, as_user: Headers) -> None:
    staff = as_user("dinsos.bandung")
    dinsos = org(session, DINSOS)
    changed = client.patch(
        f"/api/v1/organizations/{dinsos.id}", json={"version": dinsos.version, "phone": "022-0000-0000"}, headers=staff
    )
    assert changed.status_code == 200 and changed.json()["phone"] == "022-0000-0000"
    location = {"name": "Pos Layanan Kiaracondong", "region_code": "32.73.16", "latitude": -6.92, "longitude": 107.64}
    added = client.post(f"/api/v1/organizations/{dinsos.id}/locations", json=location, headers=staff)
    assert added.status_code == 201, added.text
    with_point = client.post(
        "/api/v1/programs", json=new_program(dinsos.id or 0, location_ids=[added.json()["id"]]), headers=staff
    )
    assert with_point.status_code == 201 and with_point.json()["location_ids"] == [added.json()["id"]]


def test_a_bad_rule_is_refused_at_its_path(client: TestClient, session: Session, as_user: Headers) -> None:
    dinsos = org(session, DINSOS)
    bad = {"all": [RULE["all"][0], {"field": "business.age_months", "op": "contains", "value": 6}]}
    response = client.post(
        "/api/v1/programs", json=new_program(dinsos.id or 0, eligibility=bad), headers=as_user("dinsos.bandung")
    )
    assert response.status_code == 422
    assert "eligibility.all[1].op" in response.json()["detail"][0]["msg"]


def test_organisers_and_admins_verify_organisations(client: TestClient, session: Session, as_user: Headers) -> None:
    dinsos = org(session, DINSOS)
    assert (
        client.put(
            f"/api/v1/organizations/{dinsos.id}/verification",
            json={"verified": True},
            headers=as_user("dinsos.bandung"),
        ).status_code
        == 403
    )
    verified = client.put(
        f"/api/v1/organizations/{dinsos.id}/verification", json={"verified": True}, headers=as_user("forum.bandung")
    )
    assert verified.status_code == 200 and verified.json()["verified_at"]
    seen = client.get(f"/api/v1/organizations/{dinsos.id}", headers=as_user("pendamping.kebonjayanti")).json()
    assert seen["verified_at"] == verified.json()["verified_at"]
    # Facilitators see the mark on every match of that organisation's programmes, at once.
    prse = session.exec(select(Household).where(Household.pkh_id == DEMO_CASES["kebon_jayanti_prse_woman"])).one()
    matches = client.get(f"/api/v1/households/{prse.id}/matches", headers=as_user("pendamping.kebonjayanti")).json()
    marks = {m["organization_name"]: m["organization_verified"] for m in matches["matches"]}
    assert marks[DINSOS] is True and marks[FORUM_CSR] is False
    undone = client.put(
        f"/api/v1/organizations/{dinsos.id}/verification", json={"verified": False}, headers=as_user("admin")
    )
    assert undone.status_code == 200 and undone.json()["verified_at"] is None


def test_staff_cannot_move_their_organisation_or_change_its_kind(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    """An agency's reach follows its organisation's region (#6): staff moving it would widen their own."""
    staff = as_user("dinsos.bandung")
    dinsos = org(session, DINSOS)
    before = (dinsos.region_code, dinsos.kind, dinsos.version)
    for field, value in (("region_code", "31"), ("kind", "ministry_programme")):
        refused = client.patch(
            f"/api/v1/organizations/{dinsos.id}", json={"version": dinsos.version, field: value}, headers=staff
        )
        assert refused.status_code == 403, refused.text
        assert field in refused.json()["detail"] and "administrator" in refused.json()["detail"]
    session.expire_all()
    again = session.get(Organization, dinsos.id)
    assert again is not None and (again.region_code, again.kind, again.version) == before
    same = client.patch(
        f"/api/v1/organizations/{dinsos.id}",
        json={"version": dinsos.version, "region_code": dinsos.region_code, "kind": dinsos.kind},
        headers=staff,
    )
    assert same.status_code == 200, "sending the values unchanged (a whole form) is no change"
    moved = client.patch(
        f"/api/v1/organizations/{dinsos.id}",
        json={"version": same.json()["version"], "region_code": "32.73.16"},
        headers=as_user("admin"),
    )
    assert moved.status_code == 200 and moved.json()["region_code"] == "32.73.16"


def test_a_renamed_organisation_is_verified_again(client: TestClient, session: Session, as_user: Headers) -> None:
    staff = as_user("dinsos.bandung")
    dinsos = org(session, DINSOS)
    verified = client.put(
        f"/api/v1/organizations/{dinsos.id}/verification", json={"verified": True}, headers=as_user("forum.bandung")
    )
    assert verified.status_code == 200 and verified.json()["verified_at"]
    phone = client.patch(
        f"/api/v1/organizations/{dinsos.id}",
        json={"version": verified.json()["version"], "phone": "022-1111-2222"},
        headers=staff,
    )
    assert phone.status_code == 200 and phone.json()["verified_at"], "a new phone number keeps the mark"
    renamed = client.patch(
        f"/api/v1/organizations/{dinsos.id}",
        json={"version": phone.json()["version"], "name": "Dinas Sosial Kota Bandung Raya"},
        headers=staff,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["verified_at"] is None, "a renamed organisation waits to be verified again"
    assert client.get(f"/api/v1/organizations/{dinsos.id}", headers=staff).json()["verified_at"] is None
    again = client.put(
        f"/api/v1/organizations/{dinsos.id}/verification", json={"verified": True}, headers=as_user("forum.bandung")
    )
    assert again.status_code == 200 and again.json()["verified_at"]
