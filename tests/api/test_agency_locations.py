"""Agencies keep their own service points (#13, item 6): add, edit (contact, opening hours),
close and reopen through the API; another organisation's answer 404; the HSDS output carries
the hours and phones and leaves closed service points out, and stays valid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Location, Organization
from models.users import AuditEvent
from service import hsds
from tests.hsds.conftest import ORGANIZATION_FULL, assert_valid
from tests.hsds.test_package import test_export_is_a_valid_hsds_tabular_data_package as assert_valid_package

Headers = Callable[[str], dict[str, str]]
DINSOS = "Dinas Sosial Kota Bandung"
SUDINSOS = "Suku Dinas Sosial Kota Administrasi Jakarta Timur"
WEEKDAYS = [{"day": d, "opens": "08:00", "closes": "15:30"} for d in ("mo", "tu", "we", "th")]
HOURS = [*WEEKDAYS, {"day": "fr", "opens": "08:00", "closes": "11:30"}]


def org_id(session: Session, name: str) -> int:
    found = session.exec(select(Organization.id).where(Organization.name == name)).one()
    assert found is not None
    return found


def new_location(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Pos Layanan Kebon Jayanti",
        "region_code": "32.73.16.1002",
        "address": "Jl. Kebon Jayanti No. 12",
        "latitude": -6.9201,
        "longitude": 107.6433,
        "phone": "022-7201234",
        "email": "pos.kj@dinsos.example.id",
        "opening_hours": HOURS,
    }
    return body | overrides


def test_staff_add_edit_close_and_reopen_their_service_point(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff = as_user("dinsos.bandung")
    dinsos = org_id(session, DINSOS)
    base = f"/api/v1/organizations/{dinsos}/locations"
    added = client.post(base, json=new_location(), headers=staff)
    assert added.status_code == 201, added.text
    loc = added.json()
    assert loc["is_open"] and loc["closed_on"] is None and loc["phone"] == "022-7201234"
    assert [h["day"] for h in loc["opening_hours"]] == ["mo", "tu", "we", "th", "fr"]

    edited = client.patch(
        f"{base}/{loc['id']}",
        json={"version": loc["version"], "phone": "022-7209999", "opening_hours": WEEKDAYS},
        headers=staff,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["phone"] == "022-7209999" and len(edited.json()["opening_hours"]) == 4
    assert edited.headers["ETag"]
    stale = client.patch(f"{base}/{loc['id']}", json={"version": loc["version"], "name": "Lama"}, headers=staff)
    assert stale.status_code == 409

    closed = client.post(f"{base}/{loc['id']}/close", headers=staff)
    assert closed.status_code == 200, closed.text
    assert not closed.json()["is_open"] and closed.json()["closed_on"]
    assert client.post(f"{base}/{loc['id']}/close", headers=staff).status_code == 409
    reopened = client.patch(
        f"{base}/{loc['id']}", json={"version": closed.json()["version"], "closed_on": None}, headers=staff
    )
    assert reopened.status_code == 200 and reopened.json()["is_open"]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "location")).all()
    assert sorted(actions) == ["close", "create", "update", "update"]


def test_opening_hours_and_closing_days_are_checked(client: TestClient, session: Session, as_user: Headers) -> None:
    staff = as_user("dinsos.bandung")
    base = f"/api/v1/organizations/{org_id(session, DINSOS)}/locations"
    for hours, words in (
        ([{"day": "mo", "opens": "15:00", "closes": "08:00"}], "closing time must come after"),
        ([{"day": "mo", "opens": "8 pg", "closes": "15:00"}], "pattern"),
        ([{"day": "mo", "opens": "8 pagi", "closes": "15:00"}], "at most 5 characters"),
        (
            [{"day": "mo", "opens": "08:00", "closes": "12:00"}, {"day": "mo", "opens": "13:00", "closes": "15:00"}],
            "mo",
        ),
        ([{"day": "xx", "opens": "08:00", "closes": "12:00"}], "day"),
    ):
        refused = client.post(base, json=new_location(opening_hours=hours), headers=staff)
        assert refused.status_code == 422, hours
        assert words in refused.text
    loc = client.post(base, json=new_location(opening_hours=None), headers=staff).json()
    future = client.post(f"{base}/{loc['id']}/close", json={"closed_on": "2999-01-01"}, headers=staff)
    assert future.status_code == 422 and "closed_on" in future.text
    bad_mail = client.patch(
        f"{base}/{loc['id']}", json={"version": loc["version"], "email": "bukan-surel"}, headers=staff
    )
    assert bad_mail.status_code == 422


def test_another_organisations_service_points_are_not_found(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff = as_user("dinsos.bandung")
    dinsos, sudinsos = org_id(session, DINSOS), org_id(session, SUDINSOS)
    theirs = session.exec(select(Location).where(Location.organization_id == sudinsos)).first()
    ours = session.exec(select(Location).where(Location.organization_id == dinsos)).first()
    assert theirs is not None and ours is not None
    body = {"version": theirs.version, "name": "Diambil alih"}
    assert (
        client.patch(f"/api/v1/organizations/{sudinsos}/locations/{theirs.id}", json=body, headers=staff).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/organizations/{sudinsos}/locations/{theirs.id}/close", headers=staff).status_code == 404
    )
    # Their location under our organisation's path: still not found.
    mixed = client.patch(f"/api/v1/organizations/{dinsos}/locations/{theirs.id}", json=body, headers=staff)
    assert mixed.status_code == 404
    assert (
        client.post(f"/api/v1/organizations/{sudinsos}/locations", json=new_location(), headers=staff).status_code
        == 404
    )
    # Their profile too; the organiser and the facilitator change none.
    profile = client.patch(f"/api/v1/organizations/{sudinsos}", json={"version": 1, "description": "x"}, headers=staff)
    assert profile.status_code == 404
    for who in ("forum.bandung", "pendamping.kebonjayanti"):
        close = client.post(f"/api/v1/organizations/{dinsos}/locations/{ours.id}/close", headers=as_user(who))
        assert close.status_code == 403
    session.refresh(theirs)
    assert theirs.name != "Diambil alih" and theirs.closed_on is None


def test_hsds_carries_opening_hours_and_phones_and_leaves_closed_points_out(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff = as_user("dinsos.bandung")
    dinsos = org_id(session, DINSOS)
    base = f"/api/v1/organizations/{dinsos}/locations"
    kept = client.post(base, json=new_location(), headers=staff).json()
    gone = client.post(base, json=new_location(name="Pos Lama", opening_hours=None), headers=staff).json()
    assert client.post(f"{base}/{gone['id']}/close", headers=staff).status_code == 200

    record = client.get(f"/hsds/organizations/{hsds.organization_uuid(dinsos)}").json()
    assert_valid(record, ORGANIZATION_FULL)
    by_name = {loc["name"]: loc for loc in record["locations"]}
    assert "Pos Lama" not in by_name
    published = by_name[kept["name"]]
    assert published["phones"][0]["number"] == "022-7201234"
    schedules = {s["byday"]: s for s in published["schedules"]}
    assert schedules["MO,TU,WE,TH"]["opens_at"] == "08:00:00" and schedules["MO,TU,WE,TH"]["closes_at"] == "15:30:00"
    assert schedules["FR"]["freq"] == "WEEKLY" and "Jumat" in schedules["FR"]["description"]
    assert_valid_package(session)


def test_a_closed_service_point_is_off_the_stakeholder_map(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff, admin = as_user("dinsos.bandung"), as_user("admin")
    base = f"/api/v1/organizations/{org_id(session, DINSOS)}/locations"
    kept = client.post(base, json=new_location(), headers=staff).json()
    gone = client.post(base, json=new_location(name="Pos Lama"), headers=staff).json()

    def mapped() -> set[int]:
        body = client.get("/maps/stakeholders", params={"region": "32.73", "format": "geojson"}, headers=admin)
        assert body.status_code == 200, body.text
        return {f["properties"].get("location_id") for f in body.json()["features"]} - {None}

    assert {kept["id"], gone["id"]} <= mapped()
    assert client.post(f"{base}/{gone['id']}/close", headers=staff).status_code == 200
    assert kept["id"] in mapped() and gone["id"] not in mapped()


def test_a_programme_gains_no_closed_service_point_but_keeps_one_it_named(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff = as_user("dinsos.bandung")
    dinsos = org_id(session, DINSOS)
    base = f"/api/v1/organizations/{dinsos}/locations"
    first = client.post(base, json=new_location(name="Pos Satu"), headers=staff).json()
    second = client.post(base, json=new_location(name="Pos Dua"), headers=staff).json()
    body = {"organization_id": dinsos, "name": "Pelatihan Pos", "kind": "training", "location_ids": [first["id"]]}
    program = client.post("/api/v1/programs", json=body, headers=staff).json()
    for loc in (first, second):
        assert client.post(f"{base}/{loc['id']}/close", headers=staff).status_code == 200
    refused = client.post("/api/v1/programs", json=body | {"name": "Pelatihan Baru"}, headers=staff)
    assert refused.status_code == 422 and "closed" in refused.text
    # Its closed point stays named when it is edited; a newly named closed one is refused.
    kept = client.patch(
        f"/api/v1/programs/{program['id']}",
        json={"version": program["version"], "location_ids": [first["id"]], "description": "x"},
        headers=staff,
    )
    assert kept.status_code == 200, kept.text
    added = client.patch(
        f"/api/v1/programs/{program['id']}",
        json={"version": kept.json()["version"], "location_ids": [first["id"], second["id"]]},
        headers=staff,
    )
    assert added.status_code == 422 and f"location {second['id']} is closed" in added.text
