"""The forum organiser's dashboard (``/forum``): the network's figures, a sortable table of its
stakeholders, the gaps (unmet demand, unused supply, isolated stakeholders, facilitators' load),
the forum's invitation list, and exports for the forum meeting (``/forum/ekspor.csv?table=...``
and ``/forum/ekspor.xlsx``, one sheet a table).

Organisers see their forum's region (or a narrower region inside it, ``?region=``); admins name
the region (``?region=``) or a forum (``?forum_id=``). Everyone else gets a 404 page. Everything
comes from ``service.network`` and ``service.network_advice`` and is counts only: counts of 1 to 4
households stay withheld (``<5``) for non-admins, on the page and in the exports.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

import xlsxwriter
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from mapping import labels
from mapping import network as net
from mapping.privacy import MIN_HOUSEHOLDS as SMALL_COUNT
from models.network import Forum
from models.types import REGION_CODE_PATTERN
from models.users import Role
from service import network as advice
from service import network as svc
from service.core.regions import region_names
from service.core.scope import Scope
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput, NotFound
from service.i18n import translator
from service.settings import Settings
from service.web.kit import Viewer, csv_cell, decimal, error_page, render, signed_in

router = APIRouter(include_in_schema=False)

FORUM_ROLES = (Role.forum_organizer, Role.admin)
# Rows a section shows; the exports hold them all. Every section full, with long names, is about
# 170 KB of HTML (tests/web/test_forum_pages.py keeps it under 200 KB).
SHOWN = {"stakeholders": 200, "unmet": 150, "unused": 100, "isolated": 100, "load": 100}
TABLE_KINDS = ("organization", "program", "facilitator", "forum")
TEXT_COLUMNS = ("label", "kind", "community")
METRIC_COLUMNS = (
    "degree",
    "weighted_degree",
    "betweenness",
    "closeness",
    "pagerank",
    "two_step_reach",
    "constraint",
    "effective_size",
)
COLUMNS = TEXT_COLUMNS + METRIC_COLUMNS
# Decimals shown; the scores always show them, the weighted degree only when it is not whole.
DIGITS = {"weighted_degree": 1, "betweenness": 3, "closeness": 3, "pagerank": 3, "constraint": 3, "effective_size": 2}
FIXED = frozenset({"betweenness", "closeness", "pagerank", "constraint", "effective_size"})
DEFAULT_SORT = "betweenness"
EXPORT_TABLES = ("summary", "stakeholders", "unmet", "unused", "isolated", "load", "invitations")
WITHHELD = f"<{SMALL_COUNT}"
_CODE = re.compile(REGION_CODE_PATTERN)
_DIGITS = re.compile(r"[0-9]{1,9}")


# --- the query --------------------------------------------------------------------------------


class BadQuery(Exception):
    """A query parameter that is not one the page offers (names the field, never echoes it)."""

    def __init__(self, label_key: str) -> None:
        super().__init__(label_key)
        self.label_key = label_key


@dataclass(frozen=True)
class DashboardQuery:
    """What ``/forum`` and its exports were asked for."""

    region: str | None = None
    forum_id: int | None = None
    sort: str = DEFAULT_SORT
    descending: bool = True
    villages: bool = False

    def query(self, **extra: str) -> str:
        """This query as a query string (defaults left out), with ``extra`` parameters."""
        params: dict[str, str] = {}
        if self.region:
            params["region"] = self.region
        if self.forum_id is not None:
            params["forum_id"] = str(self.forum_id)
        if self.villages:
            params["villages"] = "1"
        if (self.sort, self.descending) != (DEFAULT_SORT, True):
            params["sort"] = self.sort
            params["dir"] = "desc" if self.descending else "asc"
        return urlencode({**params, **extra})


def parse_query(params: Mapping[str, str]) -> DashboardQuery:
    """Read ``region``, ``forum_id``, ``sort``, ``dir`` and ``villages``; anything else raises ``BadQuery``."""
    region = (params.get("region") or "").strip() or None
    if region is not None and not _CODE.fullmatch(region):
        raise BadQuery("fo.f.region")
    raw_forum = params.get("forum_id") or None
    if raw_forum is not None and not _DIGITS.fullmatch(raw_forum):
        raise BadQuery("fo.f.forum")
    sort = params.get("sort") or DEFAULT_SORT
    if sort not in COLUMNS:
        raise BadQuery("fo.f.sort")
    direction = params.get("dir") or ("asc" if sort in TEXT_COLUMNS else "desc")
    if direction not in ("asc", "desc"):
        raise BadQuery("fo.f.sort")
    villages = params.get("villages") or "0"
    if villages not in ("0", "1"):
        raise BadQuery("fo.f.villages")
    return DashboardQuery(region, int(raw_forum) if raw_forum else None, sort, direction == "desc", villages == "1")


# --- who asks ---------------------------------------------------------------------------------


def _viewer(request: Request, session: Session, settings: Settings) -> Viewer | Response:
    """Forum organisers (of a forum) and admins; others get a 404 page, strangers the sign-in."""
    found = signed_in(request, session, settings)
    if isinstance(found, Response):
        return found
    user, lang = found
    t = translator(lang)
    if Role(user.role) not in FORUM_ROLES:
        return error_page(request, settings, user, 404, t("error.not_found"))
    scope = Scope.for_user(session, user)
    if scope.role is Role.forum_organizer and not scope.forum_region:
        return error_page(request, settings, user, 403, t("home.not_linked"))
    return Viewer(user, scope, lang)


# --- the dashboard's data ---------------------------------------------------------------------


@dataclass
class Dashboard:
    """Everything the page and the exports show, for one region and (maybe) one forum."""

    region: str
    region_name: str
    forum: Forum | None
    exact: bool
    figures: dict[str, Any]
    stakeholders: list[dict[str, Any]]
    gaps: dict[str, Any]
    invitations: dict[str, Any] | None
    today: date
    villages_total: int = 0


def _forum_of(session: Session, viewer: Viewer, q: DashboardQuery) -> Forum | None:
    """The organiser's own forum; for an admin, the forum ``forum_id`` names (404 if none)."""
    if viewer.scope.role is Role.forum_organizer:
        return session.get(Forum, viewer.scope.forum_id)
    if q.forum_id is None:
        return None
    forum = session.get(Forum, q.forum_id)
    if forum is None:
        raise NotFound(f"forum {q.forum_id} not found")
    return forum


def _sort_key(column: str) -> Callable[[dict[str, Any]], Any]:
    if column == "kind":
        return lambda r: net.NODE_KINDS.index(r["kind"]) if r["kind"] in net.NODE_KINDS else len(net.NODE_KINDS)
    if column in ("label", "community"):
        return lambda r: (r[column] or "").casefold()
    return lambda r: r[column]


def sort_rows(rows: list[dict[str, Any]], column: str, descending: bool) -> list[dict[str, Any]]:
    """Rows by ``column`` (ties by name, then id); missing values last whichever the direction."""
    ordered = sorted(rows, key=lambda r: ((r["label"] or "").casefold(), r["id"]))
    present = [r for r in ordered if r[column] is not None]
    missing = [r for r in ordered if r[column] is None]
    return sorted(present, key=_sort_key(column), reverse=descending) + missing


def stakeholder_rows(graph: Any, metrics: dict[str, Any], *, villages: bool) -> list[dict[str, Any]]:
    """One row a node (villages only if asked): kind, name, community's label and the node's metrics."""
    community = {c["id"]: c["label"] for c in metrics["network"]["communities"]}
    kinds = TABLE_KINDS + (("village",) if villages else ())
    rows = []
    for v, data in graph.nodes(data=True):
        if data.get("kind") not in kinds:
            continue
        m = metrics["nodes"].get(v, {})
        rows.append(
            {
                "id": v,
                "kind": data["kind"],
                "label": data.get("label", v),
                "community": community.get(m.get("community")),
                **{c: m.get(c) for c in METRIC_COLUMNS},
            }
        )
    return rows


def load_dashboard(
    session: Session, viewer: Viewer, q: DashboardQuery, *, forum: Forum | None, region: str, today: date
) -> Dashboard:
    """The network, its metrics, gaps and (with a forum) invitations of ``region`` for the viewer."""
    scope = viewer.scope
    found = svc.load_network(session, scope, region, today=today)
    metrics = advice.region_metrics(found.graph, exact=scope.is_admin)
    gaps = advice.gaps(session, found, exact=scope.is_admin)
    invitations = None
    if forum is not None and forum.id is not None:
        invitations = advice.forum_suggestions(session, scope, forum.id, today=today, lang=viewer.lang, screened=found)
    rows = sort_rows(stakeholder_rows(found.graph, metrics, villages=q.villages), q.sort, q.descending)
    return Dashboard(
        region=region,
        region_name=region_names(session, [region]).get(region, region),
        forum=forum,
        exact=scope.is_admin,
        figures=metrics["network"],
        stakeholders=rows,
        gaps=gaps,
        invitations=invitations,
        today=today,
        villages_total=metrics["network"]["nodes_by_kind"].get("village", 0),
    )


# --- numbers in words -------------------------------------------------------------------------


def number_text(value: Any, lang: str, digits: int = 1, fixed: bool = False) -> str:
    """A number for the page: whole numbers grouped, decimals with the language's separator
    (``fixed``: always ``digits`` decimals, as in a column of scores)."""
    if value is None:
        return "–"
    if not fixed and (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
        return labels.value_label(int(value), lang)
    return decimal(float(value), lang, digits)


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


# --- the tables (shared by the page's exports) ------------------------------------------------


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
        [t("fo.fig.exactness"), _sampled(d, lang) or t("fo.fig.exact")],
        *[
            [f"{t('fo.table.unmet')}: {labels.value_label(need, lang)}", count_cell(n)]
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


def _sampled(d: Dashboard, lang: str) -> str | None:
    """Which figures were estimated from a sample, in words (``None``: all exact)."""
    t = translator(lang)
    what = []
    if not d.figures["betweenness_exact"]:
        what.append(t("fo.sampled.betweenness"))
    if not d.figures["paths_exact"]:
        what.append(t("fo.sampled.paths"))
    return t("fo.fig.sampled").format(what=", ".join(what)) if what else None


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
            labels.value_label(u["need"], lang),
            labels.value_label(u["sector"], lang) if u["sector"] else "",
            count_cell(u["households"]),
        ]
        for u in g["unmet_demand"]
    ]
    unused = [[u["name"], u["organization"], count_cell(u["eligible_households"])] for u in g["unused_supply"]]
    isolated = [[i["label"], t(f"fo.kind.{i['kind']}"), t(f"fo.iso.{i['reason']}")] for i in g["isolated"]]
    mark = g["load"]["summary"]["mark"]
    load = [
        [f["name"], f["households"], labels.value_label(bool(f["over_mark"]), lang)] for f in g["load"]["facilitators"]
    ]
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


# --- pages ------------------------------------------------------------------------------------


def _resolve(
    request: Request, session: Session, settings: Settings, viewer: Viewer
) -> tuple[DashboardQuery, Forum | None, str | None] | Response:
    """The query, the forum and the region to show; or the error page (422 bad query, 404 unknown forum)."""
    t = translator(viewer.lang)
    try:
        q = parse_query(request.query_params)
    except BadQuery as exc:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t(exc.label_key)))
    try:
        forum = _forum_of(session, viewer, q)
    except NotFound:
        return error_page(request, settings, viewer.user, 404, t("fo.err.forum_not_found"))
    region = q.region or (forum.region_code if forum else None) or viewer.scope.forum_region
    return q, forum, region


def _dashboard(
    request: Request, session: Session, settings: Settings, viewer: Viewer
) -> tuple[DashboardQuery, Dashboard] | Response:
    """Shared by the page and the exports: the dashboard, or the page that says why not."""
    resolved = _resolve(request, session, settings, viewer)
    if isinstance(resolved, Response):
        return resolved
    q, forum, region = resolved
    t = translator(viewer.lang)
    if region is None:
        return _chooser(request, session, settings, viewer, q, None, 200)
    try:
        d = load_dashboard(session, viewer, q, forum=forum, region=region, today=settings.today())
    except InvalidInput:
        return _chooser(request, session, settings, viewer, q, t("fo.err.region_unknown").format(code=region), 422)
    except NotFound:
        return error_page(request, settings, viewer.user, 404, t("fo.err.region_not_found"))
    return q, d


def _chooser(
    request: Request,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    q: DashboardQuery,
    error: str | None,
    status_code: int,
) -> HTMLResponse:
    """The small form that asks for a region code (admins; anyone after an unknown code)."""
    forums: list[Forum] = []
    if viewer.scope.is_admin:
        forums = list(session.exec(select(Forum).order_by(Forum.name)).all())
    context = {"q": q, "error": error, "forums": forums, "forum_region": viewer.scope.forum_region}
    return render(request, settings, "forum_choose.html", context, status_code=status_code, user=viewer.user)


def _sort_headers(q: DashboardQuery, lang: str) -> list[dict[str, Any]]:
    """The stakeholder table's header cells: label, link to sort by it, and the current order."""
    t = translator(lang)
    out = []
    for column in COLUMNS:
        current = column == q.sort
        descending = not q.descending if current else column not in TEXT_COLUMNS
        direction = "desc" if descending else "asc"
        out.append(
            {
                "key": column,
                "label": t(f"fo.col.{column}"),
                "href": "/forum?" + replace(q, sort=column, descending=descending).query(sort=column, dir=direction),
                "num": column in METRIC_COLUMNS,
                "aria": ("descending" if q.descending else "ascending") if current else None,
                "next": t("fo.sort.desc" if descending else "fo.sort.asc"),
            }
        )
    return out


@router.get("/forum", response_class=HTMLResponse)
def forum_dashboard(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The forum's network: figures, stakeholders, gaps, invitations and exports."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    found = _dashboard(request, session, settings, viewer)
    if isinstance(found, Response):
        return found
    q, d = found
    forums: list[Forum] = []
    if viewer.scope.is_admin and d.forum is None:  # to choose whose invitations to see
        forums = list(session.exec(select(Forum).order_by(Forum.name)).all())
    context = dashboard_context(d, q, viewer.lang, forum_region=viewer.scope.forum_region, forums=forums)
    return render(request, settings, "forum_dashboard.html", context, user=viewer.user)


def dashboard_context(
    d: Dashboard, q: DashboardQuery, lang: str, *, forum_region: str | None, forums: list[Forum]
) -> dict[str, Any]:
    """What ``forum_dashboard.html`` needs besides the site's common context."""
    return {
        "q": q,
        "d": d,
        "headers": _sort_headers(q, lang),
        "shown": SHOWN,
        "metric_columns": METRIC_COLUMNS,
        "digits": DIGITS,
        "num": lambda value, digits=1, fixed=False: number_text(value, lang, digits, fixed),
        "fixed": FIXED,
        "small": SMALL_COUNT,
        "withheld": _has_withheld(d),
        "sampled": _sampled(d, lang),
        "export_tables": EXPORT_TABLES,
        "narrowed": forum_region is not None and d.region != forum_region,
        "forum_region": forum_region,
        "forums": forums,
    }


def _has_withheld(d: Dashboard) -> bool:
    g = d.gaps
    counts = [u["households"] for u in g["unmet_demand"]] + list(g["unmet_by_need"].values())
    counts += [u["eligible_households"] for u in g["unused_supply"]]
    if d.invitations:
        counts.append(d.invitations["unmet_units"])
        for inv in d.invitations["invitations"]:
            counts += [inv["marginal_households"], inv["marginal_units"], inv["cumulative_units"]]
    return None in counts


def _filename(d: Dashboard, suffix: str) -> str:
    return f"jejaring-forum-{d.region}-{d.today.isoformat()}{suffix}"


@router.get("/forum/ekspor.csv")
def forum_export_csv(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One table of the dashboard as CSV (all rows): ``table=stakeholders|unmet|unused|isolated|load|invitations``."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    t = translator(viewer.lang)
    table = request.query_params.get("table") or "stakeholders"
    if table not in EXPORT_TABLES:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t("fo.f.table")))
    found = _dashboard(request, session, settings, viewer)
    if isinstance(found, Response):
        return found
    _, d = found
    content = csv_bytes(export_tables(d, viewer.lang)[table], viewer.lang)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(d, "-" + table + ".csv")}"'},
    )


@router.get("/forum/ekspor.xlsx")
def forum_export_xlsx(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Every table of the dashboard in one workbook, one sheet a table."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    found = _dashboard(request, session, settings, viewer)
    if isinstance(found, Response):
        return found
    _, d = found
    return Response(
        content=xlsx_bytes(export_tables(d, viewer.lang)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(d, ".xlsx")}"'},
    )
