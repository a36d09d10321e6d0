"""The caseload (``/kpm``), its screening table (``/kpm/skrining``) and the table as CSV
(``/kpm/skrining.csv``): facilitators see their families, admins every family."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from models.eligibility import NEEDS, SECTORS
from models.users import Role
from service import pathways
from service.core.regions import region_names
from service.deps import SessionDep, SettingsDep, request_id
from service.graduation import followed_up
from service.households import households_due
from service.households.caseload import (
    Caseload,
    CaseloadFilter,
    Choice,
    group_choices,
    group_names,
    load_caseload,
    screening_columns,
)
from service.i18n import N_, translator
from service.settings import Settings
from service.web.kit import Gate, csv_cell, error_page, page_window, render, value_word, viewer_for, whole_number

if TYPE_CHECKING:
    from sqlmodel import Session

router = APIRouter(include_in_schema=False)

# Facilitators and admins; anyone else is told households are not for their role. A facilitator
# without a facilitator record sees the pages with a note instead of families.
GATE = Gate(
    roles=(Role.facilitator, Role.admin), refused=N_("error.households_forbidden"), refused_status=403, linked=False
)
PAGE_SIZE = 50
# The screening table pages its rows so that a page stays well under 200 KB uncompressed (weak
# signal, no compression on the wire): a row costs about SCREEN_ROW_BYTES plus SCREEN_CELL_BYTES a
# programme column. A caseload of 350 against the handful of programmes of its area fits on one
# page; an admin's view of every household against every programme is paged.
SCREEN_BYTES = 170_000
SCREEN_ROW_BYTES = 120
SCREEN_CELL_BYTES = 45
SCREEN_MAX_ROWS = 500
CHOICES = ("ya", "tidak", "semua")


class BadFilter(Exception):
    """A query parameter of the caseload filter that is not one of the form's options."""

    def __init__(self, label_key: str) -> None:
        super().__init__(label_key)
        self.label_key = label_key


@dataclass(frozen=True)
class CaseloadQuery(CaseloadFilter):
    """The caseload filter as read from the query string; ``query`` writes it back for links."""

    def query(self, *, page: int = 1) -> str:
        """The query string of this filter (on ``page``), for links."""
        params: dict[str, str] = {"usaha": self.business}
        if self.need:
            params["kebutuhan"] = self.need
        if self.sector:
            params["sektor"] = self.sector
        if self.group_id is not None:
            params["kelompok"] = str(self.group_id)
        if self.eligible != "semua":
            params["layak"] = self.eligible
        if page > 1:
            params["hal"] = str(page)
        return urlencode(params)


def parse_filter(params: Mapping[str, str], *, groups: Mapping[int, str], default_business: str) -> CaseloadQuery:
    """Read the filter; an unknown value raises ``BadFilter`` naming the field (never echoing it)."""

    def choice(name: str, label_key: str, allowed: Sequence[str], default: str | None) -> str | None:
        value = params.get(name)
        if value is None or value == "":
            return default
        if value not in allowed:
            raise BadFilter(label_key)
        return value

    business = choice("usaha", "kpm.f.business", CHOICES, default_business) or default_business
    eligible = choice("layak", "kpm.f.eligible", CHOICES, "semua") or "semua"
    need = choice("kebutuhan", "kpm.f.need", NEEDS, None)
    sector = choice("sektor", "kpm.f.sector", SECTORS, None)
    group_id = None
    raw_group = params.get("kelompok")
    if raw_group:
        group_id = whole_number(raw_group)
        if group_id is None or group_id not in groups:
            raise BadFilter("kpm.f.group")
    page = whole_number(params.get("hal") or "1")
    if page is None or page < 1:
        raise BadFilter("page.label")
    return CaseloadQuery(_as_choice(business), need, sector, group_id, _as_choice(eligible), page)


def _as_choice(value: str) -> Choice:
    if value == "ya":
        return "ya"
    if value == "tidak":
        return "tidak"
    return "semua"


def filter_summary(f: CaseloadFilter, groups: Mapping[int, str], t: Any, lang: str) -> list[str]:
    """What the filter keeps, in words: ``["dengan usaha mikro", "bidang usaha: kuliner"]``."""
    parts = []
    if f.business == "ya":
        parts.append(t("kpm.d.with_business"))
    elif f.business == "tidak":
        parts.append(t("kpm.d.without_business"))
    if f.sector:
        parts.append(f"{t('kpm.f.sector').lower()}: {value_word(f.sector, lang)}")
    if f.need:
        parts.append(f"{t('kpm.f.need').lower()}: {value_word(f.need, lang)}")
    if f.group_id is not None:
        parts.append(groups.get(f.group_id, ""))
    if f.eligible == "ya":
        parts.append(t("kpm.d.eligible"))
    elif f.eligible == "tidak":
        parts.append(t("kpm.d.not_eligible"))
    return parts


def _caseload_request(
    request: Request, session: Session, settings: Settings, *, default_business: str, screen: bool, action: str
) -> dict[str, Any] | Response:
    """Shared by the caseload and screening pages: who asks, their groups, the filter and the rows."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    groups = group_choices(session, viewer.scope)
    try:
        f = parse_filter(request.query_params, groups=groups, default_business=default_business)
    except BadFilter as exc:
        message = t("error.bad_filter").format(field=t(exc.label_key))
        return error_page(request, settings, viewer.user, 422, message)
    caseload = load_caseload(
        session, viewer.scope, f, today=settings.today(), screen=screen, request_id=request_id(request), action=action
    )
    return {
        "user": viewer.user,
        "lang": viewer.lang,
        "f": f,
        "groups": groups,
        "caseload": caseload,
        "summary": filter_summary(f, groups, t, viewer.lang),
        "unlinked": not viewer.scope.linked,
    }


@router.get("/kpm", response_class=HTMLResponse)
def caseload_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The facilitator's households, filtered, 50 a page."""
    data = _caseload_request(request, session, settings, default_business="semua", screen=False, action="list")
    if isinstance(data, Response):
        return data
    caseload: Caseload = data["caseload"]
    page, pages, start = page_window(len(caseload.households), PAGE_SIZE, data["f"].page)
    rows = caseload.households[start : start + PAGE_SIZE]
    context = {
        **data,
        "action": "/kpm",
        "rows": rows,
        "villages": region_names(session, [h.village_code for h in rows]),
        "group_names": group_names(session, rows),
        "due": households_due(  # graduated families: check-ins due for 12 months after leaving PKH
            session,
            [h.id for h in rows if h.id is not None and followed_up(h, settings.today())],
            today=settings.today(),
        ),
        "next_steps": pathways.caseload_next_steps(session, rows, today=settings.today()),  # one screening of the page
        "page": page,
        "pages": pages,
    }
    return render(request, settings, "kpm_list.html", context, user=data["user"])


@router.get("/kpm/skrining", response_class=HTMLResponse)
def screening_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Households x programmes: who is eligible (✓), may be (?) or is not (–)."""
    data = _caseload_request(request, session, settings, default_business="ya", screen=True, action="screen")
    if isinstance(data, Response):
        return data
    caseload: Caseload = data["caseload"]
    columns = screening_columns(caseload)
    row_bytes = SCREEN_ROW_BYTES + SCREEN_CELL_BYTES * len(columns)
    per_page = max(PAGE_SIZE, min(SCREEN_MAX_ROWS, SCREEN_BYTES // row_bytes))
    page, pages, start = page_window(len(caseload.households), per_page, data["f"].page)
    indexes = [i for i, *_ in columns]
    codes = caseload.codes
    rows = [
        (h, codes[indexes, j].tolist() if indexes and codes is not None else [])
        for j, h in enumerate(caseload.households[start : start + per_page], start=start)
    ]
    context = {**data, "action": "/kpm/skrining", "columns": columns, "rows": rows, "page": page, "pages": pages}
    return render(request, settings, "kpm_screening.html", context, user=data["user"])


@router.get("/kpm/skrining.csv")
def screening_csv(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The screening table as CSV (all rows, no paging): PKH id, head's name, one column a programme."""
    data = _caseload_request(request, session, settings, default_business="ya", screen=True, action="export")
    if isinstance(data, Response):
        return data
    caseload: Caseload = data["caseload"]
    t = translator(data["lang"])
    columns = screening_columns(caseload)
    words = {2: t("scr.eligible"), 1: t("scr.unknown"), 0: t("scr.ineligible")}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t("kpm.col.pkh_id"), t("kpm.col.head")] + [csv_cell(p.name) for _, p, _, _ in columns])
    codes = caseload.codes
    for j, h in enumerate(caseload.households):
        cells = [words[int(codes[i, j])] for i, *_ in columns] if codes is not None else []
        writer.writerow([csv_cell(h.pkh_id), csv_cell(h.head_name), *cells])
    filename = f"skrining-kpm-{settings.today().isoformat()}.csv"
    return Response(
        # A byte-order mark so that spreadsheet programs read the file as UTF-8.
        content="\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
