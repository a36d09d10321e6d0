"""A meeting as an XLSX workbook, in the page language: the meeting (date, place, agenda, minutes),
its attendance (with an empty signature column, as on paper) and its commitments."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from models.forums import MeetingPublic
from service.i18n import translator
from service.web.forum.words import labels
from service.web.kit import short_date, value_word

OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def _sheet(book: Any, title: str, headers: list[str], rows: list[list[str]], widths: list[int]) -> None:
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    sheet = book.add_worksheet(title[:31])
    for j, header in enumerate(headers):
        sheet.write_string(0, j, header, bold)
        sheet.set_column(j, j, widths[j])
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row):
            sheet.write_string(i, j, cell, wrap)
    sheet.freeze_panes(1, 0)


def meeting_xlsx(m: MeetingPublic, lang: str) -> bytes:
    """The workbook's bytes: text always written as text (a minute starting with ``=`` is no formula)."""
    t = translator(lang)
    words = labels(t)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, OPTIONS)
    _sheet(
        book,
        t("fm.meeting.title"),
        [t("fm.col.what"), t("fm.col.value")],
        [
            [t("fm.forum"), m.forum_name],
            [t("fm.f.held_on"), short_date(m.held_on, lang)],
            [t("fm.f.place"), m.place or ""],
            [t("fm.f.agenda"), m.agenda or ""],
            [t("fm.f.minutes"), m.minutes or ""],
        ],
        [20, 90],
    )
    _sheet(
        book,
        t("fm.f.attendance"),
        ["#", t("fm.col.name"), t("fm.col.kind"), t("fm.f.role"), t("fm.col.signature")],
        [
            [str(i), a.name, words["kind_word"](a.member_kind.value), words["role_word"](a.role) if a.role else "", ""]
            for i, a in enumerate(m.attendance, start=1)
        ],
        [5, 40, 16, 16, 30],
    )
    _sheet(
        book,
        t("fm.commitments"),
        [
            "#",
            t("fm.f.party"),
            t("fm.f.text"),
            t("fm.f.due"),
            t("fm.f.program"),
            t("fm.f.need"),
            t("fm.f.sector"),
            t("fm.f.village"),
            t("fm.f.status"),
            t("fm.f.note"),
        ],
        [
            [
                str(i),
                c.party_name,
                c.text,
                c.due_on.isoformat() if c.due_on else "",
                c.program_name or "",
                value_word(c.need, lang) if c.need else "",
                value_word(c.sector, lang) if c.sector else "",
                f"{c.village_name} ({c.village_code})" if c.village_code else "",
                words["cs_word"](c.status.value),
                c.note or "",
            ]
            for i, c in enumerate(m.commitments, start=1)
        ],
        [5, 30, 50, 12, 30, 14, 14, 28, 12, 40],
    )
    book.close()
    return buffer.getvalue()
