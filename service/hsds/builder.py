"""HSDS records out of the catalogue: organisations, locations and published programmes as HSDS
``organization``, ``location`` and ``service`` records, with the rows nested in them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import Session

from models.eligibility import program_ids_in, region_codes_in
from models.organizations import CapacityUnit, Location, Organization, Program, ProgramStatus
from models.types import region_ancestors
from service.hsds import queries
from service.hsds.ids import hsds_uuid, location_uuid, organization_uuid, service_at_location_uuid, service_uuid
from service.hsds.profile import STATUS_OUT, as_number
from service.hsds.taxonomy import FIELD, ORGANIZATION_KIND, PROGRAM_KIND, SECTOR, attribute_record, term
from service.hsds.words import (
    age_bounds,
    capacity_description,
    default_org_description,
    describe_rule,
    opening_hours_description,
    schedule_description,
    seat_unit_name,
)

R = TypeVar("R", Location, Program)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def published_rule(rule: dict[str, Any] | None) -> dict[str, Any]:
    """The rule as published: programme ids of ``history.completed_programs`` become service ids."""
    if not rule:
        return {}

    def walk(node: dict[str, Any]) -> dict[str, Any]:
        if "all" in node or "any" in node:
            key = "all" if "all" in node else "any"
            return {key: [walk(child) for child in node[key]]}
        if "not" in node:
            return {"not": walk(node["not"])}
        out = dict(node)
        if out.get("field") == "history.completed_programs" and isinstance(out.get("value"), int):
            out["value"] = service_uuid(out["value"])
        return out

    return walk(rule)


def unit_record(unit: CapacityUnit, lang: str) -> dict[str, Any]:
    """The HSDS 3.1 ``unit`` of a capacity: rupiah (ISO 4217 IDR) or seats."""
    if unit is CapacityUnit.rupiah:
        return {"id": hsds_uuid("unit", "rupiah"), "name": "Rupiah", "scheme": "ISO 4217", "identifier": "IDR"}
    return {"id": hsds_uuid("unit", "seats"), "name": seat_unit_name(lang), "scheme": "Jejaring", "identifier": "seats"}


def _grouped(rows: Iterable[R]) -> dict[int, list[R]]:
    """``rows`` (locations or programmes) by the organisation they belong to, in their order."""
    out: dict[int, list[R]] = defaultdict(list)
    for row in rows:
        out[row.organization_id].append(row)
    return out


@dataclass
class _Batch:
    """What the service records of a batch of programmes share, loaded once."""

    areas: dict[int, list[str]]
    names: dict[str, str]
    program_names: dict[int, str]
    orgs: dict[int, Organization] = field(default_factory=dict)
    links: dict[int, list[Location]] = field(default_factory=lambda: defaultdict(list))
    location_records: dict[int | None, dict[str, Any]] = field(default_factory=dict)


class Builder:
    """Turns catalogue rows into HSDS records, loading related rows in batches."""

    def __init__(self, session: Session, lang: str = "id") -> None:
        self.session = session
        self.lang = lang
        self._regions: dict[str, str] = {}

    # lookups

    def region_names(self, codes: Iterable[str]) -> dict[str, str]:
        """Names of ``codes`` and of the regions holding them (cached)."""
        wanted = {a for c in codes for a in region_ancestors(c)} - set(self._regions)
        if wanted:
            self._regions.update(queries.region_names(self.session, wanted))
        return self._regions

    def _published_names(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = set(ids)
        if not wanted:
            return {}
        return queries.published_program_names(self.session, wanted)

    # organisations

    def organization_basic(self, org: Organization) -> dict[str, Any]:
        """An organisation's own fields (a default description where it has none)."""
        assert org.id is not None
        description = org.description
        if not description:  # HSDS requires one; a CSV cannot tell "" from none
            region = self.region_names([org.region_code]).get(org.region_code, org.region_code)
            description = default_org_description(str(org.kind), region, self.lang)
        return _drop_none(
            {
                "id": organization_uuid(org.id),
                "name": org.name,
                "description": description,
                "email": org.email,
                "website": org.website,
            }
        )

    def organization_attributes(self, org: Organization) -> list[dict[str, Any]]:
        """An organisation's kind, region code and address as attributes."""
        oid = organization_uuid(org.id or 0)
        lang = self.lang
        out = [
            attribute_record("organization", oid, term(ORGANIZATION_KIND, str(org.kind)), lang),
            attribute_record("organization", oid, term(FIELD, "region_code"), lang, org.region_code),
        ]
        if org.address:
            out.append(attribute_record("organization", oid, term(FIELD, "address"), lang, org.address))
        return out

    def organizations(
        self, orgs: Sequence[Organization], *, nested: bool, full_services: bool = False
    ) -> list[dict[str, Any]]:
        """Organisation records: basic, or nested with phones, locations, attributes and services."""
        if not nested:
            return [self.organization_basic(o) for o in orgs]
        ids = [o.id for o in orgs if o.id is not None]
        locations = _grouped(queries.locations_of_organizations(self.session, ids))
        programs = _grouped(queries.published_programs_of_organizations(self.session, ids))
        own = [(org, locations[org.id or 0], programs[org.id or 0]) for org in orgs]
        location_records = self._location_records([loc for _, locs, _ in own for loc in locs])
        service_records = self._service_records([p for _, _, progs in own for p in progs], full=full_services)
        return [
            self._organization_nested(
                org, [location_records[loc.id] for loc in locs], [service_records[p.id] for p in progs]
            )
            for org, locs, progs in own
        ]

    def _organization_nested(
        self, org: Organization, locations: list[dict[str, Any]], services: list[dict[str, Any]]
    ) -> dict[str, Any]:
        record = self.organization_basic(org)
        record["phones"] = self._phones(org, record["id"])
        record["locations"] = locations
        record["attributes"] = self.organization_attributes(org)
        record["services"] = services
        return record

    def _phones(self, org: Organization, oid: str) -> list[dict[str, Any]]:
        if not org.phone:
            return []
        return [
            {
                "id": hsds_uuid("phone", "organization", org.id),
                "organization_id": oid,
                "number": org.phone,
                "type": "voice",
            }
        ]

    # locations

    def _location_records(self, locations: Sequence[Location]) -> dict[int | None, dict[str, Any]]:
        """Location records by location id, each location built once."""
        unique = list({loc.id: loc for loc in locations}.values())
        return dict(zip((loc.id for loc in unique), self.locations(unique), strict=True))

    def locations(self, locations: Sequence[Location]) -> list[dict[str, Any]]:
        """Locations with their region (and address) as attributes and both in words as the description.

        No HSDS ``address`` rows: those require a postal code, which the catalogue does not hold.
        """
        names = self.region_names(loc.region_code for loc in locations)
        out = []
        for loc in locations:
            assert loc.id is not None
            lid = location_uuid(loc.id)
            places = [names.get(code) for code in reversed(region_ancestors(loc.region_code))]
            attributes = [attribute_record("location", lid, term(FIELD, "region_code"), self.lang, loc.region_code)]
            if loc.address:
                attributes.append(attribute_record("location", lid, term(FIELD, "address"), self.lang, loc.address))
            out.append(
                _drop_none(
                    {
                        "id": lid,
                        "location_type": "physical",
                        "organization_id": organization_uuid(loc.organization_id),
                        "name": loc.name,
                        "description": ", ".join(x for x in [loc.address, *reversed(places)] if x) or None,
                        "latitude": loc.latitude,
                        "longitude": loc.longitude,
                        "phones": self._location_phones(loc, lid),
                        "schedules": self._opening_hours(loc, lid),
                        "attributes": attributes,
                    }
                )
            )
        return out

    def _location_phones(self, loc: Location, lid: str) -> list[dict[str, Any]]:
        if not loc.phone:
            return []
        phone_id = hsds_uuid("phone", "location", loc.id)
        return [{"id": phone_id, "location_id": lid, "number": loc.phone, "type": "voice"}]

    def _opening_hours(self, loc: Location, lid: str) -> list[dict[str, Any]]:
        """The week's opening hours as weekly schedules (iCalendar ``freq``/``byday``), one per
        opening time shared by its days: Monday to Friday 08:00-16:00 is one row."""
        spans: dict[tuple[str, str], list[str]] = defaultdict(list)
        for h in loc.opening_hours or []:
            spans[(h["opens"], h["closes"])].append(h["day"])
        out = []
        for (opens, closes), days in spans.items():
            byday = ",".join(d.upper() for d in days)
            out.append(
                {
                    "id": hsds_uuid("schedule", "location", loc.id, byday, opens, closes),
                    "location_id": lid,
                    "freq": "WEEKLY",
                    "wkst": "MO",
                    "byday": byday,
                    "opens_at": f"{opens}:00",  # Table Schema's time: HH:MM:SS
                    "closes_at": f"{closes}:00",
                    "description": opening_hours_description(days, opens, closes, self.lang),
                }
            )
        return out

    # services

    def services(self, programs: Sequence[Program], *, full: bool, org: bool = True) -> list[dict[str, Any]]:
        """Service records: the list form (one-to-one fields and the organisation) or fully nested."""
        batch = self._batch(programs, full=full, org=org)
        return [self._service(p, batch, full=full, org=org) for p in programs]

    def _service_records(self, programs: Sequence[Program], *, full: bool) -> dict[int | None, dict[str, Any]]:
        """Service records (without their organisation) by programme id."""
        return dict(zip((p.id for p in programs), self.services(programs, full=full, org=False), strict=True))

    def _batch(self, programs: Sequence[Program], *, full: bool, org: bool) -> _Batch:
        ids = [p.id for p in programs if p.id is not None]
        areas: dict[int, list[str]] = defaultdict(list)
        for pid, code in queries.service_areas_of(self.session, ids):
            areas[pid].append(code)
        rule_codes = [c for p in programs for c in region_codes_in(p.eligibility)]
        batch = _Batch(
            areas=areas,
            names=self.region_names([c for codes in areas.values() for c in codes] + rule_codes),
            program_names=self._published_names(i for p in programs for i in program_ids_in(p.eligibility)),
        )
        if org:
            batch.orgs = queries.organizations_by_id(self.session, {p.organization_id for p in programs})
        if full:
            rows = queries.locations_of_programs(self.session, ids)
            for pid, loc in rows:
                batch.links[pid].append(loc)
            batch.location_records = self._location_records([loc for _, loc in rows])
        return batch

    def _service(self, p: Program, batch: _Batch, *, full: bool, org: bool) -> dict[str, Any]:
        assert p.id is not None
        sid = service_uuid(p.id)
        low, high = age_bounds(p.eligibility)
        record = _drop_none(
            {
                "id": sid,
                "organization_id": organization_uuid(p.organization_id),
                "name": p.name,
                "description": p.description,
                "url": p.source_url,
                "status": STATUS_OUT.get(ProgramStatus(p.status), "inactive"),
                "eligibility_description": describe_rule(p.eligibility, self.lang, batch.names, batch.program_names),
                "minimum_age": low,
                "maximum_age": high,
                "last_modified": _iso(p.updated_at),
            }
        )
        if org and p.organization_id in batch.orgs:
            record["organization"] = self.organization_basic(batch.orgs[p.organization_id])
        if full:
            record["service_areas"] = [self._service_area(p.id, sid, code, batch.names) for code in batch.areas[p.id]]
            record["schedules"] = self._schedules(p, sid)
            record["service_at_locations"] = [
                {
                    "id": service_at_location_uuid(p.id, loc.id or 0),
                    "service_id": sid,
                    "location_id": location_uuid(loc.id or 0),
                    "location": batch.location_records[loc.id],
                }
                for loc in batch.links[p.id]
            ]
            record["attributes"] = self._service_attributes(p, sid)
            record["capacities"] = self._capacities(p, sid)
            record["phones"] = []
            record["contacts"] = []
        return record

    def _service_area(self, pid: int, sid: str, code: str, names: dict[str, str]) -> dict[str, Any]:
        name = names.get(code, code)
        return {
            "id": hsds_uuid("service_area", pid, code),
            "service_id": sid,
            "name": name,
            "description": f"{name} ({code})",
            "extent": code,
            "extent_type": "text",
        }

    def _schedules(self, p: Program, sid: str) -> list[dict[str, Any]]:
        out = []
        for role, start, end in (
            ("application_window", p.opens_on, p.closes_on),
            ("programme_validity", p.valid_from, p.valid_to),
        ):
            if start is None and end is None:
                continue
            schedule_id = hsds_uuid("schedule", p.id, role)
            out.append(
                _drop_none(
                    {
                        "id": schedule_id,
                        "service_id": sid,
                        "valid_from": _iso(start),
                        "valid_to": _iso(end),
                        "description": schedule_description(role, start, end, self.lang),
                        "attributes": [attribute_record("schedule", schedule_id, term(FIELD, role), self.lang)],
                    }
                )
            )
        return out

    def _service_attributes(self, p: Program, sid: str) -> list[dict[str, Any]]:
        lang = self.lang
        out = [attribute_record("service", sid, term(PROGRAM_KIND, str(p.kind)), lang)]
        out += [attribute_record("service", sid, term(SECTOR, s), lang) for s in p.sectors or []]
        rule = json.dumps(published_rule(p.eligibility), ensure_ascii=False, separators=(",", ":"))
        out.append(attribute_record("service", sid, term(FIELD, "eligibility_rule"), lang, rule))
        for key in ("benefit_min", "benefit_max", "interest_rate"):
            value = getattr(p, key)
            if value is not None:
                out.append(attribute_record("service", sid, term(FIELD, key), lang, str(as_number(value))))
        return out

    def _capacities(self, p: Program, sid: str) -> list[dict[str, Any]]:
        if p.capacity is None and p.capacity_remaining is None:
            return []
        unit = unit_record(CapacityUnit(p.capacity_unit), self.lang)
        available = p.capacity_remaining if p.capacity_remaining is not None else p.capacity
        return [
            _drop_none(
                {
                    "id": hsds_uuid("service_capacity", p.id),
                    "service_id": sid,
                    "unit": unit,
                    "unit_id": unit["id"],
                    "available": available,
                    "maximum": p.capacity,
                    "description": capacity_description(p.capacity_unit, self.lang),
                    "updated": _iso(p.updated_at),
                }
            )
        ]
