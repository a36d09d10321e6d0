"""Each role sees exactly its scope, on every list and detail endpoint.

The expected sets are computed here in plain Python from the demo data, independently of the
SQL filters in ``service.scoping``; the API must return exactly those rows, and 404 for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Facilitator, FacilitatorVillage, Household
from models.network import Forum
from models.organizations import Organization, Program, ProgramServiceArea
from models.types import code_within
from models.users import User

ROLES = ("admin", "pendamping.kebonjayanti", "pendamping.jaktim", "dinsos.bandung", "forum.bandung")
KEBON_JAYANTI = "32.73.16.1002"


def _overlap(a: str, b: str) -> bool:
    return code_within(a, b) or code_within(b, a)


def expected_ids(session: Session, username: str, entity: str) -> set[int] | None:
    """The ids ``username`` may see of ``entity``; ``None`` when the role may not list it."""
    user = session.exec(select(User).where(User.username == username)).one()
    role = user.role
    programs = session.exec(select(Program)).all()
    areas: dict[int, list[str]] = {}
    for row in session.exec(select(ProgramServiceArea)).all():
        areas.setdefault(row.program_id, []).append(row.region_code)
    orgs = session.exec(select(Organization)).all()
    forum_region = session.get(Forum, user.forum_id).region_code if user.forum_id else None  # type: ignore[union-attr]

    def org_visible_to_organiser(o: Organization) -> bool:
        assert forum_region
        serving = any(
            p.organization_id == o.id
            and p.status != "draft"
            and any(_overlap(c, forum_region) for c in areas.get(p.id or 0, []))
            for p in programs
        )
        return code_within(o.region_code, forum_region) or serving

    if entity == "households":
        rows = session.exec(select(Household)).all()
        if role == "admin":
            return {h.id for h in rows if h.id}
        if role == "facilitator":
            return {h.id for h in rows if h.id and h.facilitator_id == user.facilitator_id}
        return None
    if entity == "organizations":
        if role in ("admin", "facilitator"):
            return {o.id for o in orgs if o.id}
        if role == "agency_staff":
            return {user.organization_id} if user.organization_id else set()
        return {o.id for o in orgs if o.id and org_visible_to_organiser(o)}
    if entity == "programs":
        if role == "admin":
            return {p.id for p in programs if p.id}
        if role == "facilitator":
            return {p.id for p in programs if p.id and p.status != "draft"}
        if role == "agency_staff":
            return {
                p.id for p in programs if p.id and (p.status != "draft" or p.organization_id == user.organization_id)
            }
        assert forum_region
        in_region = {o.id for o in orgs if code_within(o.region_code, forum_region)}
        return {
            p.id
            for p in programs
            if p.id
            and p.status != "draft"
            and (p.organization_id in in_region or any(_overlap(c, forum_region) for c in areas.get(p.id, [])))
        }
    if entity == "facilitators":
        facilitators = session.exec(select(Facilitator)).all()
        if role == "admin":
            return {f.id for f in facilitators if f.id}
        if role == "facilitator":
            return {user.facilitator_id} if user.facilitator_id else set()
        if role == "agency_staff":
            return None
        assert forum_region
        villages: dict[int, list[str]] = {}
        for fv in session.exec(select(FacilitatorVillage)).all():
            villages.setdefault(fv.facilitator_id, []).append(fv.village_code)
        return {
            f.id
            for f in facilitators
            if f.id
            and (
                any(code_within(v, forum_region) for v in villages.get(f.id, []))
                or (f.region_code is not None and code_within(f.region_code, forum_region))
            )
        }
    raise AssertionError(entity)


def listed_ids(client: TestClient, headers: dict[str, str], entity: str) -> tuple[int, set[int]]:
    ids: set[int] = set()
    offset = 0
    while True:
        response = client.get(f"/api/v1/{entity}", params={"limit": 500, "offset": offset}, headers=headers)
        if response.status_code != 200:
            return response.status_code, ids
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        offset += 500
        if offset >= body["total"]:
            assert len(ids) == body["total"]
            return 200, ids


ENTITIES = ("households", "organizations", "programs", "facilitators")
ALL_IDS_MODEL: dict[str, Any] = {
    "households": Household,
    "organizations": Organization,
    "programs": Program,
    "facilitators": Facilitator,
}


@pytest.mark.parametrize("entity", ENTITIES)
def test_each_role_lists_exactly_its_scope(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]], entity: str
) -> None:
    for username in ROLES:
        expected = expected_ids(session, username, entity)
        status, got = listed_ids(client, as_user(username), entity)
        if expected is None:
            assert status == 403, (username, entity)
        else:
            assert status == 200, (username, entity)
            assert got == expected, (username, entity)


@pytest.mark.parametrize("entity", ENTITIES)
def test_each_role_gets_404_outside_its_scope(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]], entity: str
) -> None:
    model = ALL_IDS_MODEL[entity]
    all_ids = sorted(r.id for r in session.exec(select(model)).all())
    for username in ROLES:
        visible = expected_ids(session, username, entity) or set()
        inside = sorted(visible)[:3]
        outside = [i for i in all_ids if i not in visible][:3]
        headers = as_user(username)
        for record_id in inside:
            assert client.get(f"/api/v1/{entity}/{record_id}", headers=headers).status_code == 200, (
                username,
                record_id,
            )
        for record_id in [*outside, max(all_ids) + 1000]:
            response = client.get(f"/api/v1/{entity}/{record_id}", headers=headers)
            assert response.status_code == 404, (username, entity, record_id)
            assert response.json()["detail"].endswith(f"{record_id} not found")


def test_demo_scopes_match_the_field(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]]
) -> None:
    # The Kebon Jayanti facilitator's caseload is the 350 KPM of Kebon Jayanti, and nothing else.
    status, mine = listed_ids(client, as_user("pendamping.kebonjayanti"), "households")
    assert status == 200 and len(mine) == 350
    villages = {h.village_code for h in session.exec(select(Household).where(Household.id.in_(mine))).all()}  # type: ignore[union-attr]
    assert villages == {KEBON_JAYANTI}
    # A facilitator of another city sees none of them, in lists or by id, or by searching their PKH id.
    jaktim = as_user("pendamping.jaktim")
    _, theirs = listed_ids(client, jaktim, "households")
    assert theirs and not (theirs & mine)
    some = session.get(Household, min(mine))
    assert some is not None
    assert client.get(f"/api/v1/households/{some.id}", headers=jaktim).status_code == 404
    found = client.get("/api/v1/households", params={"q": some.pkh_id}, headers=jaktim).json()
    assert found["total"] == 0
    # The forum organiser of Kota Bandung sees Kemensos (its PENA serves Bandung) but no Jakarta-only agency.
    _, orgs = listed_ids(client, as_user("forum.bandung"), "organizations")
    names = {o.name for o in session.exec(select(Organization).where(Organization.id.in_(orgs))).all()}  # type: ignore[union-attr]
    assert any("Kementerian Sosial" in n or "Kemensos" in n for n in names)
    assert not any("Jakarta" in n for n in names)


def test_household_responses_never_carry_the_nik(client: TestClient, as_user: Callable[[str], dict[str, str]]) -> None:
    body = client.get("/api/v1/households", params={"limit": 5}, headers=as_user("pendamping.kebonjayanti")).json()
    for item in body["items"]:
        assert "nik" not in item and "nik_hash" not in item
        assert item["nik_masked"][:12] == "*" * 12


def test_regions_are_reference_data_for_every_role(
    client: TestClient, as_user: Callable[[str], dict[str, str]]
) -> None:
    for username in ROLES:
        response = client.get(f"/api/v1/regions/{KEBON_JAYANTI}", headers=as_user(username))
        assert response.status_code == 200
        assert response.json()["name"] == "Kebon Jayanti"
