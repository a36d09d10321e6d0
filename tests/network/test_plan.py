"""The referral plan on a world built from factories: never above capacity, rows only for the
family's own side."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.users import Role
from tests.conftest import sign_in
from tests.factories import (
    KEBON_JAYANTI,
    PASSWORD,
    business,
    facilitator,
    forum,
    household,
    organization,
    program,
    user,
)


def test_plan_fills_two_places_of_six_eligible_families(bare_session: Session, bare_client: TestClient) -> None:
    session = bare_session
    pendamping = facilitator(session)
    families = [household(session, facilitator=pendamping) for _ in range(6)]
    for f in families:
        business(session, f, sector="culinary", needs=["training"])
    org = organization(session)
    prog = program(session, org, kind="training", capacity=2, capacity_remaining=2, service_area=[KEBON_JAYANTI])
    own = user(session, Role.facilitator, facilitator=pendamping)
    organiser = user(session, Role.forum_organizer, forum=forum(session))
    session.commit()

    plan = bare_client.post(
        "/api/v1/network/referral-plan",
        json={"region": KEBON_JAYANTI},
        headers=sign_in(bare_client, own.username, PASSWORD),
    ).json()
    assert plan["candidates"] == 6 and plan["planned"] == 2
    assert {r["household_id"] for r in plan["rows"]} <= {f.id for f in families}
    assert plan["by_program"] == [
        {
            "program_id": prog.id,
            "name": prog.name,
            "organization": org.name,
            "need": "training",
            "capacity_remaining": 2,
            "planned": 2,
        }
    ]

    counts = bare_client.post(
        "/api/v1/network/referral-plan",
        json={"region": KEBON_JAYANTI},
        headers=sign_in(bare_client, organiser.username, PASSWORD),
    ).json()
    assert counts["aggregated"] is True
    assert counts["rows"] == [
        {
            "program_id": prog.id,
            "program": prog.name,
            "village_code": KEBON_JAYANTI,
            "village_name": counts["rows"][0]["village_name"],
            "households": None,  # 2 families: withheld from an organiser
        }
    ]
