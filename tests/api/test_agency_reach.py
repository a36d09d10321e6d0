"""Issue 15 #6: an agency's reach (the regions its network, gaps, maps and demand cover) grows only
with its published programmes, and beyond its own region only with service areas an admin approved."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Organization, ProgramServiceArea

Headers = Callable[[str], dict[str, str]]
DINSOS = "Dinas Sosial Kota Bandung"
JAKARTA_TIMUR = "31.75"
LAMPUNG_TENGAH = "18.02"
KOTA_BANDUNG = "32.73"

OUTPUTS = (
    ("/api/v1/network/graph", {}),
    ("/api/v1/network/gaps", {}),
    ("/maps/stakeholders", {"format": "geojson", "tiles": "false"}),
    ("/maps/gaps", {"format": "geojson", "tiles": "false"}),
)


def statuses(client: TestClient, headers: dict[str, str], region: str) -> set[int]:
    return {client.get(url, params={"region": region, **extra}, headers=headers).status_code for url, extra in OUTPUTS}


def dinsos(session: Session) -> Organization:
    return session.exec(select(Organization).where(Organization.name == DINSOS)).one()


def far_programme(client: TestClient, session: Session, staff: dict[str, str]) -> int:
    body = {
        "organization_id": dinsos(session).id,
        "name": "Pelatihan Nasional",
        "kind": "training",
        "capacity": 10,
        "capacity_remaining": 10,
        "service_area": ["31", "18", "35"],
    }
    created = client.post("/api/v1/programs", json=body, headers=staff)
    assert created.status_code == 201, created.text
    pid: int = created.json()["id"]
    return pid


def test_a_draft_does_not_open_other_provinces(client: TestClient, session: Session, as_user: Headers) -> None:
    staff = as_user("dinsos.bandung")
    assert statuses(client, staff, KOTA_BANDUNG) == {200}
    assert statuses(client, staff, JAKARTA_TIMUR) == {404}
    far_programme(client, session, staff)
    for region in (JAKARTA_TIMUR, LAMPUNG_TENGAH):
        assert statuses(client, staff, region) == {404}, region
    demand = client.get(f"/api/v1/organizations/{dinsos(session).id}/demand", headers=staff)
    assert demand.status_code == 200
    assert all(v["village_code"].startswith(KOTA_BANDUNG + ".") for v in demand.json()["villages"])


def test_an_out_of_region_area_widens_reach_only_once_an_admin_approves_it(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    staff, admin = as_user("dinsos.bandung"), as_user("admin")
    pid = far_programme(client, session, staff)
    published = client.patch(f"/api/v1/programs/{pid}", json={"version": 1, "status": "active"}, headers=staff)
    assert published.status_code == 200, published.text
    assert published.json()["service_area_unapproved"] == ["18", "31", "35"]
    assert statuses(client, staff, JAKARTA_TIMUR) == {404}

    url = f"/api/v1/programs/{pid}/service-area/31/approval"
    assert client.put(url, json={"approved": True}, headers=staff).status_code == 403
    assert client.put(url, json={"approved": True}, headers=as_user("forum.bandung")).status_code in (403, 404)
    approved = client.put(url, json={"approved": True}, headers=admin)
    assert approved.status_code == 200, approved.text
    assert approved.json()["service_area_unapproved"] == ["18", "35"]
    elsewhere = f"/api/v1/programs/{pid}/service-area/99/approval"
    assert client.put(elsewhere, json={"approved": True}, headers=admin).status_code == 404

    assert statuses(client, staff, JAKARTA_TIMUR) == {200}
    assert statuses(client, staff, LAMPUNG_TENGAH) == {404}

    # The approval survives the owner's later edits that keep the area; a re-added area waits again.
    current = client.get(f"/api/v1/programs/{pid}", headers=staff).json()
    edited = client.patch(
        f"/api/v1/programs/{pid}",
        json={"version": current["version"], "service_area": ["31", "18"], "status": "active"},
        headers=staff,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["service_area_unapproved"] == ["18"]
    rows = session.exec(select(ProgramServiceArea).where(ProgramServiceArea.program_id == pid)).all()
    assert {r.region_code: r.approved_at is not None for r in rows} == {"31": True, "18": False}

    # Taken back into draft, the programme no longer widens reach.
    drafted = client.patch(
        f"/api/v1/programs/{pid}", json={"version": edited.json()["version"], "status": "draft"}, headers=staff
    )
    assert drafted.status_code == 200
    assert statuses(client, staff, JAKARTA_TIMUR) == {404}
