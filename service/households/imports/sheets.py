"""The XLSX files of the import: the template, a refused rows' report, a caseload export.

All three share the contract's columns, so a file goes round: export (or template) -> edit in
a spreadsheet program -> import. Written with xlsxwriter in constant-memory mode; the NIK column
is text (a spreadsheet program would turn 16 digits into a rounded number) and holds only
masked NIKs in a report or an export.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

import xlsxwriter

from service.households.imports.checkins import COLUMNS as CHECKIN_COLUMNS
from service.households.imports.checkins import SHEET as CHECKIN_SHEET
from service.households.imports.contract import COLUMNS, Column
from service.households.imports.values import SHOWN

REASON_HEADER: Final = "alasan"
LINE_HEADER: Final = "baris asal"

EXAMPLE: Final[dict[str, Any]] = {
    "pkh_id": "PKH-3273-000001",
    "nik": "3273164107850001",
    "head_name": "Contoh Nama Pengurus",
    "head_birth_date": date(1985, 7, 1),
    "head_sex": "P",
    "phone": "081200000000",
    "village_code": "32.73.16.1002",
    "address": "Jl. Contoh No. 1, RT 01/RW 02",
    "group": "Melati 1",
    "pkh_status": "aktif",
    "pkh_joined_year": 2019,
    "dtsen_decile": 2,
    "prse": "ya",
    "disability": "tidak",
    "elderly": "tidak",
    "school_age_children": 2,
    "agreed_to_graduate": "ya",
    "business_name": "Kue Basah Contoh",
    "business_sector": "kuliner",
    "business_started_on": date(2021, 3, 1),
    "business_monthly_revenue": 1500000,
    "business_workers": 1,
    "business_has_nib": "tidak",
    "business_has_pirt": "tidak",
    "business_has_halal": "tidak",
    "business_sales_channels": "WhatsApp, bazar",
    "business_needs": "modal, pelatihan",
}
"""The template's example row: synthetic (no real person), and consistent (NIK, village, birth date)."""


def _formats(book: Any) -> dict[str, Any]:
    return {
        "head": book.add_format({"bold": True, "bg_color": "#E8F0E8", "border": 1}),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "reason": book.add_format({"font_color": "#9C0006", "text_wrap": True}),
    }


def _write(sheet: Any, row: int, col: int, value: object, formats: dict[str, Any], column: Column | None) -> None:
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, bool):
        sheet.write_string(row, col, "ya" if value else "tidak")
    elif isinstance(value, int | float) and (column is None or column.kind not in ("text", "nik", "region")):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def template() -> bytes:
    """The template: canonical headers, one example row, drop-down lists for the enumerations."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    formats = _formats(book)
    sheet = book.add_worksheet("KPM")
    lists = book.add_worksheet("daftar")
    list_col = 0
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.name, formats["head"])
        sheet.set_column(
            col,
            col,
            max(12, len(column.name) + 2),
            formats["text"] if column.kind in ("text", "nik", "region") else None,
        )
        _write(sheet, 1, col, EXAMPLE.get(column.name), formats, column)
        validation: dict[str, Any] | None = None
        if column.kind in ("enum", "sex", "bool"):
            values = (
                list(SHOWN[column.choices].values())
                if column.choices
                else (["L", "P"] if column.kind == "sex" else ["ya", "tidak"])
            )
            lists.write_string(0, list_col, column.name)
            for i, value in enumerate(values, start=1):
                lists.write_string(i, list_col, value)
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            validation = {
                "validate": "list",
                "source": f"=daftar!${letter}$2:${letter}${len(values) + 1}",
                "error_title": "Nilai tidak dikenal",
                "error_message": "Pilih salah satu nilai dari daftar.",
            }
            list_col += 1
        elif column.kind in ("int", "rupiah") and column.low is not None:
            validation = {
                "validate": "integer",
                "criteria": ">=",
                "value": int(column.low),
                "error_message": "Isi bilangan bulat yang tidak negatif.",
            }
        if validation is not None:
            sheet.data_validation(1, col, 100_000, col, validation)
    sheet.freeze_panes(1, 0)
    visits = book.add_worksheet(CHECKIN_SHEET)  # optional: business check-ins, stored after the families
    for col, column in enumerate(CHECKIN_COLUMNS):
        visits.write_string(0, col, column.name, formats["head"])
        visits.set_column(col, col, max(12, len(column.name) + 2), formats["text"] if column.kind == "text" else None)
    visits.freeze_panes(1, 0)
    lists.hide()
    book.close()
    return out.getvalue()


def report(header: list[str], rows: Iterable[tuple[int, list[object], str]]) -> bytes:
    """Refused rows as the file had them (NIK masked), each with its original line and the reasons."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    formats = _formats(book)
    sheet = book.add_worksheet("ditolak")
    width = len(header)
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, formats["head"])
    sheet.write_string(0, width, LINE_HEADER, formats["head"])
    sheet.write_string(0, width + 1, REASON_HEADER, formats["head"])
    sheet.set_column(width + 1, width + 1, 60)
    for number, (line, cells, reasons) in enumerate(rows, start=1):
        for col, value in enumerate(cells[:width]):
            if isinstance(value, date):
                _write(sheet, number, col, value, formats, None)
            elif value is not None:
                sheet.write_string(number, col, str(value))
        sheet.write_number(number, width, line)
        sheet.write_string(number, width + 1, reasons, formats["reason"])
    book.close()
    return out.getvalue()


def caseload(rows: Iterable[dict[str, Any]]) -> bytes:
    """A caseload in the template's columns (one row per business, a family without one on one row)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    formats = _formats(book)
    sheet = book.add_worksheet("KPM")
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.name, formats["head"])
        sheet.set_column(col, col, max(12, len(column.name) + 2))
    for number, row in enumerate(rows, start=1):
        for col, column in enumerate(COLUMNS):
            _write(sheet, number, col, shown(column, row.get(column.name)), formats, column)
    book.close()
    return out.getvalue()


def shown(column: Column, value: Any) -> Any:
    """A stored value as the file writes it: labels for enumerations, L/P, lists joined."""
    if value is None:
        return None
    if column.kind == "sex":
        return {"M": "L", "F": "P"}.get(str(value), value)
    if column.kind == "enum" and column.choices:
        return SHOWN[column.choices].get(str(value), str(value))
    if column.kind == "enums" and column.choices:
        labels = SHOWN[column.choices]
        return ", ".join(labels.get(str(v), str(v)) for v in value) or None
    return value
