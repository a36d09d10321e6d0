"""A facilitator finds a family's programmes in headless Chromium, on a phone-sized screen."""

from __future__ import annotations

import re

import pytest

from seeds.demo import DEMO_CASES
from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser


def test_facilitator_filters_the_caseload_and_reads_why_a_family_qualifies(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    sign_in_form(page, "pendamping.kebonjayanti")

    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="KPM", exact=True).click()
    expect(page.get_by_role("heading", name="KPM dampingan")).to_be_visible()
    expect(page.locator(".count")).to_contain_text("350 KPM")

    page.get_by_label("Punya usaha").select_option("ya")
    page.get_by_role("button", name="Terapkan").click()
    expect(page).to_have_url(re.compile(r"/kpm\?usaha=ya"))
    expect(page.locator(".count")).to_contain_text("80 KPM dengan usaha mikro")
    expect(page.locator("tbody tr")).to_have_count(50)
    page.screenshot(path=str(ARTIFACTS / "caseload.png"), full_page=False)

    page.get_by_role("link", name=DEMO_CASES["kebon_jayanti_age35_culinary"], exact=True).click()
    expect(page.get_by_text(DEMO_CASES["kebon_jayanti_age35_culinary"])).to_be_visible()
    expect(page.get_by_text("35 tahun")).to_be_visible()

    eligible = page.get_by_role("region", name=re.compile(r"^Memenuhi syarat"))
    pena = eligible.locator("article").filter(has=page.get_by_role("heading", name="PENA Berdikari", exact=True))
    expect(pena).to_have_count(1)
    age_reason = pena.get_by_text("Usia kepala keluarga 35, program meminta 20–40")
    expect(age_reason).to_be_hidden()
    pena.get_by_text(re.compile(r"^Alasan \(3 kriteria\)")).click()
    expect(age_reason).to_be_visible()
    # PENA Berdikari is not also listed as a near miss.
    near = page.get_by_role("region", name=re.compile(r"^Hampir memenuhi"))
    expect(near.get_by_role("heading", name="PENA Berdikari", exact=True)).to_have_count(0)

    # The page fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pena.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -80)")
    page.screenshot(path=str(ARTIFACTS / "household-matches.png"))
    page.screenshot(path=str(ARTIFACTS / "household-matches-full.png"), full_page=True)


def test_screening_table_on_a_phone(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login?next=/kpm/skrining")
    sign_in_form(page, "pendamping.kebonjayanti")
    expect(page.get_by_role("heading", name="Skrining KPM × program")).to_be_visible()
    expect(page.locator("table.grid tbody tr")).to_have_count(80)
    first = page.locator("table.grid tbody tr").first
    expect(first.get_by_role("cell").first).to_have_attribute("title", re.compile("memenuhi syarat|perlu data"))
    # The wide table scrolls inside its box; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screening.png"))
