"""The three maps in headless Chromium: they load without JavaScript errors (the ``page``
fixture fails on any), show their layers and legend, open a popup, and sit in the users' pages.
Screenshots go to the test artifacts (map-*.png)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser


def _signed_in(page: Any, username: str) -> None:
    page.goto("/login")
    sign_in_form(page, username)
    page.wait_for_url(lambda url: "/login" not in url)


def _layers(page: Any) -> list[str]:
    names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    return [n.strip() for n in names]


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # the popup's fade-in
    page.screenshot(path=str(ARTIFACTS / name))


def test_stakeholder_map(page: Any) -> None:
    _signed_in(page, "forum.bandung")
    # with the base tiles asked for: where they cannot load (offline), the layers still show
    page.goto("/maps/stakeholders?region=32.73")
    page.wait_for_selector(".jj-i")
    assert set(_layers(page)) >= {"Lembaga dan titik layanan", "Hubungan yang disarankan", "Alur rujukan",
                                  "KPM per sel (jumlah)", "Wilayah pendamping"}  # fmt: skip
    legend = page.locator("#legend")
    assert "Cincin merah" not in legend.inner_text()  # folded on a phone, so the map stays visible
    legend.locator("summary").click()
    assert "Cincin merah: belum terhubung" in legend.inner_text()
    assert page.locator(".jj-i").count() >= 5  # organisations' service points
    assert page.locator("path.leaflet-interactive").count() >= 3  # cells, areas, links
    page.locator(".jj-i").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Komunitas jejaring" in popup.inner_text()
    _shot(page, "map-stakeholders.png")
    # on a wide screen, an unconnected agency (red ring) and its popup
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/maps/stakeholders?region=32.73&tiles=false")
    unconnected = page.locator(".jj-i[style*='outline']")
    assert unconnected.count() >= 3
    unconnected.first.click()
    assert "Belum terhubung dengan pendamping mana pun" in page.locator(".leaflet-popup-content").inner_text()
    _shot(page, "map-stakeholders-desktop.png")


def test_household_map(page: Any) -> None:
    _signed_in(page, "pendamping.kebonjayanti")
    page.goto("/kpm")
    page.locator("table a[href^='/kpm/']").first.click()
    page.wait_for_url("**/kpm/*")
    frame_src = page.locator("iframe.map-frame").get_attribute("src")
    assert frame_src and frame_src.startswith("/maps/households/")
    # the page embeds it, lazily: scroll to it and it loads inside the page
    page.locator("iframe.map-frame").scroll_into_view_if_needed()
    inner = page.frame_locator("iframe.map-frame")
    inner.locator(".leaflet-container").wait_for()
    page.goto(frame_src + "?tiles=false")
    page.wait_for_selector("path.leaflet-interactive")
    assert set(_layers(page)) >= {"Tempat keluarga", "Titik layanan program", "Jarak ke titik terdekat"}
    page.locator("#legend summary").click()
    assert "Memenuhi syarat" in page.locator("#legend").inner_text()
    page.locator("#legend summary").click()
    circles = page.locator("path.leaflet-interactive")
    opened = False
    for i in range(circles.count()):
        circles.nth(i).click(force=True)
        content = page.locator(".leaflet-popup-content")
        if content.count() and "km dari rumah" in content.inner_text():
            assert "Rujuk ke program ini" in content.inner_text()
            opened = True
            break
    assert opened, "a programme's popup gives its distance and the refer link"
    _shot(page, "map-household.png")


def test_gap_map(page: Any) -> None:
    _signed_in(page, "dinsos.bandung")
    page.goto("/lembaga/permintaan")
    assert page.locator("iframe.map-frame").get_attribute("src") == "/maps/gaps?region=32.73"
    page.goto("/maps/gaps?region=32.73&need=capital&tiles=false")
    page.wait_for_selector("path.leaflet-interactive")
    assert set(_layers(page)) >= {"Kebutuhan belum terlayani per sel", "Jangkauan program yang sesuai"}
    assert "modal" in page.locator("#legend summary").inner_text().lower()
    page.locator("path.leaflet-interactive").first.click(force=True)
    content = page.locator(".leaflet-popup-content")
    content.wait_for()
    assert "KPM" in content.inner_text() or "Wilayah layanan" in content.inner_text()
    _shot(page, "map-gaps.png")


def test_forum_dashboard_embeds_both_maps(page: Any) -> None:
    _signed_in(page, "forum.bandung")
    page.goto("/forum")
    sources = [page.locator("iframe.map-frame").nth(i).get_attribute("src") for i in range(2)]
    assert sources == ["/maps/stakeholders?region=32.73", "/maps/gaps?region=32.73"]
    page.locator("#peta iframe").scroll_into_view_if_needed()
    page.frame_locator("#peta iframe").locator(".jj-i").first.wait_for()
    _shot(page, "map-forum-dashboard.png")
    # the gap map redrawn for one need, in its frame, by a plain form
    gaps = page.locator("#peta-kesenjangan")
    gaps.scroll_into_view_if_needed()
    gaps.get_by_label("Kebutuhan usaha").select_option("capital")
    gaps.get_by_role("button", name="Tampilkan").click()
    legend = page.frame_locator("#peta-kesenjangan iframe").locator("#legend summary")
    legend.filter(has_text="modal").wait_for()
    assert page.url.endswith("/forum")  # the page itself stays where it was


def test_facilitator_sees_own_families_in_clusters(page: Any) -> None:
    _signed_in(page, "pendamping.kebonjayanti")
    page.goto("/maps/stakeholders?region=32.73.16.1002&tiles=false")
    page.wait_for_selector(".marker-cluster")
    page.wait_for_timeout(500)  # points are added in chunks after the first paint
    body = page.request.get("/maps/stakeholders?region=32.73.16.1002&format=geojson").json()
    mine = [f for f in body["features"] if f["properties"]["layer"] == "own_households"]
    counts = page.locator(".marker-cluster span").all_inner_texts()
    singles = page.locator(".jj-dot").count()
    assert sum(int(c) for c in counts) + singles == len(mine) > 0
    assert "KPM dampingan saya" in _layers(page)
    _shot(page, "map-facilitator-clusters.png")
