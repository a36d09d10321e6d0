"""The referral plan on the demo: capacity, one per family and need, eligibility, roles, bad input."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.organizations import CapacityUnit, Program
from models.referrals import Referral
from models.regions import Region
from service.matching import household_facts, published_catalog
from service.network import plan as network_plan
from tests.conftest import settings_for

Headers = Callable[[str], dict[str, str]]
PLAN = "/api/v1/network/referral-plan"
KEBON_JAYANTI = "32.73.16.1002"


def test_plan_respects_capacity_needs_and_eligibility(client: TestClient, as_user: Headers, session: Session) -> None:
    r = client.post(PLAN, json={"region": "32.73"}, headers=as_user("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body["rows"]
    assert rows and not body["aggregated"] and body["planned"] == len(rows)
    assert math.isclose(body["total_score"], sum(x["score"] for x in rows), abs_tol=1e-3)
    # Never above a programme's remaining places.
    used = Counter(x["program_id"] for x in rows)
    for pid, n in used.items():
        program = session.get(Program, pid)
        assert program is not None
        assert program.capacity_remaining is None or n <= program.capacity_remaining, (program.name, n)
    assert {p["program_id"]: p["planned"] for p in body["by_program"] if p["planned"]} == dict(used)
    # At most one referral per family per need.
    units = Counter((x["household_id"], x["need"]) for x in rows)
    assert max(units.values()) == 1
    # Every planned family is eligible for its programme, by the one-family evaluator.
    today = settings_for("sqlite://").today()
    compiled = published_catalog(session).compiled
    position = {p.program_id: i for i, p in enumerate(compiled.programs)}
    households = session.exec(select(Household).where(Household.id.in_({x["household_id"] for x in rows}))).all()  # type: ignore[union-attr]
    facts = {f.household_id: f for f in household_facts(session, households, today=today)}
    for x in rows:
        assert compiled.evaluate(facts[x["household_id"]], today=today).code[position[x["program_id"]]] == 2, x
    # Families with a referral under way for a need are left alone for that need.
    open_ = session.exec(
        select(Referral.household_id, Program.kind)
        .join(Program, Program.id == Referral.program_id)  # type: ignore[arg-type]
        .where(Referral.status.in_(["sent", "accepted", "enrolled"]))  # type: ignore[attr-defined]
    ).all()
    busy = {(h, network_plan.PRIMARY_NEED[str(k)]) for h, k in open_}
    assert busy and not busy & set(units)


def test_plan_can_be_limited_to_programmes(client: TestClient, as_user: Headers, session: Session) -> None:
    pena = session.exec(select(Program.id).where(Program.name == "PENA Berdikari")).one()
    r = client.post(PLAN, json={"region": "32.73", "program_ids": [pena]}, headers=as_user("admin"))
    assert r.status_code == 200, r.text
    assert {x["program_id"] for x in r.json()["rows"]} == {pena}
    assert [p["program_id"] for p in r.json()["by_program"]] == [pena]


def test_roles_see_their_part(client: TestClient, as_user: Headers, session: Session) -> None:
    mine = client.post(PLAN, json={"region": "32.73"}, headers=as_user("pendamping.kebonjayanti"))
    assert mine.status_code == 200, mine.text
    ids = {x["household_id"] for x in mine.json()["rows"]}
    owners = set(session.exec(select(Household.facilitator_id).where(Household.id.in_(ids))).all())  # type: ignore[union-attr]
    assert len(owners) == 1
    forum = client.post(PLAN, json={"region": "32.73"}, headers=as_user("forum.bandung"))
    assert forum.status_code == 200, forum.text
    body = forum.json()
    assert body["aggregated"] and body["rows"]
    assert all("household_id" not in x and "head_name" not in x for x in body["rows"])
    assert all(x["households"] is None or x["households"] >= 5 for x in body["rows"])
    names = session.exec(select(Household.head_name).where(Household.village_code == KEBON_JAYANTI)).all()
    assert not any(n in forum.text for n in names[:50])
    # The same plan underneath: the programme totals agree with the admin's.
    admin = client.post(PLAN, json={"region": "32.73"}, headers=as_user("admin")).json()
    assert {p["program_id"]: p["planned"] for p in body["by_program"]} == {
        p["program_id"]: p["planned"] for p in admin["by_program"]
    }


def test_bad_input(client: TestClient, as_user: Headers, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.post(PLAN, json={"region": "32.73"}).status_code == 401
    assert client.post(PLAN, json={"region": "32.99"}, headers=as_user("admin")).status_code == 422
    assert client.post(PLAN, json={"region": "31.75"}, headers=as_user("forum.bandung")).status_code == 404
    assert client.post(PLAN, json={}, headers=as_user("admin")).status_code == 422
    r = client.post(PLAN, json={"region": "32.73", "program_ids": [999_999]}, headers=as_user("admin"))
    assert r.status_code == 422 and "999999" in r.text
    monkeypatch.setattr(network_plan, "MAX_PLAN_FAMILIES", 100)
    r = client.post(PLAN, json={"region": "32.73"}, headers=as_user("admin"))
    assert r.status_code == 422 and "at most 100" in r.text
    far = session.exec(select(Region.code).where(Region.code.like("9%.%.%.%")).order_by(Region.code)).first()  # type: ignore[attr-defined]
    empty = client.post(PLAN, json={"region": far}, headers=as_user("admin"))
    assert empty.status_code == 200, empty.text
    assert empty.json()["rows"] == [] and empty.json()["planned"] == 0 and empty.json()["families"] == 0


def test_a_budget_in_rupiah_buys_places_at_the_largest_benefit(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    program = session.exec(select(Program).where(Program.name == "PENA Berdikari")).one()
    program.capacity_unit = CapacityUnit.rupiah
    program.benefit_min, program.benefit_max = 500_000, 1_000_000
    program.capacity, program.capacity_remaining = 10_000_000, 3_500_000  # three families' worth
    session.add(program)
    session.commit()
    body = client.post(PLAN, json={"region": "32.73"}, headers=as_user("admin")).json()
    row = next(p for p in body["by_program"] if p["program_id"] == program.id)
    assert row["capacity_remaining"] == 3 and row["planned"] == 3
