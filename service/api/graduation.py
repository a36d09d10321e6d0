"""Graduation endpoints: a family's readiness and graduation record, the "KPM potensial" list, the
readiness rules, and the indicators of villages and facilitators (with the regency report)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from models.graduation import (
    GraduationCreate,
    GraduationPublic,
    IndicatorsPublic,
    PotentialPublic,
    ReadinessPublic,
    ReadinessRules,
)
from models.types import RegionCode
from service import graduation
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, attachment, request_id
from service.i18n import LANGUAGES, translator

router = APIRouter(tags=["graduation"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RegionQuery = Annotated[RegionCode | None, Query(description="Region code of any level")]
YearQuery = Annotated[int | None, Query(ge=2007, le=2100, description="The calendar year (default: this one)")]


@router.get("/households/{household_id}/readiness", response_model=ReadinessPublic)
def readiness(
    household_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep, settings: SettingsDep
) -> ReadinessPublic:
    """A family's readiness to graduate: its score (0-100), each indicator, and the missing ones."""
    return graduation.family_readiness(
        session, scope, household_id=household_id, today=settings.today(), request_id=request_id(request)
    )


@router.post(
    "/households/{household_id}/graduation", response_model=GraduationPublic, status_code=status.HTTP_201_CREATED
)
def record_graduation(
    household_id: IdPath,
    data: GraduationCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> GraduationPublic:
    """Record a family's graduation (sets its PKH status); 409 when it already left PKH."""
    return graduation.record_graduation(
        session, scope, household_id=household_id, data=data, today=settings.today(), request_id=request_id(request)
    )


@router.get("/readiness", response_model=Page[PotentialPublic])
def potential(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    region: RegionQuery = None,
) -> Page[PotentialPublic]:
    """Your active families ranked by readiness to graduate ("KPM potensial")."""
    return graduation.potential_list(
        session,
        scope,
        today=settings.today(),
        limit=limit,
        offset=offset,
        region=region,
        request_id=request_id(request),
    )


@router.get("/readiness/rules", response_model=ReadinessRules)
def readiness_rules(session: SessionDep, scope: ScopeDep, region: RegionQuery = None) -> ReadinessRules:
    """The weighted readiness indicators that apply in a region (the most specific rules; none: national)."""
    return graduation.region_rules(session, scope, region=region)


@router.put("/readiness/rules", response_model=ReadinessRules)
def set_readiness_rules(data: ReadinessRules, request: Request, session: SessionDep, scope: ScopeDep) -> ReadinessRules:
    """Set a region's readiness indicators (administrators; ``region_code`` null: the national default)."""
    return graduation.set_region_rules(session, scope, data=data, request_id=request_id(request))


@router.get("/indicators", response_model=IndicatorsPublic)
def indicators(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    region: RegionQuery = None,
    year: YearQuery = None,
) -> IndicatorsPublic:
    """Graduation indicators per village and facilitator for a year (organisers: counts under 5 withheld)."""
    today = settings.today()
    return graduation.indicators(
        session,
        scope,
        region=region,
        year=year or today.year,
        today=today,
        target=settings.graduation_target_per_month,
        request_id=request_id(request),
    )


@router.get("/indicators/report.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def indicators_report(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    region: RegionQuery = None,
    year: YearQuery = None,
) -> Response:
    """The regency report (XLSX) for Dinas Sosial and the PKH coordinator: administrators and organisers."""
    today = settings.today()
    wanted = request.query_params.get("lang")
    t = translator(wanted if wanted in LANGUAGES else settings.default_language)
    data = graduation.report_indicators(
        session,
        scope,
        region=region,
        year=year or today.year,
        today=today,
        target=settings.graduation_target_per_month,
        request_id=request_id(request),
    )
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
