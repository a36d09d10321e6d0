"""The public HSDS read API under /hsds/: shapes against the HSDS 3.0 schemas, paging, filters."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Location, Organization, Program, ProgramLocation, ProgramStatus
from service import hsds
from tests.hsds.conftest import (
    ORGANIZATION_FULL,
    SERVICE_AT_LOCATION_FULL,
    SERVICE_FULL,
    assert_valid,
    page_of,
    ref,
)

PUBLISHED = {ProgramStatus.active, ProgramStatus.paused}


def published(session: Session) -> list[Program]:
    return [p for p in session.exec(select(Program).order_by(Program.id)) if p.status in PUBLISHED]


def all_pages(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(path, params={**params, "page": page, "per_page": 7}).json()
        items += body["contents"]
        if body["last_page"] or not body["contents"]:
            return items
        page += 1


def names(client: TestClient, path: str = "/hsds/services", **params: Any) -> set[str]:
    response = client.get(path, params={"per_page": 500, **params})
    assert response.status_code == 200, response.text
    return {s["name"] for s in response.json()["contents"]}


def test_root_names_the_version_and_the_profile_without_sign_in(client: TestClient) -> None:
    meta = client.get("/hsds/")
    assert meta.status_code == 200
    body = meta.json()
    assert body["version"] == "3.0"
    assert body["profile"].endswith("/hsds/profile") and body["openapi_url"].endswith("/openapi.json")
    profile = client.get(body["profile"].replace("http://testserver", ""))
    assert profile.status_code == 200 and profile.json()["hsds_version"] == "3.0"
    assert "region" in profile.json()["query_parameters"]


def test_every_endpoint_answers_in_the_hsds_shapes(client: TestClient, session: Session) -> None:
    orgs = client.get("/hsds/organizations", params={"per_page": 500})
    assert orgs.status_code == 200
    assert_valid(orgs.json(), page_of(ref("compiled/organization_list.json")))
    assert orgs.json()["total_items"] == len(session.exec(select(Organization.id)).all())

    full_orgs = client.get("/hsds/organizations", params={"full": "true", "full_service": "true"}).json()
    assert_valid(full_orgs, page_of(ORGANIZATION_FULL))
    for org in orgs.json()["contents"]:
        detail = client.get(f"/hsds/organizations/{org['id']}")
        assert detail.status_code == 200
        assert_valid(detail.json(), ORGANIZATION_FULL)
        assert_valid(
            client.get(f"/hsds/organizations/{org['id']}", params={"full_service": True}).json(), ORGANIZATION_FULL
        )

    services = client.get("/hsds/services", params={"per_page": 500}).json()
    assert_valid(services, page_of(ref("compiled/service_list.json")))
    assert services["total_items"] == len(published(session))
    assert_valid(client.get("/hsds/services", params={"full": True}).json(), page_of(SERVICE_FULL))
    for service in services["contents"]:
        detail = client.get(f"/hsds/services/{service['id']}")
        assert detail.status_code == 200
        assert_valid(detail.json(), SERVICE_FULL)

    sal = client.get("/hsds/service_at_locations", params={"per_page": 500}).json()
    assert_valid(sal, page_of(ref("compiled/service_at_location_list.json")))
    assert sal["total_items"] == sum(
        len(session.exec(select(ProgramLocation).where(ProgramLocation.program_id == p.id)).all())
        for p in published(session)
    )
    assert_valid(
        client.get("/hsds/service_at_locations", params={"full": True}).json(), page_of(SERVICE_AT_LOCATION_FULL)
    )
    one = client.get(f"/hsds/service_at_locations/{sal['contents'][0]['id']}")
    assert one.status_code == 200
    assert_valid(one.json(), SERVICE_AT_LOCATION_FULL)

    taxonomies = client.get("/hsds/taxonomies").json()
    assert_valid(taxonomies, page_of(ref("taxonomy.json")))
    assert taxonomies["total_items"] == 4
    terms = client.get("/hsds/taxonomy_terms", params={"per_page": 500}).json()
    assert_valid(terms, page_of(ref("taxonomy_term.json")))
    assert terms["total_items"] == len(hsds.TERMS)
    assert_valid(client.get(f"/hsds/taxonomies/{taxonomies['contents'][0]['id']}").json(), ref("taxonomy.json"))
    assert_valid(client.get(f"/hsds/taxonomy_terms/{terms['contents'][0]['id']}").json(), ref("taxonomy_term.json"))
    kinds = client.get("/hsds/taxonomy_terms", params={"taxonomy_id": hsds.TAXONOMIES[hsds.PROGRAM_KIND].id}).json()
    assert {t["code"] for t in kinds["contents"]} == {
        "training",
        "capital_grant",
        "loan",
        "marketing",
        "certification",
        "mentoring",
        "equipment",
    }


def test_a_service_carries_rule_words_ages_capacity_window_and_area(client: TestClient, session: Session) -> None:
    pena = session.exec(select(Program).where(Program.name == "PENA Berdikari")).one()
    assert pena.id is not None
    body = client.get(f"/hsds/services/{hsds.service_uuid(pena.id)}").json()
    assert body["status"] == "active"
    assert body["eligibility_description"] == (
        "Semua syarat: Usia kepala keluarga: 20–40; Bersedia graduasi mandiri: ya; Memiliki usaha mikro: ya"
    )
    assert (body["minimum_age"], body["maximum_age"]) == (20, 40)
    capacity = body["capacities"][0]
    assert (capacity["maximum"], capacity["available"], capacity["unit"]["identifier"]) == (120, 37, "seats")
    window = [s for s in body["schedules"] if s["attributes"][0]["taxonomy_term"]["code"] == "application_window"]
    assert window[0]["valid_from"] == pena.opens_on.isoformat() and window[0]["valid_to"] == pena.closes_on.isoformat()  # type: ignore[union-attr]
    assert sorted(a["extent"] for a in body["service_areas"]) == ["18.02", "31.75", "32.73", "35.14"]
    assert {a["name"] for a in body["service_areas"]} >= {"KOTA BANDUNG"}
    assert len(body["service_at_locations"]) == 4
    english = client.get(f"/hsds/services/{hsds.service_uuid(pena.id)}", params={"lang": "en"}).json()
    assert english["eligibility_description"] == (
        "All of these: Head's age: 20–40; Agreed to self-graduate: yes; Runs a micro-business: yes"
    )

    jakpreneur = session.exec(select(Program).where(Program.name == "Jakpreneur: Pinjaman Modal Usaha")).one()
    loan = client.get(f"/hsds/services/{hsds.service_uuid(jakpreneur.id or 0)}").json()
    assert loan["eligibility_description"].startswith("Salah satu dari: Lama usaha (bulan): ≥ 6; semua dari: [")
    assert "minimum_age" not in loan
    assert loan["capacities"][0]["unit"]["identifier"] == "IDR"
    values = {a["taxonomy_term"]["code"]: a.get("value") for a in loan["attributes"]}
    assert values["loan"] is None and values["interest_rate"] == "6" and values["benefit_max"] == "10000000"

    paused = session.exec(select(Program).where(Program.status == ProgramStatus.paused)).first()
    assert paused is not None
    assert client.get(f"/hsds/services/{hsds.service_uuid(paused.id or 0)}").json()["status"] == "temporarily closed"


def test_drafts_and_closed_programmes_never_appear(client: TestClient, session: Session) -> None:
    hidden = [p for p in session.exec(select(Program)) if p.status not in PUBLISHED]
    assert {p.status for p in hidden} == {ProgramStatus.draft, ProgramStatus.closed}
    org = session.exec(select(Organization)).first()
    assert org is not None and org.id is not None
    fresh = Program(organization_id=org.id, name="Rancangan Baru HSDS", kind="training", status=ProgramStatus.draft)
    session.add(fresh)
    session.commit()
    hidden.append(fresh)
    hidden_ids = {hsds.service_uuid(p.id or 0) for p in hidden}
    listed = {s["id"] for s in all_pages(client, "/hsds/services")}
    assert listed and not listed & hidden_ids
    for sid in hidden_ids:
        assert client.get(f"/hsds/services/{sid}").status_code == 404
    nested = client.get("/hsds/organizations", params={"full": True, "per_page": 500}).json()["contents"]
    assert not {s["id"] for o in nested for s in o["services"]} & hidden_ids
    sal = all_pages(client, "/hsds/service_at_locations")
    assert not {s["service_id"] for s in sal} & hidden_ids
    assert "Rancangan Baru HSDS" not in names(client, search="rancangan")


def test_paging_follows_the_hsds_envelope(client: TestClient, session: Session) -> None:
    total = len(published(session))
    pages = math.ceil(total / 5)
    first = client.get("/hsds/services", params={"per_page": 5}).json()
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (total, pages, 1, 5)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    last = client.get("/hsds/services", params={"per_page": 5, "page": pages}).json()
    assert last["last_page"] and not last["first_page"] and last["size"] == total - 5 * (pages - 1)
    beyond = client.get("/hsds/services", params={"per_page": 5, "page": pages + 1}).json()
    assert beyond["empty"] and beyond["size"] == 0 and beyond["contents"] == []
    ids = [s["id"] for s in all_pages(client, "/hsds/services")]
    assert len(ids) == len(set(ids)) == total
    for params in ({"page": 0}, {"per_page": 0}, {"per_page": 501}, {"page": "two"}):
        bad = client.get("/hsds/services", params=params)
        assert bad.status_code == 422, params
        assert bad.json()["detail"][0]["loc"][0] == "query"
    assert client.get("/hsds/organizations", params={"per_page": 501}).status_code == 422
    assert client.get("/hsds/taxonomy_terms", params={"per_page": 10, "page": 4}).json()["size"] == len(hsds.TERMS) - 30


def test_filters_search_terms_organisation_and_modified_after(client: TestClient, session: Session) -> None:
    assert names(client, search="jakpreneur") == {
        "Jakpreneur: Pelatihan Kewirausahaan KPM",
        "Jakpreneur: Pinjaman Modal Usaha",
        "Jakpreneur: Bazar Produk KPM",
        "Jakpreneur: Fasilitasi Label dan Sertifikasi Halal",
        "Kemitraan Katering Hotel untuk KPM",  # its description names Jakpreneur
    }
    loan = hsds.term(hsds.PROGRAM_KIND, "loan").id
    assert names(client, taxonomy_term_id=loan) == {
        "Jakpreneur: Pinjaman Modal Usaha",
        "Simpan Pinjam Anggota Koperasi",
    }
    fashion = hsds.term(hsds.SECTOR, "fashion").id
    assert names(client, taxonomy_term_id=fashion) == {
        "Pelatihan Menjahit dan Konveksi Koperasi",
        "Pemasaran Digital Produk Konveksi",
        "Simpan Pinjam Anggota Koperasi",
    }
    cooperative = hsds.term(hsds.ORGANIZATION_KIND, "cooperative").id
    cooperatives = session.exec(select(Organization.id).where(Organization.kind == "cooperative")).all()
    assert (
        names(client, taxonomy_term_id=cooperative)
        == {p.name for p in published(session) if p.organization_id in cooperatives}
        == {
            "Pelatihan Menjahit dan Konveksi Koperasi",
            "Pemasaran Digital Produk Konveksi",
            "Simpan Pinjam Anggota Koperasi",
        }
    )
    sectors = names(client, taxonomy_id=hsds.TAXONOMIES[hsds.SECTOR].id)
    assert sectors == {p.name for p in published(session) if p.sectors}
    kemensos = session.exec(select(Organization).where(Organization.name.startswith("Kementerian Sosial"))).one()  # type: ignore[attr-defined]
    by_org = names(client, organization_id=hsds.organization_uuid(kemensos.id or 0))
    assert by_org == {p.name for p in published(session) if p.organization_id == kemensos.id}
    assert names(client, organization_id="00000000-0000-0000-0000-000000000000") == set()

    everything = {p.name for p in published(session)}
    assert names(client, modified_after="2000-01-01") == everything
    assert names(client, modified_after="2000-01-01T07:00:00+07:00") == everything
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert names(client, modified_after=future) == set()
    bumped = session.exec(select(Program).where(Program.name == "PENA Reguler")).one()
    bumped.description = (bumped.description or "") + " (diperbarui)"
    session.add(bumped)
    session.commit()
    session.refresh(bumped)
    assert names(client, modified_after=bumped.updated_at.isoformat()) == {"PENA Reguler"}

    for params, where in (
        ({"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ({"taxonomy_term_id": "00000000-0000-0000-0000-000000000000"}, "taxonomy_term_id"),
        ({"taxonomy_term_id": hsds.term(hsds.FIELD, "region_code").id}, "taxonomy_term_id"),
        ({"taxonomy_id": "00000000-0000-0000-0000-000000000000"}, "taxonomy_id"),
        ({"organization_id": "kemensos"}, "organization_id"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"postcode": "40275"}, "postcode"),
        ({"format": "ndjson"}, "format"),
    ):
        bad = client.get("/hsds/services", params=params)
        assert bad.status_code == 422, params
        assert bad.json()["detail"][0]["loc"] == ["query", where]
        assert where in bad.json()["detail"][0]["msg"]


def test_region_codes_take_the_place_of_postcodes(client: TestClient, session: Session) -> None:
    bandung = {
        "PENA Berdikari",
        "PENA Reguler",
        "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat",
        "Pelatihan Manajemen Usaha Mikro",
        "Fasilitasi Perizinan NIB dan PIRT",
        "Fasilitasi Sertifikasi Halal Usaha Mikro",
        "Hibah Peralatan Usaha Mikro Forum CSR",
    }
    assert names(client, region="32.73") == bandung  # the city: areas that are the city
    assert names(client, region="32.73.16.1002") == bandung  # Kebon Jayanti lies within those areas
    assert names(client, region="32") == bandung  # West Java holds those areas
    east_jakarta = names(client, region="31.75")
    assert "Jakpreneur: Pinjaman Modal Usaha" in east_jakarta and "PENA Berdikari" in east_jakarta
    assert not east_jakarta & (bandung - {"PENA Berdikari", "PENA Reguler"})
    assert names(client, region="35.14.01.2011") >= {
        "Lapak Pemasaran Produk Desa",
        "Pelatihan Keterampilan Usaha KPM PKH",
    }
    for bad in ("99", "32.7", "Bandung"):
        response = client.get("/hsds/services", params={"region": bad})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "region"]

    places = {s["location"]["name"] for s in all_pages(client, "/hsds/service_at_locations", region="31.75.03")}
    assert places and all(
        session.exec(select(Location).where(Location.name == n)).one().region_code.startswith("31.75.03")
        for n in places
    )
    assert {o["name"] for o in all_pages(client, "/hsds/organizations", region="32.73")} >= {
        "Dinas Sosial Kota Bandung"
    }


def test_proximity_finds_services_by_their_locations(client: TestClient, session: Session) -> None:
    point = session.exec(select(Location).where(Location.name == "Titik Layanan PENA Kiaracondong")).one()
    assert point.latitude is not None and point.longitude is not None
    here = {"lat": point.latitude, "lon": point.longitude}
    at_point = {
        p.name
        for p in published(session)
        if session.exec(
            select(ProgramLocation).where(ProgramLocation.program_id == p.id, ProgramLocation.location_id == point.id)
        ).first()
    }
    assert names(client, **here, proximity=1) == at_point == {"PENA Berdikari", "PENA Reguler"}
    wide = names(client, **here, proximity=5000)
    assert wide > at_point and "Fasilitasi Sertifikasi Halal Usaha Mikro" in wide
    assert "Jakpreneur: Pinjaman Modal Usaha" not in wide
    near_sal = all_pages(client, "/hsds/service_at_locations", **here, proximity=1)
    assert {s["location"]["name"] for s in near_sal} == {point.name}
    for params in (
        {"proximity": 100},
        {"lat": 1, "lon": 2},
        {**here, "proximity": -1},
        {"lat": 91, "lon": 0, "proximity": 5},
    ):
        assert client.get("/hsds/services", params=params).status_code == 422, params


@pytest.mark.parametrize(
    "path",
    [
        "/hsds/services/00000000-0000-0000-0000-000000000000",
        "/hsds/services/not-a-uuid",
        "/hsds/organizations/00000000-0000-0000-0000-000000000000",
        "/hsds/organizations/42",
        "/hsds/service_at_locations/00000000-0000-0000-0000-000000000000",
        "/hsds/taxonomies/00000000-0000-0000-0000-000000000000",
        "/hsds/taxonomy_terms/training",
    ],
)
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]
