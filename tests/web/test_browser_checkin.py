"""A business check-in on a phone (390 x 844) in headless Chromium: from the caseload, a facilitator
records a visit in under 5 taps and the family page's revenue chart shows the new point."""

from __future__ import annotations

import re

import pytest

from seeds.demo import DEMO_CASES
from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser


def test_a_checkin_from_the_caseload_in_under_five_taps_shows_on_the_chart(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login")
    sign_in_form(page, "pendamping.kebonjayanti")
    page.goto("/kpm")  # the caseload: where the count of taps starts
    taps = 0

    page.get_by_role("link", name=DEMO_CASES["kebon_jayanti_age35_culinary"], exact=True).click()
    taps += 1
    expect(page.get_by_role("heading", name="Warung Nasi Bu Euis")).to_be_visible()
    section = page.locator("section.biz").filter(has=page.get_by_role("heading", name="Warung Nasi Bu Euis"))
    points_before = section.locator("svg circle").count()
    assert points_before >= 2  # the demo's history
    section.get_by_role("link", name="Catat kunjungan usaha").click()
    taps += 1

    expect(page.get_by_role("heading", name="Catat kunjungan usaha")).to_be_visible()
    revenue = page.get_by_label("Omzet per bulan")
    assert revenue.input_value() != ""  # prefilled from the last check-in
    assert page.get_by_label("Tanggal kunjungan").input_value() != ""
    revenue.fill("4321000")  # typing, not a tap
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "checkin-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Simpan kunjungan").click()
    taps += 1
    assert taps < 5

    expect(page.get_by_role("status").filter(has_text="Kunjungan usaha tercatat")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/kpm/\d+\?ok=checkin#usaha-\d+$"))
    section = page.locator("section.biz").filter(has=page.get_by_role("heading", name="Warung Nasi Bu Euis"))
    expect(section.locator(".last-checkin")).to_contain_text("Rp 4.321.000")
    circles = section.locator("svg circle")
    assert circles.count() == min(points_before + 1, 24)
    expect(circles.last.locator("title")).to_contain_text("Rp 4.321.000")
    expect(section.get_by_text("Perlu kunjungan")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "checkin-chart-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on the phone
