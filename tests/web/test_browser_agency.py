"""Agency staff register a programme with the rule builder in headless Chromium, on a phone-sized screen."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.conftest import DEMO_PASSWORDS
from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser

PRSE = {"field": "household.prse", "op": "eq", "value": True}
BUSINESS = {"field": "business.exists", "op": "eq", "value": True}
NAME = "Pelatihan Olahan Pangan PRSE"


def api_preview(base: str, tree: dict[str, Any], area: str) -> dict[str, Any]:
    """What POST /api/v1/programs/preview answers dinsos.bandung for ``tree`` in ``area``."""
    form = urllib.parse.urlencode({"username": "dinsos.bandung", "password": DEMO_PASSWORDS["dinsos.bandung"]})
    with urllib.request.urlopen(base + "/api/v1/auth/token", data=form.encode()) as response:
        token = json.load(response)["access_token"]
    request = urllib.request.Request(
        base + "/api/v1/programs/preview",
        data=json.dumps({"eligibility": tree, "service_area": [area]}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return dict(json.load(response))


def shown(n: int | None, below: int | None = 5) -> str:
    """A count as the page writes it (1 to 4 withheld; 1 to 9 on a sensitive field, issue 15 #1)."""
    return f"<{below}" if n is None else f"{n:,}".replace(",", ".")


def counts(preview: dict[str, Any]) -> str:
    below = preview["withheld_below"]
    eligible, unknown = shown(preview["eligible"], below), shown(preview["unknown"], below)
    return f"{eligible} keluarga memenuhi syarat, {unknown} belum jelas"


def marker(n: int | None) -> str:
    """The ``data-eligible`` rule-builder.js sets on the preview."""
    return "withheld" if n is None else str(n)


def test_agency_builds_a_rule_sees_the_live_preview_and_publishes(page: object, live_server: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    sign_in_form(page, "dinsos.bandung")

    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Program kami").click()
    expect(page.get_by_role("heading", name="Program kami")).to_be_visible()
    page.get_by_role("link", name="Program baru").click()
    expect(page.get_by_role("heading", name="Program baru")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "agency-form.png"))
    page.get_by_label("Nama program").fill(NAME)
    page.get_by_label("Jenis program").select_option("training")
    page.get_by_label("Kuota", exact=True).fill("30")
    page.get_by_label("Sisa kuota").fill("30")
    area = page.get_by_label("Wilayah layanan (kode wilayah)")
    expect(area).to_have_value("32.73")  # the organisation's own region to start with
    page.get_by_role("checkbox", name="kuliner").check()

    preview = page.locator("#rule-preview")
    one = api_preview(live_server, {"all": [PRSE]}, "32.73")
    two = api_preview(live_server, {"all": [PRSE, BUSINESS]}, "32.73")
    assert one["eligible"] != two["eligible"], (one, two)

    # First criterion: household.prse eq yes, added in the page (no reload) with JavaScript on.
    page.locator('select[name="add:r"]').select_option("household.prse")
    page.get_by_role("button", name="Tambah syarat").click()
    first = page.locator('li.rb-row[data-path="r.0"]')
    expect(first.locator('select[name="o:r.0"]')).to_have_value("eq")
    expect(first.locator('select[name="v:r.0"]')).to_have_value("true")
    expect(preview).to_have_attribute("data-eligible", marker(one["eligible"]))
    expect(preview).to_contain_text(counts(one))
    assert page.url.endswith("/lembaga/program/baru")

    # Second criterion: business.exists eq yes; the count changes as it is added.
    page.locator('select[name="add:r"]').select_option("business.exists")
    page.get_by_role("button", name="Tambah syarat").click()
    second = page.locator('li.rb-row[data-path="r.1"]')
    expect(second.locator('select[name="v:r.1"]')).to_have_value("true")
    expect(preview).to_have_attribute("data-eligible", marker(two["eligible"]))
    expect(preview).to_contain_text(counts(two))
    expect(page.locator("#rule-words")).to_contain_text(
        "Terdaftar PRSE sama dengan ya; Memiliki usaha mikro sama dengan ya"
    )

    # The operator list follows the field: a number field offers "antara" and two inputs.
    page.locator('select[name="add:r"]').select_option("head.age")
    page.get_by_role("button", name="Tambah syarat").click()
    third = page.locator('li.rb-row[data-path="r.2"]')
    third.locator('select[name="o:r.2"]').select_option("between")
    expect(third.locator('input[name="w:r.2"]')).to_be_visible()
    third.locator('select[name="f:r.2"]').select_option("business.sector")
    expect(third.locator('select[name="o:r.2"] option')).to_have_count(5)
    expect(third.locator('input[name="w:r.2"]')).to_have_count(0)
    third.get_by_role("button", name="Hapus syarat").click()
    expect(page.locator("li.rb-row")).to_have_count(2)
    expect(preview).to_have_attribute("data-eligible", marker(two["eligible"]))

    page.locator("summary", has_text="Aturan dalam JSON").click()
    expect(page.locator("#rule-json")).to_contain_text('"business.exists"')
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#rule-builder").scroll_into_view_if_needed()
    page.locator("#rule-builder").screenshot(path=str(ARTIFACTS / "agency-rule-builder.png"))
    page.screenshot(path=str(ARTIFACTS / "agency-form-full.png"), full_page=True)

    page.get_by_role("button", name="Simpan dan terbitkan").click()
    expect(page.get_by_role("status")).to_have_text("Tersimpan dan terbit: pendamping dapat melihatnya.")
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    history = page.get_by_role("region", name="Riwayat perubahan")
    expect(history).to_contain_text("diterbitkan")
    expect(history).to_contain_text("Status: Draf → Aktif")
    expect(history).to_contain_text("dibuat")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "agency-saved.png"))
    history.screenshot(path=str(ARTIFACTS / "agency-history.png"))

    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Program kami").click()
    row = page.locator("tr", has=page.get_by_role("link", name=NAME, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator(".sbadge")).to_have_text("Aktif")
    expect(row).to_contain_text("30 / 30 peserta")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "agency-programs.png"), full_page=True)

    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Permintaan").click()
    expect(page.get_by_role("heading", name="Permintaan di wilayah layanan")).to_be_visible()
    expect(page.locator("tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "agency-demand.png"), full_page=True)


def test_the_rule_builder_works_without_javascript(page: object, live_server: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        plain = context.new_page()
        plain.goto("/login?next=/lembaga/program/baru")
        sign_in_form(plain, "dinsos.bandung")
        plain.get_by_label("Nama program").fill("Bazar KPM")
        plain.locator('select[name="add:r"]').select_option("household.prse")
        plain.get_by_role("button", name="Tambah syarat").click()  # a round trip
        expect(plain.get_by_label("Nama program")).to_have_value("Bazar KPM")
        expect(plain.locator('li.rb-row[data-path="r.0"] select[name="f:r.0"]')).to_have_value("household.prse")
        plain.get_by_role("button", name="Hitung pratinjau").click()
        expected = api_preview(live_server, {"all": [PRSE]}, "32.73")
        expect(plain.locator("#rule-preview")).to_contain_text(
            f"{shown(expected['eligible'])} keluarga memenuhi syarat"
        )
        plain.get_by_role("button", name="Simpan sebagai draf").click()
        expect(plain.get_by_role("status")).to_have_text("Tersimpan sebagai draf.")
        expect(plain.locator("h1")).to_have_text("Bazar KPM")
        plain.screenshot(path=str(ARTIFACTS / "agency-no-js-saved.png"))
    finally:
        context.close()
