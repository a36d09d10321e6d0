"""Registering and editing households and businesses: NIK protection, versions, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Business, Household, KpmGroup
from models.referrals import Referral
from models.users import User

Headers = Callable[[str], dict[str, str]]
KEBON_JAYANTI = "32.73.16.1002"


def new_household(**overrides: Any) -> dict[str, Any]:
    body = {
        "pkh_id": "PKH-TEST-0001",
        "nik": "3273160012990001",
        "head_name": "Ibu Uji Coba",
        "head_birth_date": "1990-04-01",
        "head_sex": "F",
        "village_code": KEBON_JAYANTI,
        "pkh_status": "active",
        "pkh_joined_year": 2019,
        "prse": True,
        "agreed_to_graduate": True,
    }
    body.update(overrides)
    return body


def kj_facilitator_id(session: Session) -> int:
    user = session.exec(select(User).where(User.username == "pendamping.kebonjayanti")).one()
    assert user.facilitator_id is not None
    return user.facilitator_id


def my_household(session: Session) -> Household:
    return session.exec(
        select(Household).where(Household.facilitator_id == kj_facilitator_id(session)).order_by(Household.id)
    ).first()  # type: ignore[return-value]


def test_admin_registers_a_household_and_the_nik_is_never_stored_or_returned(
    client: TestClient, session: Session, as_user: Headers, db_url: str
) -> None:
    body = new_household(facilitator_id=kj_facilitator_id(session))
    response = client.post("/api/v1/households", json=body, headers=as_user("admin"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["nik_masked"] == "************0001"
    assert "3273160012990001" not in response.text
    assert created["version"] == 1
    # Not in any column of the database either.
    row = session.get(Household, created["id"])
    assert row is not None
    assert "3273160012990001" not in " ".join(str(v) for v in row.model_dump().values())
    # The facilitator finds the family by its NIK (matched through the keyed hash).
    found = client.post(
        "/api/v1/households/lookup", json={"nik": "3273160012990001"}, headers=as_user("pendamping.kebonjayanti")
    )
    assert [h["id"] for h in found.json()["items"]] == [created["id"]]


def test_registering_the_same_nik_twice_is_a_conflict(client: TestClient, as_user: Headers) -> None:
    assert client.post("/api/v1/households", json=new_household(), headers=as_user("admin")).status_code == 201
    again = client.post("/api/v1/households", json=new_household(pkh_id="PKH-TEST-0002"), headers=as_user("admin"))
    assert again.status_code == 409
    assert "NIK" in again.json()["detail"]


def test_household_bad_input_names_the_field_and_never_echoes_the_nik(client: TestClient, as_user: Headers) -> None:
    cases = [
        (new_household(village_code="32.73.16.9999"), ["body", "village_code"], "32.73.16.9999 does not exist"),
        (new_household(village_code="32.73.16"), ["body", "village_code"], "a village is needed"),
        (new_household(head_birth_date="tomorrow"), ["body", "head_birth_date"], None),
        (new_household(nik="12345"), ["body", "nik"], None),
        (new_household(dtsen_decile=11), ["body", "dtsen_decile"], None),
        (new_household(group_id=999999), ["body", "group_id"], "does not exist"),
    ]
    for body, loc, words in cases:
        response = client.post("/api/v1/households", json=body, headers=as_user("admin"))
        assert response.status_code == 422, body
        errors = response.json()["detail"]
        assert loc in [e["loc"] for e in errors], errors
        if words:
            assert any(words in e["msg"] for e in errors), errors
        assert body["nik"] not in response.text
    malformed = client.post(
        "/api/v1/households", content=b"{not json", headers={**as_user("admin"), "Content-Type": "application/json"}
    )
    assert malformed.status_code == 422


def test_only_admins_register_households(client: TestClient, as_user: Headers) -> None:
    for username in ("pendamping.kebonjayanti", "dinsos.bandung", "forum.bandung"):
        response = client.post("/api/v1/households", json=new_household(), headers=as_user(username))
        assert response.status_code == 403, username


def test_facilitator_updates_own_household_with_its_version(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    household = my_household(session)
    headers = as_user("pendamping.kebonjayanti")
    first = client.patch(
        f"/api/v1/households/{household.id}",
        json={"version": household.version, "agreed_to_graduate": True, "dtsen_decile": 2},
        headers=headers,
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == household.version + 1
    assert first.json()["dtsen_decile"] == 2
    # A second editor still holding the old version is told to reload, and nothing is overwritten.
    stale = client.patch(
        f"/api/v1/households/{household.id}", json={"version": household.version, "dtsen_decile": 9}, headers=headers
    )
    assert stale.status_code == 409
    assert "reload" in stale.json()["detail"]
    assert client.get(f"/api/v1/households/{household.id}", headers=headers).json()["dtsen_decile"] == 2


def test_update_without_version_is_rejected(client: TestClient, session: Session, as_user: Headers) -> None:
    household = my_household(session)
    response = client.patch(f"/api/v1/households/{household.id}", json={"dtsen_decile": 2}, headers=as_user("admin"))
    assert response.status_code == 422
    assert ["body", "version"] in [e["loc"] for e in response.json()["detail"]]


def test_facilitator_cannot_edit_or_move_households_outside_their_care(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    household = my_household(session)
    version_before = household.version
    jaktim = as_user("pendamping.jaktim")
    response = client.patch(
        f"/api/v1/households/{household.id}", json={"version": household.version, "prse": True}, headers=jaktim
    )
    assert response.status_code == 404
    moved = client.patch(
        f"/api/v1/households/{household.id}",
        json={"version": household.version, "facilitator_id": household.facilitator_id + 1},  # type: ignore[operator]
        headers=as_user("pendamping.kebonjayanti"),
    )
    assert moved.status_code == 403
    session.refresh(household)
    assert household.version == version_before


def test_business_lifecycle_for_own_household(client: TestClient, session: Session, as_user: Headers) -> None:
    household = my_household(session)
    headers = as_user("pendamping.kebonjayanti")
    created = client.post(
        f"/api/v1/households/{household.id}/businesses",
        json={
            "sector": "culinary",
            "started_on": "2025-01-15",
            "monthly_revenue": 1_500_000,
            "sales_channels": ["whatsapp"],
            "needs": ["capital", "certification"],
            "has_pirt": False,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    business = created.json()
    assert business["needs"] == ["capital", "certification"]
    detail = client.get(f"/api/v1/households/{household.id}", headers=headers).json()
    assert business["id"] in [b["id"] for b in detail["businesses"]]
    changed = client.patch(
        f"/api/v1/households/{household.id}/businesses/{business['id']}",
        json={"version": 1, "has_pirt": True, "needs": ["capital"]},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["has_pirt"] is True and changed.json()["needs"] == ["capital"]
    bad = client.post(f"/api/v1/households/{household.id}/businesses", json={"sector": "mining"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "sector"]
    other = client.post(
        f"/api/v1/households/{household.id}/businesses", json={"sector": "craft"}, headers=as_user("pendamping.jaktim")
    )
    assert other.status_code == 404
    gone = client.delete(f"/api/v1/households/{household.id}/businesses/{business['id']}", headers=headers)
    assert gone.status_code == 204
    assert session.get(Business, business["id"]) is None


def test_deleting_a_household_with_referrals_is_refused_and_keeps_everything(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    referral = session.exec(select(Referral)).first()
    assert referral is not None, "the demo has past referrals"
    before = session.scalar(
        sa.select(sa.func.count()).select_from(Business).where(Business.household_id == referral.household_id)
    )
    response = client.delete(f"/api/v1/households/{referral.household_id}", headers=as_user("admin"))
    assert response.status_code == 409
    assert "exited" in response.json()["detail"]
    session.expire_all()
    assert session.get(Household, referral.household_id) is not None
    after = session.scalar(
        sa.select(sa.func.count()).select_from(Business).where(Business.household_id == referral.household_id)
    )
    assert before == after


def test_admin_deletes_a_household_without_referrals(client: TestClient, session: Session, as_user: Headers) -> None:
    created = client.post("/api/v1/households", json=new_household(), headers=as_user("admin")).json()
    assert (
        client.delete(f"/api/v1/households/{created['id']}", headers=as_user("pendamping.kebonjayanti")).status_code
        == 404
    )
    assert client.delete(f"/api/v1/households/{created['id']}", headers=as_user("admin")).status_code == 204
    assert client.get(f"/api/v1/households/{created['id']}", headers=as_user("admin")).status_code == 404


def test_household_filters(client: TestClient, session: Session, as_user: Headers) -> None:
    headers = as_user("pendamping.kebonjayanti")
    with_business = client.get("/api/v1/households", params={"has_business": True, "limit": 1}, headers=headers).json()
    without = client.get("/api/v1/households", params={"has_business": False, "limit": 1}, headers=headers).json()
    assert with_business["total"] + without["total"] == 350
    expected = session.scalar(
        sa.select(sa.func.count(sa.distinct(Business.household_id)))
        .join(Household, Household.id == Business.household_id)
        .where(Household.village_code == KEBON_JAYANTI)
    )
    assert with_business["total"] == expected
    group = session.exec(select(KpmGroup).where(KpmGroup.village_code == KEBON_JAYANTI)).first()
    assert group is not None
    in_group = client.get("/api/v1/households", params={"group_id": group.id, "limit": 100}, headers=headers).json()
    assert 20 <= in_group["total"] <= 35
    assert {h["group_id"] for h in in_group["items"]} == {group.id}
    bad = client.get("/api/v1/households", params={"region": "Bandung"}, headers=headers)
    assert bad.status_code == 422


def test_a_facilitator_cannot_put_a_family_into_another_caseloads_group(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]]
) -> None:
    """A KPM group of another facilitator, named in the body, answers as an unknown group would."""
    family = session.exec(select(Household).where(Household.facilitator_id == kj_facilitator_id(session))).first()
    theirs = session.exec(select(KpmGroup).where(KpmGroup.facilitator_id != kj_facilitator_id(session))).first()
    assert family is not None and theirs is not None
    before = (family.group_id, family.village_code)
    body = {"version": family.version, "village_code": theirs.village_code, "group_id": theirs.id}
    response = client.patch(f"/api/v1/households/{family.id}", json=body, headers=as_user("pendamping.kebonjayanti"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"] == f"KPM group {theirs.id} does not exist"
    session.refresh(family)
    assert (family.group_id, family.village_code) == before
    # An administrator may still move the family into that group.
    assert client.patch(f"/api/v1/households/{family.id}", json=body, headers=as_user("admin")).status_code == 200
