"""The maps over HTTP on the demo: who sees what, the privacy rule in every format, the papers'
picture of Kota Bandung, a family's programmes with distances, and bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import h3
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping.privacy import MIN_HOUSEHOLDS, rounded
from models.households import Facilitator, Household
from models.organizations import Location
from models.users import User
from service.matching import find_matches

Headers = Callable[[str], dict[str, str]]
KOTA_BANDUNG = "32.73"
KEBON_JAYANTI = "32.73.16.1002"
ISOLATED = (
    "Dinas Koperasi dan UMKM Kota Bandung",
    "Dinas Perdagangan dan Perindustrian Kota Bandung",
    "Forum CSR Kota Bandung",
)
NOT_ENTITLED = ("forum.bandung", "dinsos.bandung")
FLOAT_PAIR = re.compile(r"\[(-?\d+\.\d+),\s*(-?\d+\.\d+)")


def _geojson(client: TestClient, url: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = client.get(url, params={**params, "format": "geojson"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    return r.json()  # type: ignore[no-any-return]


def _layer(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [f for f in body["features"] if f["properties"]["layer"] == key]


def _vertices(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []

    def walk(x: Any) -> None:
        if isinstance(x, list | tuple) and len(x) == 2 and all(isinstance(v, int | float) for v in x):
            out.append((float(x[0]), float(x[1])))
        elif isinstance(x, list | tuple):
            for y in x:
                walk(y)

    walk(geometry["coordinates"])
    return out


def _located(session: Session, village_prefix: str) -> list[Household]:
    return [
        h
        for h in session.exec(select(Household).where(Household.village_code.startswith(village_prefix))).all()  # type: ignore[attr-defined]
        if h.latitude is not None and h.longitude is not None
    ]


def _public_points(session: Session) -> set[tuple[float, float]]:
    return {
        (round(x.longitude, 5), round(x.latitude, 5))
        for x in session.exec(select(Location)).all()
        if x.latitude is not None and x.longitude is not None
    }


def _html_places(html: str) -> set[tuple[float, float]]:
    """Every coordinate pair a map's HTML holds: GeoJSON and bounds as [a, b] pairs, clustered
    points as parallel arrays of latitudes and longitudes."""
    pairs = {(round(float(a), 5), round(float(b), 5)) for a, b in FLOAT_PAIR.findall(html)}
    for lats, lons in re.findall(r"var lat = (\[[^\]]*\]), lon = (\[[^\]]*\])", html):
        pairs |= {(round(b, 5), round(a, 5)) for a, b in zip(json.loads(lats), json.loads(lons), strict=True)}
    return pairs


def _shows(places: set[tuple[float, float]], lon: float, lat: float) -> bool:
    """Whether ``places`` hold (lon, lat), in either order, to the metre maps are written to."""
    xy = np.array(sorted(places))
    if not xy.size:
        return False
    near = (np.abs(xy - [lon, lat]) <= 1.1e-5).all(axis=1) | (np.abs(xy - [lat, lon]) <= 1.1e-5).all(axis=1)
    return bool(near.any())


def _assert_private(body: dict[str, Any], session: Session) -> None:
    """What a viewer who is not the families' facilitator gets: no household point, only cells
    of at least 5 households with small figures withheld, lines and points only at public
    service points or at rounded (3-decimal) village centres."""
    public = _public_points(session)
    assert not _layer(body, "own_households")
    for f in body["features"]:
        p, g = f["properties"], f["geometry"]
        if p["layer"] in ("household_cells", "unmet_cells"):
            assert g["type"] == "Polygon"
            assert p["households"] >= MIN_HOUSEHOLDS
            assert p.get("unmet") is None or p["unmet"] == 0 or p["unmet"] >= MIN_HOUSEHOLDS
            ring = [(round(lng, 5), round(lat, 5)) for lat, lng in h3.cell_to_boundary(p["cell"])]
            assert {(round(x, 5), round(y, 5)) for x, y in _vertices(g)} == set(ring)
        elif g["type"] in ("Point", "LineString"):
            for x, y in _vertices(g):
                rounded = abs(x * 1000 - round(x * 1000)) < 1e-6 and abs(y * 1000 - round(y * 1000)) < 1e-6
                at_public = any(abs(x - a) <= 1.1e-5 and abs(y - b) <= 1.1e-5 for a, b in public)
                assert at_public or rounded, (p["layer"], x, y)


@pytest.mark.parametrize("user", NOT_ENTITLED)
@pytest.mark.parametrize("region", [KOTA_BANDUNG, KEBON_JAYANTI])
def test_others_see_households_only_as_counts(
    client: TestClient, as_user: Headers, session: Session, user: str, region: str
) -> None:
    for url in ("/maps/stakeholders", "/maps/gaps"):
        body = _geojson(client, url, as_user(user), region=region)
        _assert_private(body, session)
        cells = _layer(body, "household_cells") or _layer(body, "unmet_cells")
        assert cells, (url, "the families are on the map as counts")
        r = client.get(url, params={"region": region, "tiles": "false"}, headers=as_user(user))
        assert r.status_code == 200, r.text
        html = r.text
        assert "/kpm/" not in html
        # no family's place, in either coordinate order, at the precision maps are written to
        shown = _html_places(html)
        assert shown, "the map's data is in the page"
        for h in _located(session, region):
            assert h.latitude is not None and h.longitude is not None
            assert not _shows(shown, h.longitude, h.latitude), (url, h.id)


def test_cells_add_up_and_none_is_small(client: TestClient, as_user: Headers, session: Session) -> None:
    located = _located(session, KOTA_BANDUNG)
    body = _geojson(client, "/maps/stakeholders", as_user("forum.bandung"), region=KOTA_BANDUNG)
    cells = _layer(body, "household_cells")
    assert all(c["properties"]["households"] >= MIN_HOUSEHOLDS for c in cells)
    # Cell counts are rounded to multiples of 5 (issue 15 #1): each within 2 of the families in it.
    assert all(c["properties"]["households"] % 5 == 0 for c in cells)
    assert sum(c["properties"]["households"] for c in cells) <= len(located) + 2 * len(cells)
    # every published cell holds the located families that fall in it (merged cells: the rest), rounded
    fine = [c for c in cells if c["properties"]["resolution"] == max(x["properties"]["resolution"] for x in cells)]
    for c in fine:
        res, cell = c["properties"]["resolution"], c["properties"]["cell"]
        inside = [h for h in located if h3.latlng_to_cell(h.latitude, h.longitude, res) == cell]
        assert rounded(len(inside)) == c["properties"]["households"]


def test_facilitator_sees_own_families_as_points(client: TestClient, as_user: Headers, session: Session) -> None:
    fac = session.exec(select(User).where(User.username == "pendamping.kebonjayanti")).one()
    body = _geojson(client, "/maps/stakeholders", as_user("pendamping.kebonjayanti"), region=KOTA_BANDUNG)
    points = _layer(body, "own_households")
    mine = [h for h in _located(session, KOTA_BANDUNG) if h.facilitator_id == fac.facilitator_id]
    assert points and len(points) == len(mine)
    assert {p["properties"]["link"] for p in points} == {f"/kpm/{h.id}" for h in mine}
    html = client.get("/maps/stakeholders", params={"region": KOTA_BANDUNG}, headers=as_user("pendamping.kebonjayanti"))
    assert html.status_code == 200
    prefix = json.loads(re.search(r"var prefix = (\"[^\"]*\")", html.text).group(1))  # type: ignore[union-attr]
    refs = json.loads(re.search(r"ref = (\[[^\]]*\]);", html.text).group(1))  # type: ignore[union-attr]
    lats = json.loads(re.search(r"var lat = (\[[^\]]*\])", html.text).group(1))  # type: ignore[union-attr]
    assert sorted(prefix + str(r) for r in refs) == sorted(f"/kpm/{h.id}" for h in mine)
    assert sorted(lats) == pytest.approx(sorted(h.latitude for h in mine), abs=1e-5)  # type: ignore[type-var]


def test_kota_bandung_shows_isolated_agencies_and_suggested_links(client: TestClient, as_user: Headers) -> None:
    body = _geojson(client, "/maps/stakeholders", as_user("forum.bandung"), region=KOTA_BANDUNG)
    orgs = {f["properties"]["name"]: f["properties"] for f in _layer(body, "organizations")}
    assert set(ISOLATED) <= set(orgs)
    assert all(orgs[name]["isolated"] for name in ISOLATED)
    assert not orgs["Dinas Sosial Kota Bandung"]["isolated"]
    # dashed lines from the Kebon Jayanti facilitator to the unconnected agencies, with the reason
    links = _layer(body, "suggested_links")
    ids = {orgs[name]["organization_id"] for name in ISOLATED}
    to_isolated = [f for f in links if f["properties"]["organization_id"] in ids]
    assert to_isolated and all(f["properties"]["dash"] for f in to_isolated)
    assert all("Belum ada kemitraan" in f["properties"]["popup"] for f in to_isolated)
    assert {f["geometry"]["type"] for f in links} == {"LineString"}
    flows = _layer(body, "referrals")
    assert flows and all(f["properties"]["outcome"] in ("completed", "open", "closed") for f in flows)
    # the same layers in the HTML, with the legend, in the page language
    html = client.get(
        "/maps/stakeholders", params={"region": KOTA_BANDUNG, "lang": "en"}, headers=as_user("forum.bandung")
    )
    assert html.status_code == 200
    for title in ("Organisations and service points", "Suggested links", "Referral flows", "KPM per cell (counts)"):
        assert title in html.text
    assert 'id="legend"' in html.text
    assert "cdn.jsdelivr" not in html.text and "/static/vendor/leaflet/leaflet.js" in html.text


def test_household_map_shows_eligible_programmes_with_distances(
    client: TestClient, as_user: Headers, session: Session, app: Any
) -> None:
    fac = session.exec(select(Facilitator).where(Facilitator.name.contains("Kebon Jayanti"))).first()  # type: ignore[union-attr]
    user = session.exec(select(User).where(User.username == "pendamping.kebonjayanti")).one()
    family = next(h for h in _located(session, KEBON_JAYANTI) if h.facilitator_id == user.facilitator_id)
    assert fac is None or fac.id == user.facilitator_id
    body = _geojson(client, f"/maps/households/{family.id}", as_user("pendamping.kebonjayanti"))
    home = _layer(body, "household")
    assert home and home[0]["geometry"]["coordinates"] == pytest.approx([family.longitude, family.latitude], abs=1e-5)
    programmes = _layer(body, "program_locations")
    eligible = [p for p in programmes if p["properties"]["status"] == "eligible"]
    assert eligible, "a demo family in Kebon Jayanti has eligible programmes"
    settings = app.state.settings
    expected = {
        m["program_id"]: m["distance_km"]
        for m in find_matches(session, family, today=settings.today(), lang="id").items
        if m["distance_km"] is not None
    }
    for p in programmes:
        km = p["properties"]["distance_km"]
        assert km is not None and km >= 0
        assert km == pytest.approx(expected[p["properties"]["program_id"]], abs=0.02)
        assert f"/kpm/{family.id}#program-{p['properties']['program_id']}" in p["properties"]["popup"]
    lines = _layer(body, "distances")
    assert len(lines) == len(programmes)


@pytest.mark.parametrize("user", ["forum.bandung", "dinsos.bandung", "pendamping.jaktim"])
def test_household_map_is_for_the_familys_facilitator_only(
    client: TestClient, as_user: Headers, session: Session, user: str
) -> None:
    family = _located(session, KEBON_JAYANTI)[0]
    for fmt in ("html", "geojson"):
        r = client.get(f"/maps/households/{family.id}", params={"format": fmt}, headers=as_user(user))
        assert r.status_code == 404, (user, fmt, r.text)
        assert str(family.latitude)[:7] not in r.text
    assert client.get(f"/maps/households/{family.id}", headers=as_user("admin")).status_code == 200


def test_bad_input(client: TestClient, as_user: Headers) -> None:
    h = as_user("forum.bandung")
    r = client.get("/maps/stakeholders", params={"region": "99.99", "format": "geojson"}, headers=h)
    assert r.status_code == 422 and "99.99" in r.text
    r = client.get("/maps/stakeholders", params={"region": "99.99"}, headers=h)
    assert r.status_code == 422 and "99.99" in r.text and "<html" in r.text
    assert client.get("/maps/stakeholders", params={"region": "kota"}, headers=h).status_code == 422
    assert client.get("/maps/stakeholders", headers=h).status_code == 422
    r = client.get("/maps/gaps", params={"region": KOTA_BANDUNG, "need": "money", "format": "geojson"}, headers=h)
    assert r.status_code == 422 and "capital" in r.json()["detail"][0]["msg"]
    r = client.get("/maps/gaps", params={"region": KOTA_BANDUNG, "sector": "space", "format": "geojson"}, headers=h)
    assert r.status_code == 422
    # out of the caller's reach: 404, as if it did not exist
    assert client.get("/maps/stakeholders", params={"region": "31.75"}, headers=h).status_code == 404
    assert client.get("/maps/households/999999", headers=as_user("pendamping.kebonjayanti")).status_code == 404
    assert client.get("/maps/stakeholders", params={"region": KOTA_BANDUNG}).status_code == 401


def test_gap_map_filters_by_need(client: TestClient, as_user: Headers) -> None:
    h = as_user("forum.bandung")
    every = _geojson(client, "/maps/gaps", h, region=KOTA_BANDUNG)
    capital = _geojson(client, "/maps/gaps", h, region=KOTA_BANDUNG, need="capital")

    def unmet(body: dict[str, Any]) -> int:
        return sum(f["properties"]["unmet"] or 0 for f in _layer(body, "unmet_cells"))

    assert unmet(every) > 0
    assert unmet(capital) <= unmet(every)
    coverage = {f["properties"]["name"] for f in _layer(capital, "coverage")}
    assert coverage and coverage <= {f["properties"]["name"] for f in _layer(every, "coverage")}
    assert "Modal" in capital["name"] or "modal" in capital["name"]


def test_maps_are_compressed_and_embedded_in_pages(client: TestClient, as_user: Headers) -> None:
    h = as_user("forum.bandung")
    r = client.get("/maps/stakeholders", params={"region": KOTA_BANDUNG}, headers=h | {"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert int(r.headers["content-length"]) < len(r.content) / 3
    static = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200 and static.headers.get("content-encoding") == "gzip"


def test_popup_links_lead_to_records(client: TestClient, as_user: Headers) -> None:
    h = as_user("forum.bandung")
    body = _geojson(client, "/maps/stakeholders", h, region=KOTA_BANDUNG)
    links = {
        m
        for f in body["features"]
        if f["properties"]["layer"] in ("organizations", "service_areas")
        for m in re.findall(r'href="([^"]+)"', f["properties"]["popup"])
    }
    assert any("/organizations/" in x for x in links) and any("/services/" in x for x in links)
    for link in sorted(links):
        assert client.get(link, headers=h).status_code == 200, link


def test_a_facilitator_never_sees_a_colleagues_families(client: TestClient, as_user: Headers, session: Session) -> None:
    me = session.exec(select(User).where(User.username == "pendamping.jaktim")).one()
    located = _located(session, "31.75")
    mine = [h for h in located if h.facilitator_id == me.facilitator_id]
    theirs = [h for h in located if h.facilitator_id != me.facilitator_id]
    assert mine and theirs, "Jakarta Timur's demo has four facilitators"
    for url in ("/maps/stakeholders", "/maps/gaps"):
        body = _geojson(client, url, as_user("pendamping.jaktim"), region="31.75")
        points = _layer(body, "own_households")
        assert {p["properties"]["link"] for p in points} == (
            {f"/kpm/{h.id}" for h in mine} if "stake" in url else set()
        )
        for f in _layer(body, "household_cells") + _layer(body, "unmet_cells"):
            assert f["properties"]["households"] >= MIN_HOUSEHOLDS
        html = client.get(url, params={"region": "31.75"}, headers=as_user("pendamping.jaktim")).text
        shown = _html_places(html)
        for h in theirs:
            assert h.latitude is not None and h.longitude is not None
            assert not _shows(shown, h.longitude, h.latitude), (url, h.id)
