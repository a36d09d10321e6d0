"""A facilitator imports a caseload file in headless Chromium: two rows are refused, she reads why,
fixes them in the file of refused rows and finds all her new families, with their matches.

The server is ``jejaring serve`` (the jobs consumer runs beside the app, as on a small site)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.factories import KEBON_JAYANTI
from tests.imports.helpers import INDONESIAN_HEADER, csv_bytes, family
from tests.web.conftest import ARTIFACTS, sign_in_form

pytestmark = pytest.mark.browser

GROUP = "Anggrek Impor"
HEADER = (*INDONESIAN_HEADER, "Bersedia Graduasi", "Nama Usaha", "Mulai Usaha", "Kebutuhan Usaha")
NAMES = (
    "Siti Aminah Impor",
    "Dewi Lestari Impor",
    "Euis Komariah Impor",
    "Neneng Hasanah Impor",
    "Yati Suryati Impor",
    "Imas Masitoh Impor",
    "Tati Rohayati Impor",
    "Lilis Karlina Impor",
)
BAD_DATE = 2  # index of the row whose birth date does not exist
BAD_NIK = 5  # index of the row whose NIK lost a digit
FIRST_LINE = 3  # a title row, then the header, then the families


@pytest.fixture
def live_server(live_server_with_jobs: str) -> Iterator[str]:
    yield live_server_with_jobs


def families() -> list[dict[str, Any]]:
    """Eight women of 35 in Kebon Jayanti who run food stalls and agreed to graduate."""
    rows = []
    for i, name in enumerate(NAMES):
        row = family(
            7300 + i,
            village=KEBON_JAYANTI,
            born=date(1991, 5, 10 + i),
            group=GROUP,
            revenue="2.500.000",
            **{
                "Nama Pengurus": name,
                "Bersedia Graduasi": "Ya",
                "Nama Usaha": f"Warung {name.split()[0]}",
                "Mulai Usaha": "01/03/2024",
                "Kebutuhan Usaha": "modal",
            },
        )
        rows.append(row)
    return rows


def bad(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [dict(r) for r in rows]
    rows[BAD_DATE]["Tanggal Lahir"] = "31/02/1991"
    rows[BAD_NIK]["NIK Pengurus"] = rows[BAD_NIK]["NIK Pengurus"][:15]
    return rows


def start_import(page: Any, path: Path, *, partial: bool) -> None:
    """From the caseload: the import link, the file, the preview, the start button."""
    from playwright.sync_api import expect

    page.goto("/kpm")
    page.get_by_role("link", name="Impor dari berkas").click()
    expect(page.get_by_role("heading", name="Impor data KPM")).to_be_visible()
    page.get_by_label("Berkas (CSV atau XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_role("heading", name="Periksa kolom sebelum impor")).to_be_visible()
    if partial:
        page.get_by_label("Simpan baris yang benar walaupun ada baris yang ditolak").check()
    page.get_by_role("button", name="Mulai impor").click()
    # The job page refreshes itself (Refresh: 2) until the import is done.
    expect(page.locator("#report")).to_be_visible(timeout=30_000)


def counts(page: Any) -> dict[str, int]:
    return {
        name: int(page.locator(f'[data-count="{name}"]').inner_text())
        for name in ("rows", "created", "updated", "unchanged", "refused")
    }


def download_refused(page: Any, target: Path, name: str | None = None) -> list[dict[str, Any]]:
    """Download the refused rows' XLSX and read it back as {header: value} rows."""
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Unduh baris yang ditolak")).click()
    download = info.value
    assert download.suggested_filename == name if name else download.suggested_filename.endswith("-ditolak.xlsx")
    download.save_as(str(target))
    sheet = load_workbook(target).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = [str(h) for h in values[0]]
    return [dict(zip(header, r, strict=False)) for r in values[1:]]


def all_cells(path: Path) -> list[str]:
    return [str(v) for row in load_workbook(path).active.iter_rows(values_only=True) for v in row if v is not None]


def test_facilitator_imports_fixes_the_refused_rows_and_finds_her_new_families(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    good = families()
    niks = [r["NIK Pengurus"] for r in good]
    original = tmp_path / "DATA KPM – Kebon Jayanti.csv"  # a dash, as word processors type it
    original.write_bytes(csv_bytes(bad(good), header=HEADER))

    page.goto("/")
    sign_in_form(page, "pendamping.kebonjayanti")
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="KPM", exact=True).click()
    expect(page.locator(".count")).to_contain_text("350 KPM")

    # 1. Upload: the preview shows how the columns were read and the first rows, NIK masked.
    page.get_by_role("link", name="Impor dari berkas").click()
    page.get_by_label("Berkas (CSV atau XLSX)").set_input_files(str(original))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_role("heading", name="Periksa kolom sebelum impor")).to_be_visible()
    expect(page.get_by_text("judul kolom di baris 2")).to_be_visible()
    mapping = page.locator("#mapping")
    nik_row = mapping.locator("tr").filter(has=page.get_by_role("cell", name="NIK Pengurus", exact=True))
    expect(nik_row.get_by_role("cell").nth(1)).to_have_text("NIK *")
    no_row = mapping.locator("tr").filter(has=page.get_by_role("cell", name="No", exact=True))
    expect(no_row.get_by_role("cell").nth(1)).to_have_text("(tidak dipakai)")
    first_rows = page.locator("#rows tbody tr")
    expect(first_rows).to_have_count(5)
    expect(first_rows.first).to_contain_text(NAMES[0])
    expect(first_rows.first).to_contain_text("************" + niks[0][-4:])
    for nik in niks:
        expect(page.get_by_text(nik)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    # 2. All or nothing (the default): two rows refused, so nothing is stored; each reason is listed.
    page.get_by_role("button", name="Mulai impor").click()
    expect(page.locator("#report")).to_be_visible(timeout=30_000)
    expect(page.locator("#state")).to_contain_text("Tidak ada yang disimpan")
    # The counts say what storing the right rows would give (the caseload still has 350 families).
    expect(page.locator("#state")).to_contain_text("bila baris yang benar disimpan")
    assert counts(page) == {"rows": 8, "created": 6, "updated": 0, "unchanged": 0, "refused": 2}
    refused = page.locator("#refused tbody tr")
    expect(refused).to_have_count(2)
    date_line, nik_line = FIRST_LINE + BAD_DATE, FIRST_LINE + BAD_NIK
    expect(refused.nth(0).get_by_role("cell").nth(0)).to_have_text(str(date_line))
    expect(refused.nth(0).get_by_role("cell").nth(1)).to_have_text("Tanggal Lahir")
    expect(refused.nth(0).get_by_role("cell").nth(2)).to_contain_text("31/02/1991")
    expect(refused.nth(1).get_by_role("cell").nth(0)).to_have_text(str(nik_line))
    expect(refused.nth(1).get_by_role("cell").nth(1)).to_have_text("NIK Pengurus")
    expect(refused.nth(1).get_by_role("cell").nth(2)).to_contain_text("16")
    page.screenshot(path=str(ARTIFACTS / "import-refused.png"), full_page=True)

    report = download_refused(page, tmp_path / "first-ditolak.xlsx", "DATA KPM – Kebon Jayanti-ditolak.xlsx")
    assert [r["baris asal"] for r in report] == [date_line, nik_line]
    assert [r["Nama Pengurus"] for r in report] == [NAMES[BAD_DATE], NAMES[BAD_NIK]]
    assert "Tanggal Lahir" in report[0]["alasan"] and "31/02/1991" in report[0]["alasan"]
    assert "NIK Pengurus" in report[1]["alasan"]
    assert report[0]["NIK Pengurus"] == "************" + niks[BAD_DATE][-4:]
    assert report[1]["NIK Pengurus"] == "***********" + niks[BAD_NIK][11:15]
    cells = all_cells(tmp_path / "first-ditolak.xlsx")
    assert not any(nik in cell or nik[:15] in cell for nik in niks for cell in cells)

    # 3. As the page suggests: upload the file again, keeping the right rows this time ...
    start_import(page, original, partial=True)
    expect(page.locator("#state")).to_contain_text("tersimpan")
    assert counts(page) == {"rows": 8, "created": 6, "updated": 0, "unchanged": 0, "refused": 2}

    # ... then fix the two refused rows in the downloaded file (the masked NIK of the row whose NIK
    # was right may stay as it is) and upload that file.
    fixed = tmp_path / "ditolak-diperbaiki.xlsx"
    report = download_refused(page, fixed)
    assert [r["baris asal"] for r in report] == [date_line, nik_line]
    book = load_workbook(fixed)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    birth, nik_col = header.index("Tanggal Lahir") + 1, header.index("NIK Pengurus") + 1
    sheet.cell(row=2, column=birth).value = datetime(1991, 5, 10 + BAD_DATE)
    sheet.cell(row=2, column=birth).number_format = "dd/mm/yyyy"
    sheet.cell(row=3, column=nik_col).value = niks[BAD_NIK]
    book.save(fixed)
    start_import(page, fixed, partial=False)
    expect(page.locator("#state")).to_contain_text("tersimpan")
    assert counts(page) == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "refused": 0}
    expect(page.locator("#refused")).to_have_count(0)

    # 4. The caseload has the eight new families, in their new group.
    page.get_by_role("link", name="Ke daftar KPM").click()
    expect(page.locator(".count")).to_contain_text("358 KPM")
    page.get_by_label("Kelompok").select_option(label=GROUP)
    page.get_by_role("button", name="Terapkan").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(8)
    for name in NAMES:
        expect(rows.filter(has_text=name)).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "import-caseload.png"), full_page=True)

    # The family whose birth date was fixed: 35, a food stall, and PENA Berdikari among her matches.
    rows.filter(has_text=NAMES[BAD_DATE]).get_by_role("link").first.click()
    expect(page.get_by_text(NAMES[BAD_DATE]).first).to_be_visible()
    expect(page.get_by_text("35 tahun")).to_be_visible()
    eligible = page.get_by_role("region", name=re.compile(r"^Memenuhi syarat"))
    expect(eligible.get_by_role("heading", name="PENA Berdikari", exact=True)).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "import-household.png"), full_page=True)
