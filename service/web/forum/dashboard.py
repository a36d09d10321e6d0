"""The forum organiser's dashboard (``/forum``): the network's figures, a sortable table of its
stakeholders, the gaps (unmet demand, unused supply, isolated stakeholders, facilitators' load)
and the forum's invitation list, with links to the exports (``service.web.forum.exports``).

Organisers see their forum's region (or a narrower region inside it, ``?region=``); admins name
the region (``?region=``) or a forum (``?forum_id=``). Everyone else gets a 404 page. Everything
comes from ``service.network`` and is counts only: counts of 1 to 4 households stay withheld
(``<5``) for non-admins, on the page and in the exports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mapping.privacy import MIN_HOUSEHOLDS
from models.network import Forum
from models.types import REGION_CODE_PATTERN
from models.users import Role
from service import network, pathways
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput, NotFound
from service.i18n import translator
from service.network import METRIC_COLUMNS, TEXT_COLUMNS, Dashboard
from service.settings import Settings
from service.web.forum.invitation_list import invitation_context
from service.web.kit import Gate, Viewer, decimal, error_page, render, value_word, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

GATE = Gate(roles=(Role.forum_organizer, Role.admin))
# Rows a section shows; the exports hold them all. Every section full, with long names, is about
# 170 KB of HTML (tests/web/test_forum_pages.py keeps it under 200 KB).
SHOWN = {"stakeholders": 200, "unmet": 150, "unused": 100, "isolated": 100, "load": 100, "changes": 15}
COLUMNS = network.STAKEHOLDER_COLUMNS
# Decimals shown; the scores always show them, the weighted degree only when it is not whole.
DIGITS = {"weighted_degree": 1, "betweenness": 3, "closeness": 3, "pagerank": 3, "constraint": 3, "effective_size": 2}
FIXED = frozenset({"betweenness", "closeness", "pagerank", "constraint", "effective_size"})
DEFAULT_SORT = "betweenness"
EXPORT_TABLES = ("summary", "stakeholders", "unmet", "unused", "isolated", "load", "invitations")
_CODE = re.compile(REGION_CODE_PATTERN)


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
    forum_id = whole_number(raw_forum)
    if raw_forum is not None and forum_id is None:
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
    return DashboardQuery(region, forum_id, sort, direction == "desc", villages == "1")


def since_of(raw: str | None) -> date | None:
    """The "since the last meeting" date of ``?since=`` (``YYYY-MM-DD``); ``BadQuery`` if malformed."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadQuery("fo.f.since") from None


# --- the dashboard, or the page that says why not ---------------------------------------------


def dashboard_or_page(
    request: Request, session: SessionDep, settings: Settings, viewer: Viewer
) -> tuple[DashboardQuery, Dashboard] | Response:
    """Shared by the page and the exports: the query and its dashboard, or the page that says why
    not (422 bad query, 404 unknown forum or region out of reach, the region chooser)."""
    t = viewer.t
    try:
        q = parse_query(request.query_params)
    except BadQuery as exc:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t(exc.label_key)))
    try:
        subject = network.dashboard_subject(session, viewer.scope, forum_id=q.forum_id, region=q.region)
    except NotFound:
        return error_page(request, settings, viewer.user, 404, t("fo.err.forum_not_found"))
    region = subject.region
    if region is None:
        return _chooser(request, session, settings, viewer, q, None, 200)
    try:
        d = network.forum_dashboard(
            session,
            viewer.scope,
            forum=subject.forum,
            region=region,
            sort=q.sort,
            descending=q.descending,
            villages=q.villages,
            today=settings.today(),
            lang=viewer.lang,
        )
    except InvalidInput:
        return _chooser(request, session, settings, viewer, q, t("fo.err.region_unknown").format(code=region), 422)
    except NotFound:
        return error_page(request, settings, viewer.user, 404, t("fo.err.region_not_found"))
    return q, d


def _chooser(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    q: DashboardQuery,
    error: str | None,
    status_code: int,
) -> HTMLResponse:
    """The small form that asks for a region code (admins; anyone after an unknown code)."""
    forums = network.forum_choices(session, viewer.scope)
    context = {"q": q, "error": error, "forums": forums, "forum_region": viewer.scope.forum_region}
    return render(request, settings, "forum_choose.html", context, status_code=status_code, user=viewer.user)


# --- the page ---------------------------------------------------------------------------------


@router.get("/forum", response_class=HTMLResponse)
def forum_dashboard(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The forum's network: figures, stakeholders, gaps, invitations and exports."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    found = dashboard_or_page(request, session, settings, viewer)
    if isinstance(found, Response):
        return found
    q, d = found
    try:
        since = since_of(request.query_params.get("since"))
    except BadQuery as exc:
        message = viewer.t("error.bad_filter").format(field=viewer.t(exc.label_key))
        return error_page(request, settings, viewer.user, 422, message)
    changes = network.forum_changes(
        session, viewer.scope, forum=d.forum, region=d.region, since=since, today=d.today, screened=d.screened
    )
    # An admin looking at a region without a forum chooses whose invitations to see.
    forums = network.forum_choices(session, viewer.scope) if d.forum is None else []
    context = dashboard_context(
        d, q, viewer.lang, forum_region=viewer.scope.forum_region, forums=forums, changes=changes.body
    )
    context |= invitation_context(session, viewer, d, q.query())  # the invitations' states and buttons
    # Each pathway's funnel (_pathway_funnel.html): counts only, withheld below the minimum for non-admins.
    context["funnels"] = pathways.pathway_funnels(session, viewer.scope, region=d.region, exact=viewer.scope.is_admin)
    return render(request, settings, "forum_dashboard.html", context, user=viewer.user)


def dashboard_context(
    d: Dashboard,
    q: DashboardQuery,
    lang: str,
    *,
    forum_region: str | None,
    forums: list[Forum],
    changes: dict[str, Any] | None = None,
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
        "small": MIN_HOUSEHOLDS,
        "withheld": d.withheld,
        "sampled": sampled_text(d, lang),
        "export_tables": EXPORT_TABLES,
        "narrowed": forum_region is not None and d.region != forum_region,
        "forum_region": forum_region,
        "forums": forums,
        "changes": changes,  # "since the last meeting" (service.network.forum_changes), if computed
    }


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


# --- numbers and notes in words ---------------------------------------------------------------


def number_text(value: Any, lang: str, digits: int = 1, fixed: bool = False) -> str:
    """A number for the page: whole numbers grouped, decimals with the language's separator
    (``fixed``: always ``digits`` decimals, as in a column of scores)."""
    if value is None:
        return "–"
    if not fixed and (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
        return value_word(int(value), lang)
    return decimal(float(value), lang, digits)


def sampled_text(d: Dashboard, lang: str) -> str | None:
    """Which figures were estimated from a sample, in words (``None``: all exact)."""
    t = translator(lang)
    what = []
    if not d.figures["betweenness_exact"]:
        what.append(t("fo.sampled.betweenness"))
    if not d.figures["paths_exact"]:
        what.append(t("fo.sampled.paths"))
    return t("fo.fig.sampled").format(what=", ".join(what)) if what else None
