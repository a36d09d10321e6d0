"""The dashboard's exports for the forum meeting: one table as CSV (``/forum/ekspor.csv?table=...``)
or every table in one workbook (``/forum/ekspor.xlsx``, one sheet a table), all rows, in the page
language. The same gate and query as ``/forum``; counts of 1 to 4 households stay withheld
(``<5``) for non-admins."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from fastapi import APIRouter, Request
from fastapi.responses import Response

from mapping.privacy import MIN_HOUSEHOLDS
from service import network
from service.deps import SessionDep, SettingsDep, request_id
from service.i18n import translator
from service.network import METRIC_COLUMNS, Dashboard
from service.web.forum.dashboard import COLUMNS, DIGITS, EXPORT_TABLES, GATE, dashboard_or_page, sampled_text
from service.web.kit import csv_cell, error_page, value_word, viewer_for

router = APIRouter(include_in_schema=False)

WITHHELD = f"<{MIN_HOUSEHOLDS}"


# --- cells ------------------------------------------------------------------------------------


def export_number(value: Any, lang: str) -> str:
    """A number for the CSV: no grouping, four decimals with the language's separator, ``""`` when missing."""
    if value is None:
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    text = f"{float(value):.4f}"
    return text.replace(".", ",") if lang == "id" else text


def count_cell(n: int | None) -> int | str:
    """A household count as exported: the number, or ``<5`` when withheld."""
    return WITHHELD if n is None else n


# --- the tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    digits: dict[int, int] = field(default_factory=dict)  # column index -> decimals (numbers only)


def _summary_table(d: Dashboard, lang: str) -> Table:
    t = translator(lang)
    f = d.figures
    load = d.gaps["load"]["summary"]
    rows: list[list[Any]] = [
        [t("home.region"), f"{d.region_name} ({d.region})"],
        [t("home.forum"), d.forum.name if d.forum else "–"],
        [t("fo.date"), d.today.isoformat()],
        [t("fo.fig.nodes"), f["nodes"]],
        *[[f"{t('fo.fig.nodes')}: {t('fo.kind.' + k)}", n] for k, n in f["nodes_by_kind"].items()],
        [t("fo.fig.edges"), f["edges"]],
        *[[f"{t('fo.fig.edges')}: {t('fo.edge.' + k)}", n] for k, n in f["edges_by_type"].items()],
        [t("fo.fig.density"), f["density"]],
        [t("fo.fig.components"), f["components"]],
        [t("fo.fig.largest"), f["largest_component_nodes"]],
        [t("fo.fig.diameter"), f["diameter"]],
        [t("fo.fig.avg_path"), f["average_path_length"]],
        [t("fo.fig.communities"), len(f["communities"])],
        [t("fo.fig.method_label"), t("fo.method." + f["community_method"])],
        [t("fo.fig.exactness"), sampled_text(d, lang) or t("fo.fig.exact")],
        *[
            [f"{t('fo.table.unmet')}: {value_word(need, lang)}", count_cell(n)]
            for need, n in d.gaps["unmet_by_need"].items()
        ],
        [t("fo.load.facilitators"), load["facilitators"]],
        [t("fo.load.over").format(mark=load["mark"]), load["over_mark"]],
        [t("fo.load.median"), load["median"]],
        [t("fo.load.max"), load["max"]],
    ]
    if d.invitations is not None:
        rows.append([t("fo.inv.unmet_units"), count_cell(d.invitations["unmet_units"])])
    return Table("summary", t("fo.table.summary"), [t("fo.col.figure"), t("fo.col.value")], rows, {1: 3})


def export_tables(d: Dashboard, lang: str) -> dict[str, Table]:
    """Every table of the dashboard, all rows, in the page language."""
    t = translator(lang)
    st_headers = [t(f"fo.col.{c}") for c in COLUMNS]
    stakeholders = [
        [r["label"], t(f"fo.kind.{r['kind']}"), r["community"] or "", *[r[c] for c in METRIC_COLUMNS]]
        for r in d.stakeholders
    ]
    st_digits = {i: DIGITS.get(c, 0) for i, c in enumerate(COLUMNS)}
    g = d.gaps
    unmet = [
        [
            u["village_name"] or u["village_code"],
            u["village_code"],
            value_word(u["need"], lang),
            value_word(u["sector"], lang) if u["sector"] else "",
            count_cell(u["households"]),
        ]
        for u in g["unmet_demand"]
    ]
    unused = [[u["name"], u["organization"], count_cell(u["eligible_households"])] for u in g["unused_supply"]]
    isolated = [[i["label"], t(f"fo.kind.{i['kind']}"), t(f"fo.iso.{i['reason']}")] for i in g["isolated"]]
    mark = g["load"]["summary"]["mark"]
    load = [[f["name"], f["households"], value_word(bool(f["over_mark"]), lang)] for f in g["load"]["facilitators"]]
    invitations = [
        [
            i + 1,
            inv["label"],
            count_cell(inv["marginal_households"]),
            count_cell(inv["marginal_units"]),
            count_cell(inv["cumulative_units"]),
            "; ".join(inv["programs"]),
            inv["reason"],
        ]
        for i, inv in enumerate(d.invitations["invitations"] if d.invitations else [])
    ]
    return {
        "summary": _summary_table(d, lang),
        "stakeholders": Table("stakeholders", t("fo.table.stakeholders"), st_headers, stakeholders, st_digits),
        "unmet": Table(
            "unmet",
            t("fo.table.unmet"),
            [t("home.village"), t("fo.col.village_code"), t("fo.col.need"), t("fo.col.sector"), t("fo.col.households")],
            unmet,
        ),
        "unused": Table(
            "unused", t("fo.table.unused"), [t("home.program"), t("home.organization"), t("fo.col.eligible")], unused
        ),
        "isolated": Table(
            "isolated", t("fo.table.isolated"), [t("fo.col.label"), t("fo.col.kind"), t("fo.col.reason")], isolated
        ),
        "load": Table(
            "load",
            t("fo.table.load"),
            [t("home.facilitators"), t("fo.col.caseload"), t("fo.col.over").format(mark=mark)],
            load,
        ),
        "invitations": Table(
            "invitations",
            t("fo.table.invitations"),
            [
                t("fo.col.rank"),
                t("home.organization"),
                t("fo.col.marginal_households"),
                t("fo.col.marginal_units"),
                t("fo.col.cumulative_units"),
                t("home.programs"),
                t("fo.col.reason"),
            ],
            invitations,
        ),
    }


# --- the files --------------------------------------------------------------------------------


def csv_bytes(table: Table, lang: str) -> str:
    """The table as CSV text with a byte-order mark; text cells kept from running as formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(cell) if isinstance(cell, str) else export_number(cell, lang) for cell in row])
    return "\ufeff" + out.getvalue()


def xlsx_bytes(tables: dict[str, Table]) -> bytes:
    """One sheet a table; text always written as text (never a formula), numbers as numbers."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(buffer, options)
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {d: book.add_format({"num_format": "0." + "0" * d if d else "0"}) for d in range(4)}
    for table in tables.values():
        sheet = book.add_worksheet(_sheet_name(table.title))
        for j, header in enumerate(table.headers):
            sheet.write_string(0, j, header, bold)
        widths = [min(max(len(h), 8), 40) for h in table.headers]
        for i, row in enumerate(table.rows, start=1):
            for j, cell in enumerate(row):
                if cell is None:
                    sheet.write_blank(i, j, None)
                elif isinstance(cell, bool) or not isinstance(cell, int | float):
                    sheet.write_string(i, j, str(cell))
                    widths[j] = min(max(widths[j], len(str(cell))), 60)
                else:
                    digits = table.digits.get(j, 0)
                    fmt = formats[0] if isinstance(cell, int) or float(cell).is_integer() else formats[min(digits, 3)]
                    sheet.write_number(i, j, cell, fmt)
        for j, width in enumerate(widths):
            sheet.set_column(j, j, width + 2)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel's limits: 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def _filename(d: Dashboard, suffix: str) -> str:
    return f"jejaring-forum-{d.region}-{d.today.isoformat()}{suffix}"


# --- routes -----------------------------------------------------------------------------------


@router.get("/forum/ekspor.csv")
def forum_export_csv(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One table of the dashboard as CSV (all rows): ``table=stakeholders|unmet|unused|isolated|load|invitations``."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    table = request.query_params.get("table") or "stakeholders"
    if table not in EXPORT_TABLES:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t("fo.f.table")))
    found = dashboard_or_page(request, session, settings, viewer)
    if isinstance(found, Response):
        return found
    _, d = found
    content = csv_bytes(export_tables(d, viewer.lang)[table], viewer.lang)
    network.record_dashboard_export(session, viewer.scope, region=d.region, what=table, request_id=request_id(request))
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(d, "-" + table + ".csv")}"'},
    )


@router.get("/forum/ekspor.xlsx")
def forum_export_xlsx(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Every table of the dashboard in one workbook, one sheet a table."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    found = dashboard_or_page(request, session, settings, viewer)
    if isinstance(found, Response):
        return found
    _, d = found
    content = xlsx_bytes(export_tables(d, viewer.lang))
    network.record_dashboard_export(session, viewer.scope, region=d.region, what="xlsx", request_id=request_id(request))
    return Response(
        content=content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(d, ".xlsx")}"'},
    )
