"""Organisations, locations and programmes: admin writes, validation, versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Organization, Program

Headers = Callable[[str], dict[str, str]]


def org_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Koperasi Uji Coba",
        "kind": "cooperative",
        "region_code": "32.73.16",
        "phone": "022-000-0000",
        "email": "koperasi@example.org",
        "website": "https://example.org",
    }
    body.update(overrides)
    return body


def program_body(org_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "organization_id": org_id,
        "name": "Pelatihan Uji Coba",
        "kind": "training",
        "benefit_min": 0,
        "benefit_max": 1_000_000,
        "capacity": 30,
        "capacity_remaining": 30,
        "opens_on": "2026-01-01",
        "closes_on": "2026-12-31",
        "status": "active",
        "service_area": ["32.73"],
        "sectors": ["culinary"],
        "eligibility": {"all": [{"field": "head.age", "op": "between", "value": [20, 40]}]},
    }
    body.update(overrides)
    return body


def test_admin_builds_an_organisation_with_a_location_and_a_programme(client: TestClient, as_user: Headers) -> None:
    admin = as_user("admin")
    org = client.post("/api/v1/organizations", json=org_body(), headers=admin)
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    location = client.post(
        f"/api/v1/organizations/{org_id}/locations",
        json={"name": "Balai Pelatihan", "region_code": "32.73.16.1002", "latitude": -6.92, "longitude": 107.64},
        headers=admin,
    )
    assert location.status_code == 201, location.text
    program = client.post(
        "/api/v1/programs", json=program_body(org_id, location_ids=[location.json()["id"]]), headers=admin
    )
    assert program.status_code == 201, program.text
    body = program.json()
    assert body["organization_name"] == "Koperasi Uji Coba"
    assert body["service_area"] == ["32.73"]
    assert body["location_ids"] == [location.json()["id"]]
    # It is found by the region it serves, at any level below its service area.
    found = client.get("/api/v1/programs", params={"region": "32.73.16.1002", "q": "uji coba"}, headers=admin).json()
    assert [p["id"] for p in found["items"]] == [body["id"]]
    assert (
        client.get("/api/v1/programs", params={"region": "31.75", "q": "uji coba"}, headers=admin).json()["total"] == 0
    )
    by_sector = client.get("/api/v1/programs", params={"sector": "culinary", "q": "uji coba"}, headers=admin).json()
    assert by_sector["total"] == 1


def test_programme_bad_input_points_at_the_problem(client: TestClient, session: Session, as_user: Headers) -> None:
    org = session.exec(select(Organization)).first()
    assert org is not None and org.id is not None
    admin = as_user("admin")
    cases = [
        (program_body(org.id, service_area=["32.73.99"]), ["body", "service_area"], "32.73.99 does not exist"),
        (
            program_body(org.id, eligibility={"all": [{"field": "head.age", "op": "between", "value": [20]}]}),
            ["body", "eligibility"],
            "eligibility.all[0].value",
        ),
        (
            program_body(org.id, eligibility={"field": "head.shoe", "op": "eq", "value": 1}),
            ["body", "eligibility"],
            "unknown field",
        ),
        (program_body(org.id, benefit_min=5, benefit_max=1), ["body"], "benefit_min cannot exceed benefit_max"),
        (program_body(org.id, kind="lottery"), ["body", "kind"], None),
        (program_body(999_999), ["body", "organization_id"], "does not exist"),
        (program_body(org.id, location_ids=[999_999]), ["body", "location_ids"], "not a location of"),
    ]
    before = len(session.exec(select(Program)).all())
    for body, loc, words in cases:
        response = client.post("/api/v1/programs", json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        errors = response.json()["detail"]
        assert loc in [e["loc"] for e in errors], errors
        if words:
            assert any(words in e["msg"] for e in errors), errors
    assert len(session.exec(select(Program)).all()) == before


def test_programme_update_keeps_other_fields_and_checks_versions(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    admin = as_user("admin")
    org_id = client.post("/api/v1/organizations", json=org_body(), headers=admin).json()["id"]
    program = client.post("/api/v1/programs", json=program_body(org_id), headers=admin).json()
    changed = client.patch(
        f"/api/v1/programs/{program['id']}",
        json={"version": 1, "capacity_remaining": 10, "service_area": ["32.73", "32.04"]},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["capacity_remaining"] == 10 and body["version"] == 2
    assert body["service_area"] == ["32.04", "32.73"]
    assert body["eligibility"] == program["eligibility"] and body["name"] == program["name"]
    stale = client.patch(
        f"/api/v1/programs/{program['id']}", json={"version": 1, "capacity_remaining": 5}, headers=admin
    )
    assert stale.status_code == 409
    inverted = client.patch(
        f"/api/v1/programs/{program['id']}", json={"version": 2, "capacity_remaining": 50}, headers=admin
    )
    assert inverted.status_code == 422
    cleared = client.patch(f"/api/v1/programs/{program['id']}", json={"version": 2, "eligibility": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.json()["eligibility"] is None


def test_who_writes_the_catalogue(client: TestClient, session: Session, as_user: Headers) -> None:
    """Only admins register organisations; programmes come from their own organisation's staff."""
    own = session.exec(select(Organization).where(Organization.name == "Dinas Sosial Kota Bandung")).first()
    other = session.exec(select(Organization).where(Organization.name == "Forum CSR Kota Bandung")).first()
    assert own is not None and other is not None
    for username in ("pendamping.kebonjayanti", "dinsos.bandung", "forum.bandung"):
        headers = as_user(username)
        assert client.post("/api/v1/organizations", json=org_body(), headers=headers).status_code == 403
    for username in ("pendamping.kebonjayanti", "forum.bandung"):
        assert (
            client.post("/api/v1/programs", json=program_body(own.id or 0), headers=as_user(username)).status_code
            == 403
        )
    staff = as_user("dinsos.bandung")
    assert client.post("/api/v1/programs", json=program_body(other.id or 0), headers=staff).status_code == 404
    created = client.post("/api/v1/programs", json=program_body(own.id or 0, status="active"), headers=staff)
    assert created.status_code == 201 and created.json()["status"] == "draft"


def test_organisation_with_programmes_cannot_be_deleted(client: TestClient, session: Session, as_user: Headers) -> None:
    program = session.exec(select(Program)).first()
    assert program is not None
    response = client.delete(f"/api/v1/organizations/{program.organization_id}", headers=as_user("admin"))
    assert response.status_code == 409
    assert session.get(Organization, program.organization_id) is not None


def test_unknown_region_in_organisation_is_named(client: TestClient, as_user: Headers) -> None:
    response = client.post("/api/v1/organizations", json=org_body(region_code="99.99"), headers=as_user("admin"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "region code 99.99 does not exist in the Kemendagri list"
    malformed = client.post("/api/v1/organizations", json=org_body(region_code="3273"), headers=as_user("admin"))
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["body", "region_code"]


def test_regions_filter_by_parent_level_and_name(client: TestClient, as_user: Headers) -> None:
    headers = as_user("pendamping.kebonjayanti")
    kiaracondong = client.get("/api/v1/regions", params={"parent": "32.73.16"}, headers=headers).json()
    assert "Kebon Jayanti" in [r["name"] for r in kiaracondong["items"]]
    assert {r["level"] for r in kiaracondong["items"]} == {"village"}
    provinces = client.get("/api/v1/regions", params={"level": "province", "limit": 100}, headers=headers).json()
    assert provinces["total"] == 38
    named = client.get("/api/v1/regions", params={"q": "kebon jayanti", "level": "village"}, headers=headers).json()
    assert "32.73.16.1002" in [r["code"] for r in named["items"]]
    assert client.get("/api/v1/regions/99.99", headers=headers).status_code == 404
