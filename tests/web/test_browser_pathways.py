"""Pathways in headless Chromium on a phone (390x844): the organiser of Kota Bandung's forum
defines a pathway from the home page (step rows, no JavaScript needed), and the Kebon Jayanti
facilitator sees a family's next step, with what it lacks, on the family page and in the caseload."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import sign_in_form

pytestmark = pytest.mark.browser

KJ_PATHWAY = "Jalur Kemandirian Usaha KPM Kebon Jayanti"


def test_organiser_defines_a_pathway_and_the_facilitator_sees_the_next_step(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login")
    sign_in_form(page, "forum.bandung")
    page.get_by_role("link", name="Jalur kemandirian").first.click()
    expect(page.get_by_role("heading", name="Jalur kemandirian")).to_be_visible()
    expect(page.locator("#pathways")).to_contain_text(KJ_PATHWAY)
    page.get_by_role("link", name="Jalur baru").click()
    page.get_by_label("Nama jalur").fill("Jalur Kuliner Kiaracondong")
    page.get_by_label("Kode wilayah yang dilayani").fill("32.73.16")
    page.locator('select[name="s0_target"]').select_option(
        label="Pelatihan Manajemen Usaha Mikro · Dinas Koperasi dan UMKM Kota Bandung"
    )
    page.locator('select[name="s1_target"]').select_option("kind:certification")
    page.locator('input[name="s1_label"]').fill("PIRT / halal")
    page.locator('select[name="s2_target"]').select_option("kind:marketing")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "pathway-form.png"), full_page=True)
    page.get_by_role("button", name="Buat jalur").click()
    expect(page.get_by_role("heading", name="Jalur Kuliner Kiaracondong")).to_be_visible()
    steps = page.locator("#steps")
    expect(steps).to_contain_text("Pelatihan Manajemen Usaha Mikro")
    expect(steps).to_contain_text("PIRT / halal")
    expect(steps).to_contain_text("Program pemasaran apa pun")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.context.clear_cookies()
    page.goto("/login")
    sign_in_form(page, "pendamping.kebonjayanti")
    page.goto("/kpm")
    expect(page.locator("table.list")).to_contain_text("Modul ekonomi P2K2 dan pelatihan usaha")
    page.goto("/kpm?usaha=tidak")
    page.locator("table.list a").first.click()
    section = page.locator("#jalur")
    expect(section).to_contain_text(KJ_PATHWAY)
    expect(section).to_contain_text("Jalur Kuliner Kiaracondong")
    expect(section).to_contain_text("Belum memenuhi syarat")
    expect(section).to_contain_text("Yang belum terpenuhi:")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    section.screenshot(path=str(tmp_path / "family-next-steps.png"))
