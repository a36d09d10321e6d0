"""Agency staff keep their profile and add a service point with its opening hours in headless
Chromium on a phone-sized screen (390 x 844), JavaScript off: plain forms (#13, item 6)."""

from __future__ import annotations

import pytest

from tests.web.conftest import ARTIFACTS, CHROMIUM_ARGS, sign_in_form

pytestmark = pytest.mark.browser

POINT = "Pos Layanan Kebon Jayanti Timur"


def test_staff_add_a_service_point_with_opening_hours_on_a_phone(page: object, live_server: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    assert CHROMIUM_ARGS  # the harness's Chromium, as every browser test
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        plain = context.new_page()
        plain.goto("/login")
        sign_in_form(plain, "dinsos.bandung")
        # The home page links what the agency can do and names its kind in words.
        expect(plain.get_by_role("heading", name="Dinas Sosial Kota Bandung")).to_be_visible()
        expect(plain.locator("main")).to_contain_text("Dinas/instansi pemerintah")
        plain.get_by_role("link", name="Profil lembaga dan titik layanan").click()
        expect(plain.get_by_role("heading", name="Titik layanan")).to_be_visible()
        plain.get_by_label("Telepon").fill("022-4230000")
        plain.get_by_role("button", name="Simpan profil").click()
        expect(plain.get_by_role("status")).to_have_text("Profil disimpan.")

        plain.get_by_role("link", name="Tambah titik layanan").click()
        expect(plain.get_by_role("heading", name="Tambah titik layanan")).to_be_visible()
        plain.get_by_label("Nama titik layanan").fill(POINT)
        plain.get_by_label("Alamat").fill("Jl. Sukapura No. 3")
        plain.get_by_label("Kode wilayah").fill("32.73.16.1002")
        plain.get_by_label("Lintang (latitude)").fill("-6.9190")
        plain.get_by_label("Bujur (longitude)").fill("107.6470")
        plain.get_by_label("Telepon").fill("022-7300000")
        for day in ("Senin", "Selasa", "Rabu", "Kamis"):
            plain.get_by_label(f"{day}: Buka").fill("08:00")
            plain.get_by_label(f"{day}: Tutup").fill("15:30")
        plain.get_by_label("Jumat: Buka").fill("08:00")
        plain.get_by_label("Jumat: Tutup").fill("11:30")
        assert plain.evaluate("document.documentElement.scrollWidth") <= 390
        plain.get_by_role("button", name="Tambah", exact=True).click()
        expect(plain.get_by_role("status")).to_have_text("Titik layanan ditambahkan.")
        expect(plain.get_by_role("heading", name=POINT)).to_be_visible()

        plain.get_by_role("link", name="« Profil lembaga").click()
        point = plain.locator("ul.places li", has_text=POINT)
        expect(point).to_contain_text("Buka")
        expect(point).to_contain_text("Sen–Kam 08:00–15:30 · Jum 08:00–11:30")
        expect(point).to_contain_text("Kebon Jayanti")
        assert plain.evaluate("document.documentElement.scrollWidth") <= 390
        plain.screenshot(path=str(ARTIFACTS / "agency-profile-new-location.png"), full_page=True)
        assert len(plain.content().encode()) < 200_000
    finally:
        context.close()
