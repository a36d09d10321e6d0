"""The referral loop in headless Chromium on a phone-sized screen: a facilitator refers the PRSE
woman to Dinas Sosial's programme, Dinas Sosial accepts, enrols and completes it with an outcome,
and the facilitator sees the outcome on the board and in the timeline."""

from __future__ import annotations

import re

import pytest

from seeds.demo import DEMO_CASES
from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser

PROGRAM = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"
ORG = "Dinas Sosial Kota Bandung"


def fits_the_phone(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def shoot(page: object, name: str, *, full: bool = True) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.screenshot(path=str(ARTIFACTS / f"referral-{name}.png"), full_page=full)


def sign_out(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.get_by_role("banner").get_by_role("navigation").get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()


def test_a_referral_from_the_household_page_to_a_recorded_outcome(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # 1. The facilitator opens the PRSE woman's page and refers her, with her consent.
    page.goto("/")
    sign_in_form(page, "pendamping.kebonjayanti")
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="KPM", exact=True).click()
    page.get_by_role("link", name=DEMO_CASES["kebon_jayanti_prse_woman"], exact=True).click()
    family = page.get_by_role("heading", level=1).inner_text()
    eligible = page.get_by_role("region", name=re.compile(r"^Memenuhi syarat"))
    match = eligible.locator("article").filter(has=page.get_by_role("heading", name=PROGRAM, exact=True))
    expect(match).to_have_count(1)
    match.get_by_text("Rujuk", exact=True).click()
    consent = match.get_by_label(f"Keluarga setuju datanya dibagikan kepada {ORG} untuk rujukan ini")
    expect(consent).to_be_visible()
    expect(consent).not_to_be_checked()
    # Without the tick the browser keeps the form (the box is required): nothing is sent.
    match.get_by_role("button", name="Kirim rujukan").click()
    expect(page).to_have_url(re.compile(r"/kpm/\d+$"))
    consent.check()
    match.get_by_label("Catatan untuk lembaga (opsional)").fill("Ibu Iis siap ikut pendataan PRSE")
    fits_the_phone(page)
    match.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    shoot(page, "1-refer-form", full=False)
    match.get_by_role("button", name="Kirim rujukan").click()

    expect(page).to_have_url(re.compile(r"/rujukan/\d+$"))
    referral_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(family)
    expect(page.locator(".status-line .badge")).to_have_text("Dikirim")
    expect(page.get_by_text(PROGRAM).first).to_be_visible()
    expect(page.get_by_role("button", name="Terima rujukan")).to_have_count(0)
    fits_the_phone(page)
    shoot(page, "2-sent")
    sign_out(page)

    # 2. Dinas Sosial finds it in its inbox, accepts, enrols and completes it.
    sign_in_form(page, "dinsos.bandung")
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Rujukan", exact=True).click()
    expect(page.get_by_role("heading", name="Rujukan masuk")).to_be_visible()
    first = page.locator("ul.inbox li").first
    expect(first).to_contain_text(family)
    expect(first.locator(".badge")).to_have_text("Dikirim")
    expect(page.get_by_text("PKH-")).to_have_count(0)
    fits_the_phone(page)
    shoot(page, "3-inbox", full=False)
    first.get_by_role("link", name=family).click()
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("Ibu Iis siap ikut pendataan PRSE")).to_be_visible()
    expect(page.get_by_text("PKH-")).to_have_count(0)
    shoot(page, "4-agency-sent")

    page.get_by_role("button", name="Terima rujukan").click()
    expect(page.locator(".status-line .badge")).to_have_text("Diterima")
    page.get_by_role("button", name="Daftarkan ke program").click()
    expect(page.locator(".status-line .badge")).to_have_text("Terdaftar")
    page.get_by_label("Bantuan yang diterima (Rp)").fill("1.500.000")
    page.get_by_label("Pelatihan selesai").check()
    page.get_by_label("Catatan hasil").fill("Modal usaha warung diterima")
    fits_the_phone(page)
    page.get_by_role("heading", name="Selesai: catat hasil").scroll_into_view_if_needed()
    shoot(page, "5-outcome-form", full=False)
    page.get_by_role("button", name="Simpan hasil dan selesaikan").click()
    expect(page.locator(".status-line .badge")).to_have_text("Selesai")
    expect(page.get_by_text("Tidak ada tindakan untuk Anda pada tahap ini.")).to_be_visible()
    shoot(page, "6-agency-completed")
    sign_out(page)

    # 3. The facilitator sees the outcome on the board and in the timeline.
    sign_in_form(page, "pendamping.kebonjayanti")
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Rujukan", exact=True).click()
    expect(page.get_by_role("heading", name="Rujukan saya")).to_be_visible()
    done = page.get_by_role("region", name=re.compile(r"^Selesai"))
    card = done.locator("li").filter(has=page.get_by_role("link", name=family))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Rp 1.500.000")
    expect(card).to_contain_text("Pelatihan selesai")
    sent = page.get_by_role("region", name=re.compile(r"^Dikirim"))
    expect(sent.get_by_role("link", name=family)).to_have_count(0)
    fits_the_phone(page)
    done.scroll_into_view_if_needed()
    shoot(page, "7-board", full=False)
    shoot(page, "7-board-full")
    card.get_by_role("link", name=family).click()
    expect(page).to_have_url(referral_url)
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(4)
    expect(timeline.locator("strong")).to_have_text(["Dikirim", "Diterima", "Terdaftar", "Selesai"])
    expect(timeline.last).to_contain_text("Rp 1.500.000")
    expect(timeline.last).to_contain_text("Pelatihan selesai")
    expect(page.get_by_role("button", name="Batalkan rujukan")).to_have_count(0)
    fits_the_phone(page)
    page.get_by_role("heading", name="Riwayat").scroll_into_view_if_needed()
    shoot(page, "8-timeline", full=False)
    shoot(page, "8-timeline-full")
