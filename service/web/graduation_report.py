"""The regency report of graduation indicators for Dinas Sosial and the PKH coordinator: a printable
page (``/laporan/kelulusan``) and its workbook (``/laporan/kelulusan.xlsx``), for administrators and
organisers of a forum covering the region."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from models.graduation import IndicatorsPublic
from models.users import Role
from service import graduation
from service.deps import SessionDep, SettingsDep, attachment, request_id
from service.errors import InvalidInput, NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.kit import Gate, Viewer, error_page, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

GATE = Gate(roles=(Role.admin, Role.forum_organizer), refused=N_("ind.forbidden"), refused_status=403)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_REGION = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")


def _report(request: Request, session: SessionDep, settings: Settings, viewer: Viewer) -> IndicatorsPublic | Response:
    today = settings.today()
    raw_region = request.query_params.get("region") or None
    raw_year = request.query_params.get("year")
    year = whole_number(raw_year) if raw_year else today.year
    if year is None or not 2007 <= year <= 2100:
        return error_page(request, settings, viewer.user, 422, viewer.t("ind.err.year"))
    if raw_region is not None and not _REGION.match(raw_region):
        return error_page(request, settings, viewer.user, 422, viewer.t("ind.err.region"))
    try:
        return graduation.report_indicators(
            session,
            viewer.scope,
            region=raw_region,
            year=year,
            today=today,
            target=settings.graduation_target_per_month,
            request_id=request_id(request),
        )
    except InvalidInput:
        return error_page(request, settings, viewer.user, 422, viewer.t("ind.err.region"))
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("error.not_found"))


@router.get("/laporan/kelulusan", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The printable regency report: graduations per village and facilitator, the split, the targets."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    data = _report(request, session, settings, viewer)
    if isinstance(data, Response):
        return data
    context: dict[str, Any] = {"d": data, "columns": graduation.REPORT_COLUMNS}
    return render(request, settings, "graduation_report.html", context, user=viewer.user)


@router.get("/laporan/kelulusan.xlsx")
def report_workbook(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The regency report as a workbook (one sheet of villages, one of facilitators)."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    data = _report(request, session, settings, viewer)
    if isinstance(data, Response):
        return data
    t = viewer.t
    body = graduation.report_xlsx(
        data,
        headers={c: t(f"ind.col.{c}") for c in graduation.REPORT_COLUMNS},
        title=t("ind.report.title").format(region=data.total.name or data.region or "", year=data.year),
        withheld=t("ind.withheld"),
    )
    name = f"indikator-kelulusan-{data.region or 'nasional'}-{data.year}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": attachment(name), "Cache-Control": "no-store"}
    )
