"""Graduation indicators per village and facilitator for a year (self-sufficient vs natural
graduations, graduations a month against the target, caseload against the 200 mark, check-in
coverage), aggregated in SQL; and the regency report (XLSX) for Dinas Sosial and the PKH coordinator."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col

from mapping.graduation import CASELOAD_MARK, months_of_year, per_month, share
from mapping.privacy import safe_total, withhold
from models.graduation import IndicatorRow, IndicatorsPublic
from models.households import Household
from models.users import Role
from service.core.audit import audited_read
from service.core.regions import region_names
from service.core.scope import Scope, require_region_in_reach
from service.errors import Forbidden
from service.graduation import queries

COUNTS = ("graduated_self_sufficient", "graduated_natural", "caseload", "owners", "covered")


def _where(session: Session, scope: Scope, region: str | None) -> tuple[list[Any], bool, str | None]:
    """The families the caller's figures cover, whether counts are exact, and the region."""
    if scope.role is Role.agency_staff or not scope.linked:
        raise Forbidden("Graduation indicators are for administrators, facilitators and forum organisers")
    if scope.role is Role.forum_organizer:
        region = region or scope.forum_region
    if region:
        require_region_in_reach(session, scope, region)
    where = queries.region_clause(region)
    if scope.role is Role.facilitator:
        return [col(Household.facilitator_id) == scope.facilitator_id, *where], True, region
    return where, scope.is_admin, region


def _row(
    kind: str, code: str, name: str, counts: dict[str, int], *, exact: bool, months: int, target: float
) -> IndicatorRow:
    shown = {k: withhold(counts[k], exact=exact) for k in COUNTS}
    ss, nat = shown["graduated_self_sufficient"], shown["graduated_natural"]
    graduated = None if ss is None or nat is None else ss + nat
    rate = per_month(graduated, months)
    caseload = shown["caseload"]
    return IndicatorRow(
        kind=kind,
        code=code,
        name=name,
        graduated_self_sufficient=ss,
        graduated_natural=nat,
        self_sufficient_share=share(ss, graduated),
        graduations_per_month=rate,
        target_per_month=target,
        on_target=None if rate is None else rate >= target,
        caseload=caseload,
        caseload_mark=CASELOAD_MARK,
        over_caseload_mark=None if caseload is None or kind != "facilitator" else caseload > CASELOAD_MARK,
        business_families=shown["owners"],
        checkin_coverage=share(shown["covered"], shown["owners"]),
    )


def _total(rows: Sequence[dict[str, int]], *, exact: bool, months: int, target: float, name: str) -> IndicatorRow:
    parts = {k: safe_total([r[k] for r in rows], exact=exact) for k in COUNTS}
    ss, nat = parts["graduated_self_sufficient"], parts["graduated_natural"]
    graduated = None if ss is None or nat is None else ss + nat
    rate = per_month(graduated, months)
    return IndicatorRow(
        kind="total",
        code="",
        name=name,
        graduated_self_sufficient=ss,
        graduated_natural=nat,
        self_sufficient_share=share(ss, graduated),
        graduations_per_month=rate,
        target_per_month=target,
        on_target=None,
        caseload=parts["caseload"],
        caseload_mark=CASELOAD_MARK,
        over_caseload_mark=None,
        business_families=parts["owners"],
        checkin_coverage=share(parts["covered"], parts["owners"]),
    )


def indicators(
    session: Session,
    scope: Scope,
    *,
    region: str | None,
    year: int,
    today: date,
    target: float,
    request_id: str | None = None,
) -> IndicatorsPublic:
    """The graduation indicators per village and facilitator for ``year`` (facilitators: their own
    families, exactly; forum organisers: their region, under 5 withheld and rounded); audited."""
    with audited_read(session, scope, entity="graduation_indicators", entity_id=region, request_id=request_id):
        where, exact, region = _where(session, scope, region)
        months = months_of_year(year, today)
        villages = queries.indicator_counts(session, where, year=year, today=today, by="village")
        facilitators = queries.indicator_counts(session, where, year=year, today=today, by="facilitator")
        vnames = region_names(session, [str(r["key"]) for r in villages] + ([region] if region else []))
        fnames = queries.facilitator_names(session, [int(r["key"]) for r in facilitators])
        out = IndicatorsPublic(
            region=region,
            year=year,
            months=months,
            exact=exact,
            villages=[
                _row(
                    "village",
                    str(r["key"]),
                    vnames.get(str(r["key"]), str(r["key"])),
                    r,
                    exact=exact,
                    months=months,
                    target=target,
                )
                for r in villages
            ],
            facilitators=[
                _row(
                    "facilitator",
                    str(r["key"]),
                    fnames.get(int(r["key"]), str(r["key"])),
                    r,
                    exact=exact,
                    months=months,
                    target=target,
                )
                for r in facilitators
            ],
            total=_total(
                villages, exact=exact, months=months, target=target, name=vnames.get(region, region) if region else ""
            ),
        )
    return out


def report_indicators(
    session: Session,
    scope: Scope,
    *,
    region: str | None,
    year: int,
    today: date,
    target: float,
    request_id: str | None = None,
) -> IndicatorsPublic:
    """The regency report's figures: administrators and organisers of a forum covering the region."""
    if scope.role not in (Role.admin, Role.forum_organizer):
        raise Forbidden("The regency report is for administrators and forum organisers")
    return indicators(session, scope, region=region, year=year, today=today, target=target, request_id=request_id)


REPORT_COLUMNS = (
    "name",
    "code",
    "graduated_self_sufficient",
    "graduated_natural",
    "self_sufficient_share",
    "graduations_per_month",
    "target_per_month",
    "caseload",
    "caseload_mark",
    "business_families",
    "checkin_coverage",
)


def report_xlsx(data: IndicatorsPublic, *, headers: dict[str, str], title: str, withheld: str) -> bytes:
    """The regency report as an XLSX workbook: one sheet of villages, one of facilitators."""
    from openpyxl import Workbook  # imported here: only the report needs it

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for sheet_name, rows in (("desa", data.villages), ("pendamping", data.facilitators)):
        sheet = book.create_sheet(sheet_name)
        sheet.append([title])
        sheet.append([headers[c] for c in REPORT_COLUMNS])
        for row in [*rows, data.total]:
            values = row.model_dump()
            sheet.append([withheld if values[c] is None else values[c] for c in REPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
