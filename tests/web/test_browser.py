"""The real pages in headless Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import re

import pytest

from tests.conftest import DEMO_PASSWORDS
from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser


def test_facilitator_signs_in_and_sees_their_caseload(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r".*/login$"))
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    page.get_by_label("Nama pengguna").fill("pendamping.kebonjayanti")
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_have_text("Nama pengguna atau kata sandi salah.")

    page.get_by_label("Kata sandi").fill(DEMO_PASSWORDS["pendamping.kebonjayanti"])
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator('[data-figure="caseload"]')).to_have_text("350")
    expect(page.get_by_text("Kebon Jayanti").first).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-facilitator.png"), full_page=True)

    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.get_by_text("Caseload (KPM)")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_agency_staff_home_lists_their_programmes(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login")
    sign_in_form(page, "dinsos.bandung")
    expect(page.get_by_role("heading", name="Dinas Sosial Kota Bandung")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
