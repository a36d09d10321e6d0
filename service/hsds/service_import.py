"""Importing services: each published programme of the package is read step by step (status,
kind and sectors, eligibility, benefits, schedules, capacity, service area, locations), then
matched or written whole, or refused with every row that belongs to it.

A service whose rule names another service of the package waits until that one is settled; two
that name each other are refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from models.organizations import CapacityUnit, Program, ProgramCreate, ProgramStatus
from service import catalog
from service.core.regions import require_regions
from service.errors import InvalidInput
from service.hsds.cells import day, errors_text, number, unit_of
from service.hsds.context import REQUEST_ID, ImportContext
from service.hsds.ids import parse_uuid, service_uuid
from service.hsds.limits import PackageRefused
from service.hsds.profile import REGION_RE, STATUS_IN
from service.hsds.report import Row
from service.hsds.taxonomy import FIELD, PROGRAM_KIND, SECTOR, Term

Span = tuple[date | None, date | None]


@dataclass(frozen=True)
class _Capacity:
    maximum: float | int | None = None
    available: float | int | None = None
    unit: CapacityUnit = CapacityUnit.seats


def import_services(ctx: ImportContext) -> None:
    """Import every service of the package, each after the services its rule names."""
    pending = dict(ctx.rows.svcs)
    while pending:
        progress = False
        for hid, row in list(pending.items()):
            _, _, refs = ctx.rows.service_refs(hid)
            if any(r in pending and r != hid for r in refs):
                continue  # wait for the service it depends on
            import_service(ctx, hid, row)
            del pending[hid]
            progress = True
        if not progress:
            for hid, row in pending.items():
                why = ["its eligibility rule and another service's name each other"]
                ctx.rows.refuse_entity("service", hid, row, why, ctx.rows.service_children(hid))
            break


def import_service(ctx: ImportContext, hid: str, row: Row) -> None:
    """Match or write one service with the rows that belong to it; or refuse them with the reasons."""
    children = ctx.rows.service_children(hid)
    org_id = ctx.organization_of("service", hid, row, children)
    if org_id is None:
        return
    problems: list[str] = []
    notes: list[str] = []  # reported when the service is created
    attrs = ctx.rows.attributes("service", hid)
    status = _status(row, notes)
    kind = _kind(ctx, attrs, problems)
    sectors = [t.code for _, t in attrs if t.taxonomy == SECTOR]
    rule_row, rule, in_words_only = _eligibility(ctx, hid, row, problems, notes)
    benefits = _benefits(ctx, attrs, problems)
    window, validity = _schedules(ctx, hid, problems)
    capacity = _capacity(ctx, hid, problems)
    area = _service_area(ctx, hid, problems)
    location_ids = _locations(ctx, hid, problems)
    values = {
        "organization_id": org_id,
        "name": row.get("name"),
        "kind": kind,
        "description": row.get("description"),
        "source_url": row.get("url"),
        "status": ProgramStatus.draft if in_words_only else status,
        "eligibility": rule,
        "sectors": sectors,
        "service_area": area,
        "location_ids": location_ids,
        "capacity": capacity.maximum,
        "capacity_remaining": capacity.available,
        "capacity_unit": capacity.unit,
        "opens_on": window[0],
        "closes_on": window[1],
        "valid_from": validity[0],
        "valid_to": validity[1],
        **benefits,
    }
    data = _program(values, rule_row, problems)
    if problems or data is None:
        ctx.rows.refuse_entity("service", hid, row, problems, children)
        return
    existing = ctx.known("service", hid, Program) or ctx.match_named(Program, org_id, data.name, hid, service_uuid)
    created = ctx.settle(
        "service",
        hid,
        row,
        children,
        existing=existing,
        create=lambda: catalog.create_program(ctx.session, data=data, scope=ctx.scope, request_id=REQUEST_ID),
    )
    if created:
        ctx.report.notes.extend(notes)


# --- the steps -------------------------------------------------------------------------------


def _status(row: Row, notes: list[str]) -> ProgramStatus:
    """The HSDS status as a programme status; anything else is a draft (with a note)."""
    raw = (row.get("status") or "").lower()
    status = STATUS_IN.get(raw)
    if status is None:
        notes.append(f"{row.where}: status {raw or 'missing'!r} is not an HSDS status; imported as draft")
        return ProgramStatus.draft
    return status


def _kind(ctx: ImportContext, attrs: list[tuple[Row, Term]], problems: list[str]) -> str | None:
    """The programme kind its one attribute of the programme-kind taxonomy names."""
    kind_row = ctx.rows.one(attrs, PROGRAM_KIND, None, problems)
    kind_term = ctx.rows.term_of(kind_row) if kind_row else None
    if kind_term is None:
        problems.append(f"no programme kind: an attribute with a term of {PROGRAM_KIND} is needed")
        return None
    return kind_term.code


def _eligibility(
    ctx: ImportContext, hid: str, row: Row, problems: list[str], notes: list[str]
) -> tuple[Row | None, Any, bool]:
    """The rule's attribute row, the rule with local programme ids, and whether the service's
    eligibility is described only in words (it then lands as a draft, with a note)."""
    rule_row, rule, _ = ctx.rows.service_refs(hid)
    if isinstance(rule, json.JSONDecodeError | PackageRefused):
        assert rule_row is not None
        what = "is not valid JSON" if isinstance(rule, json.JSONDecodeError) else "is refused"
        rule_row.refuse(f"eligibility_rule {what}: {rule}")
        problems.append(f"{rule_row.where}: eligibility_rule {what} ({rule})")
        return rule_row, None, False
    if rule_row is not None:
        return rule_row, _rule_in(ctx, rule, rule_row, problems), False
    if row.get("eligibility_description"):
        notes.append(
            f"{row.where}: eligibility described only in words; imported as a draft for someone to write its rule"
        )
        return None, rule, True
    return None, rule, False


def _rule_in(ctx: ImportContext, rule: Any, rule_row: Row, problems: list[str]) -> Any:
    """Service ids in ``history.completed_programs`` become this database's programme ids."""
    refused = ctx.rows.refused_entities

    def walk(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        out = dict(node)
        for key in ("all", "any"):
            if isinstance(out.get(key), list):
                out[key] = [walk(child) for child in out[key]]
        if "not" in out:
            out["not"] = walk(out["not"])
        if out.get("field") == "history.completed_programs" and isinstance(out.get("value"), str):
            ref = parse_uuid(out["value"]) or out["value"]
            local = ctx.resolve_service(ref)
            if local is None:
                why = (
                    f"it names service {ref}, which was refused ({refused[ref].where})"
                    if ref in refused
                    else f"it names service {ref}, which is neither in the package nor in this database"
                )
                rule_row.refuse(f"eligibility_rule: {why}")
                problems.append(f"{rule_row.where}: eligibility_rule: {why}")
            else:
                out["value"] = local
        return out

    return walk(rule)


def _refuse_on_new_problem(row: Row, problems: list[str], before: int) -> None:
    """Refuse ``row`` for the last problem when reading it added any."""
    if len(problems) > before:
        row.refuse(problems[-1].split(": ", 1)[-1])


def _benefits(ctx: ImportContext, attrs: list[tuple[Row, Term]], problems: list[str]) -> dict[str, float | int | None]:
    """Minimum and maximum benefit (whole rupiah) and interest rate, from their attributes."""
    values: dict[str, float | int | None] = {}
    for key in ("benefit_min", "benefit_max", "interest_rate"):
        attr = ctx.rows.one(attrs, FIELD, key, problems)
        values[key] = None
        if attr is not None:
            before = len(problems)
            values[key] = number(attr, "value", problems, integer=key != "interest_rate")
            _refuse_on_new_problem(attr, problems, before)
    return values


def _schedules(ctx: ImportContext, hid: str, problems: list[str]) -> tuple[Span, Span]:
    """(application window, programme validity) from the schedules their attribute marks.

    A schedule with dates and no mark is taken as the application window when none is marked.
    """
    window: Span = (None, None)
    validity: Span = (None, None)
    unmarked: list[Span] = []
    for s in ctx.rows.schedules.get(hid, []):
        before = len(problems)
        span = (day(s, "valid_from", problems), day(s, "valid_to", problems))
        _refuse_on_new_problem(s, problems, before)
        roles = ctx.rows.schedule_roles(parse_uuid(s.get("id")) or "")
        if "application_window" in roles:
            window = span
        elif "programme_validity" in roles:
            validity = span
        elif span != (None, None):
            unmarked.append(span)
        else:
            s.ignore("a schedule without dates (opening hours are not kept)")
    if window == (None, None) and unmarked:
        window = unmarked[0]
    return window, validity


def _capacity(ctx: ImportContext, hid: str, problems: list[str]) -> _Capacity:
    """The one capacity of the service (maximum, available, unit); a second one is refused."""
    caps = ctx.rows.capacities.get(hid, [])
    for extra in caps[1:]:
        extra.refuse(f"a second capacity of the service (first at {caps[0].where})")
        problems.append(f"{extra.where}: Jejaring keeps one capacity per programme")
    if not caps:
        return _Capacity()
    cap = caps[0]
    before = len(problems)
    maximum = number(cap, "maximum", problems, integer=True)
    available = number(cap, "available", problems, integer=True)
    _refuse_on_new_problem(cap, problems, before)
    return _Capacity(maximum, available, _capacity_unit(ctx, cap, problems))


def _capacity_unit(ctx: ImportContext, cap: Row, problems: list[str]) -> CapacityUnit:
    unit_row = ctx.rows.units.get(parse_uuid(cap.get("unit_id")) or "")
    if unit_row is None:
        cap.refuse(f"unit_id {cap.get('unit_id')!r} is not a unit of {ctx.rows.paths['unit']}")
        problems.append(f"{cap.where}: unknown unit")
        return CapacityUnit.seats
    unit, name = unit_of(unit_row)
    if unit is None:
        cap.refuse(f"unit {name!r} is neither seats nor rupiah")
        problems.append(f"{cap.where}: capacity unit {name!r} is neither seats nor rupiah")
        return CapacityUnit.seats
    return unit


def _service_area(ctx: ImportContext, hid: str, problems: list[str]) -> list[str]:
    """The Kemendagri codes of the service areas (by extent, or else by name)."""
    codes = (_area_code(ctx, a, problems) for a in ctx.rows.areas.get(hid, []))
    return [code for code in codes if code is not None]


def _area_code(ctx: ImportContext, area: Row, problems: list[str]) -> str | None:
    extent = area.get("extent") if (area.get("extent_type") or "text").lower() == "text" else None
    if extent is not None and REGION_RE.match(extent):
        code = extent
    else:
        name = area.get("name")
        by_name = ctx.region_by_name(name, None, "regency") or ctx.region_by_name(name, None, "province")
        if by_name is None:
            reason = f"no Kemendagri code in extent ({extent!r}) and {name!r} names no single region"
            area.refuse(reason)
            problems.append(f"{area.where}: {reason}")
            return None
        code = by_name
    try:
        require_regions(ctx.session, [code], loc=("service_area",))
    except InvalidInput as exc:
        area.refuse(exc.message)
        problems.append(f"{area.where}: {exc.message}")
        return None
    return code


def _locations(ctx: ImportContext, hid: str, problems: list[str]) -> list[int]:
    """The local ids of the service's locations; a location refused or not in the package is a problem."""
    ids: list[int] = []
    refused = ctx.rows.refused_entities
    for s in ctx.rows.sals.get(hid, []):
        lhid = parse_uuid(s.get("location_id"))
        if lhid is not None and lhid in ctx.loc_map:
            ids.append(ctx.loc_map[lhid])
        elif lhid is not None and lhid in refused:
            s.refuse(f"its location was refused ({refused[lhid].where})")
            problems.append(f"{s.where}: its location {lhid} was refused ({refused[lhid].where})")
        else:
            s.refuse(f"location_id {s.get('location_id')!r} is not a location of the package")
            problems.append(f"{s.where}: location {s.get('location_id')!r} is not in the package")
    return ids


def _program(values: dict[str, Any], rule_row: Row | None, problems: list[str]) -> ProgramCreate | None:
    """The programme to write when there are no problems; an invalid rule refuses its attribute too."""
    if problems:
        return None
    try:
        return ProgramCreate.model_validate(values)
    except ValidationError as exc:
        if rule_row is not None and any(e.get("loc", ())[:1] == ("eligibility",) for e in exc.errors()):
            rule_row.refuse(errors_text(exc))
        problems.append(errors_text(exc))
        return None
