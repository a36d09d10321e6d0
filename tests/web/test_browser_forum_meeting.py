"""The organiser of Kota Bandung's forum records a meeting in headless Chromium on a phone (390x844):
Forum CSR joins the forum, the meeting is recorded with attendance checkboxes and Forum CSR's
commitment, and the meeting page, its commitments and its printable view are photographed (in the
test's own directory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import sign_in_form

pytestmark = pytest.mark.browser

CSR = "Forum CSR Kota Bandung"
DINSOS = "Dinas Sosial Kota Bandung"
FACILITATOR = "Nenden Sri Rahayu"
SEWING = "Forum CSR mendanai pelatihan menjahit untuk 20 perempuan PRSE di Kebon Jayanti"


def test_organiser_records_a_meeting_on_a_phone(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login")
    sign_in_form(page, "forum.bandung")

    page.get_by_role("link", name="Anggota, rencana kerja dan rapat forum").click()
    expect(page.get_by_role("heading", name="Forum Sinergi Kreatif Kota Bandung")).to_be_visible()
    page.locator('select[name="member"]').select_option(label=f"{CSR} · Lembaga")
    page.locator('form[action$="/anggota"] select[name="role"]').select_option("treasurer")
    page.locator('form[action$="/anggota"] input[name="joined_on"]').fill("2026-01-05")
    page.get_by_role("button", name="Tambah anggota").click()
    members = page.locator("table.fm-members")
    expect(members).to_contain_text(CSR)
    expect(members).to_contain_text("Bendahara")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "forum-members.png"), full_page=True)

    page.get_by_role("link", name="Catat rapat").click()
    expect(page.get_by_role("heading", name="Catat rapat")).to_be_visible()
    page.get_by_label("Tanggal rapat").fill("2026-12-07")
    page.get_by_label("Tempat").fill("Aula Kelurahan Kebon Jayanti")
    page.get_by_label("Agenda").fill("Rencana pelatihan menjahit bagi perempuan PRSE")
    page.get_by_label("Notulen").fill("Forum CSR menyanggupi pendanaan.\nDinas Sosial menyiapkan daftar PRSE.")
    for name in (CSR, DINSOS, FACILITATOR):
        page.get_by_role("checkbox", name=name).check()
    page.locator('select[name="c0_party"]').select_option(label=f"{CSR} · Lembaga")
    page.locator('textarea[name="c0_text"]').fill(SEWING)
    page.locator('input[name="c0_due_on"]').fill("2027-02-28")
    page.locator('select[name="c0_need"]').select_option("training")
    page.locator('select[name="c0_sector"]').select_option("fashion")
    page.locator('select[name="c0_village"]').select_option("32.73.16.1002")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "meeting-form.png"), full_page=True)
    page.get_by_role("button", name="Simpan rapat").click()

    expect(page.get_by_role("heading", name="Rapat forum · 7 Des 2026")).to_be_visible()
    attendance = page.locator("#kehadiran")
    for name in (CSR, DINSOS, FACILITATOR):
        expect(attendance).to_contain_text(name)
    commitments = page.locator("#komitmen")
    expect(commitments).to_contain_text(SEWING)
    expect(commitments.locator("article.commit").first).to_contain_text("Berjalan")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    attendance.screenshot(path=str(tmp_path / "meeting-attendance.png"))
    commitments.screenshot(path=str(tmp_path / "meeting-commitments.png"))

    # The follow-up: Forum CSR's commitment is done.
    first = commitments.locator("article.commit").first
    first.locator('select[name="status"]').select_option("done")
    first.locator('input[name="note"]').fill("20 peserta lulus")
    first.get_by_role("button", name="Simpan").click()
    expect(page.locator("#komitmen article.commit").first).to_contain_text("Selesai")
    page.screenshot(path=str(tmp_path / "meeting-page.png"), full_page=True)

    page.get_by_role("link", name="Cetak notulen (A4)").click()
    expect(page.get_by_role("heading", name="Notulen dan daftar hadir rapat forum")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Tanda tangan")).to_be_visible()
    page.screenshot(path=str(tmp_path / "meeting-print-screen.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.get_by_text("Kembali ke halaman rapat")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "meeting-print.png"), full_page=True)
    pdf = page.pdf(path=str(tmp_path / "meeting.pdf"), format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    for shot in ("forum-members", "meeting-form", "meeting-attendance", "meeting-commitments", "meeting-print"):
        assert (tmp_path / f"{shot}.png").stat().st_size > 1000, shot
