"""The HSDS read API's use cases: one function per ``/hsds/...`` endpoint, returning the HSDS body
(a record, or a page of records in the HSDS paging envelope). Public data only: organisations,
locations, published programmes and the taxonomies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from models.organizations import Location, Organization, Program
from service.errors import InvalidInput, NotFound
from service.hsds import queries
from service.hsds.builder import Builder
from service.hsds.filters import Near, check_proximity, check_region, organization_filters, service_filters
from service.hsds.ids import (
    NAMESPACE,
    find_by_uuid,
    location_uuid,
    organization_uuid,
    parse_uuid,
    service_at_location_uuid,
    service_uuid,
)
from service.hsds.profile import HSDS_VERSION, REGION_SOURCE
from service.hsds.taxonomy import TAXONOMIES, TERMS, taxonomy_by_id, taxonomy_record, term_by_id, term_record


def page_body(contents: list[dict[str, Any]], total: int, page: int, per_page: int) -> dict[str, Any]:
    """The HSDS API's paging envelope around one page of ``contents``."""
    total_pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


# --- what this API is ------------------------------------------------------------------------


def meta_body(*, profile_url: str, openapi_url: str) -> dict[str, Any]:
    """Which HSDS version this API serves and where its profile is described."""
    return {"version": HSDS_VERSION, "profile": profile_url, "openapi_url": openapi_url}


def profile_body(*, taxonomies_url: str) -> dict[str, Any]:
    """What Jejaring changes or adds to HSDS 3.0, for consumers of this API and of its exports."""
    return {
        "name": "Jejaring HSDS profile",
        "hsds_version": HSDS_VERSION,
        "base": "https://github.com/openreferral/specification/tree/3.0/schema",
        "id_namespace": str(NAMESPACE),
        "services": "Published programmes only (status active -> active, paused -> temporarily closed).",
        "additions": {
            "service.capacities": "HSDS 3.1 service_capacity objects (maximum = capacity, available = remaining) "
            "with their HSDS 3.1 unit (seats, or rupiah as ISO 4217 IDR); in a data package: service_capacity.csv "
            "and units.csv.",
            "attributes": "Terms of the taxonomies at /hsds/taxonomies classify services (programme kind, business "
            "sectors) and organisations (kind). Terms of jejaring-field carry values HSDS 3.0 has no column for: "
            "region_code and address (organisations, locations), eligibility_rule (the rule tree as "
            "JSON; history.completed_programs names HSDS service ids), benefit_min, benefit_max (rupiah), "
            "interest_rate (percent a year), and on schedules application_window or programme_validity.",
            "service_area": "One per region: extent = Kemendagri code, extent_type = text, name = the region's name.",
            "eligibility_description": "The rule tree in words; minimum_age/maximum_age are the household head's age "
            "bounds every applicant must meet.",
            "location": "No address objects (HSDS requires a postal code, which Jejaring does not hold): the address "
            "and region names are in description, the region code and address in attributes.",
        },
        "query_parameters": {
            "region": "Kemendagri code instead of postcode: services whose service area covers or lies within it; "
            "service_at_locations and organizations whose place lies within it.",
            "lat, lon, proximity": "Services with a location within proximity metres of lat/lon (great-circle).",
            "lang": "id or en, the language of Jejaring's words.",
            "postcode, format=ndjson, minimal": "not supported",
        },
        "taxonomies": taxonomies_url,
        "region_codes": REGION_SOURCE,
    }


# --- organisations ---------------------------------------------------------------------------


def list_organizations(
    session: Session,
    *,
    lang: str,
    search: str | None,
    region: str | None,
    full: bool,
    full_service: bool,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    """One page of organisations: basic fields, or (``full``) nested with locations and services."""
    clauses = organization_filters(session, search=search, region=region)
    rows, total = queries.organization_page(session, clauses, limit=per_page, offset=(page - 1) * per_page)
    contents = Builder(session, lang).organizations(rows, nested=full, full_services=full_service)
    return page_body(contents, total, page, per_page)


def get_organization(session: Session, *, organization_id: str, lang: str, full_service: bool) -> dict[str, Any]:
    """An organisation with its phones, locations, attributes and published services; 404 if unknown."""
    oid = find_by_uuid(queries.organization_ids(session), organization_uuid, organization_id)
    org = session.get(Organization, oid) if oid is not None else None
    if org is None:
        raise NotFound(f"Organization {organization_id} not found")
    return Builder(session, lang).organizations([org], nested=True, full_services=full_service)[0]


# --- services --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceQuery:
    """The filters and paging of /services and /service_at_locations."""

    search: str | None
    taxonomy_term_id: str | None
    taxonomy_id: str | None
    organization_id: str | None
    modified_after: str | None
    region: str | None
    lat: float | None
    lon: float | None
    proximity: float | None
    full: bool
    page: int
    per_page: int
    lang: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _filters(
    session: Session,
    q: ServiceQuery,
    *,
    region: str | None = None,
    near: Near | None = None,
    area_mode: str = "service_area",
) -> list[ColumnElement[bool]]:
    return service_filters(
        session,
        search=q.search,
        taxonomy_term_id=q.taxonomy_term_id,
        taxonomy_id=q.taxonomy_id,
        organization_id=q.organization_id,
        modified_after=q.modified_after,
        region=region,
        near=near,
        area_mode=area_mode,
    )


def list_services(session: Session, *, query: ServiceQuery, lang: str) -> dict[str, Any]:
    """One page of services: one-to-one fields and organisation, or (``full``) fully nested."""
    q = query
    near = check_proximity(q.lat, q.lon, q.proximity)
    clauses = _filters(session, q, region=q.region, near=near)
    rows, total = queries.program_page(session, clauses, limit=q.per_page, offset=q.offset)
    contents = Builder(session, lang).services(rows, full=q.full)
    return page_body(contents, total, q.page, q.per_page)


def get_service(session: Session, *, service_id: str, lang: str) -> dict[str, Any]:
    """A published programme, fully nested; 404 for a draft, a closed or an unknown one."""
    pid = find_by_uuid(queries.published_program_ids(session), service_uuid, service_id)
    program = session.get(Program, pid) if pid is not None else None
    if program is None:
        raise NotFound(f"Service {service_id} not found")
    return Builder(session, lang).services([program], full=True)[0]


# --- services at locations -------------------------------------------------------------------


def _sal_records(builder: Builder, pairs: list[tuple[Program, Location]], full: bool) -> list[dict[str, Any]]:
    programs = list({p.id: p for p, _ in pairs}.values())
    services = dict(zip((p.id for p in programs), builder.services(programs, full=full), strict=True))
    locations = list({loc.id: loc for _, loc in pairs}.values())
    location_records = dict(zip((loc.id for loc in locations), builder.locations(locations), strict=True))
    out = []
    for p, loc in pairs:
        assert p.id is not None and loc.id is not None
        out.append(
            {
                "id": service_at_location_uuid(p.id, loc.id),
                "service_id": service_uuid(p.id),
                "location_id": location_uuid(loc.id),
                "location": location_records[loc.id],
                "service": services[p.id],
            }
        )
    return out


def list_service_at_locations(session: Session, *, query: ServiceQuery, lang: str) -> dict[str, Any]:
    """One page of published programmes at each of their locations; region and proximity filter the location."""
    q = query
    clauses = _filters(session, q, area_mode="location")
    region = check_region(session, q.region) if q.region is not None else None
    near = check_proximity(q.lat, q.lon, q.proximity)
    location_ids = queries.locations_near(session, *near) if near is not None else None
    pairs, total = queries.program_location_page(
        session, clauses, region=region, location_ids=location_ids, limit=q.per_page, offset=q.offset
    )
    contents = _sal_records(Builder(session, lang), pairs, q.full)
    return page_body(contents, total, q.page, q.per_page)


def get_service_at_location(session: Session, *, service_at_location_id: str, lang: str) -> dict[str, Any]:
    """A published programme at one of its locations, with the location and the full service; 404 if unknown."""
    wanted = parse_uuid(service_at_location_id)
    for pid, lid in queries.published_program_location_ids(session):
        if service_at_location_uuid(pid, lid) == wanted:
            pair = queries.program_and_location(session, pid, lid)
            return _sal_records(Builder(session, lang), [pair], True)[0]
    raise NotFound(f"Service at location {service_at_location_id} not found")


# --- taxonomies ------------------------------------------------------------------------------


def _page_of(items: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    start = (page - 1) * per_page
    return page_body(items[start : start + per_page], len(items), page, per_page)


def _matches(record: dict[str, Any], search: str | None) -> bool:
    if not search:
        return True
    text = f"{record.get('name', '')} {record.get('description', '')} {record.get('code', '')}".lower()
    return search.lower() in text


def list_taxonomies(*, lang: str, search: str | None, page: int, per_page: int) -> dict[str, Any]:
    """One page of the Jejaring taxonomies whose words contain ``search``."""
    records = [taxonomy_record(t, lang) for t in TAXONOMIES.values()]
    return _page_of([r for r in records if _matches(r, search)], page, per_page)


def get_taxonomy(*, taxonomy_id: str, lang: str) -> dict[str, Any]:
    """One taxonomy; 404 if it is not a Jejaring taxonomy."""
    tax = taxonomy_by_id(taxonomy_id)
    if tax is None:
        raise NotFound(f"Taxonomy {taxonomy_id} not found")
    return taxonomy_record(tax, lang)


def list_taxonomy_terms(
    *, lang: str, search: str | None, taxonomy_id: str | None, parent_id: str | None, page: int, per_page: int
) -> dict[str, Any]:
    """One page of the terms (of one taxonomy) whose words contain ``search``; no term has a parent."""
    terms = list(TERMS.values())
    if taxonomy_id is not None:
        tax = taxonomy_by_id(taxonomy_id)
        if tax is None:
            raise InvalidInput(
                f"taxonomy_id {taxonomy_id!r} is not a Jejaring taxonomy (see /hsds/taxonomies)",
                loc=("query", "taxonomy_id"),
            )
        terms = [t for t in terms if t.taxonomy == tax.key]
    if parent_id is not None:
        terms = []  # no term has a parent
    records = [term_record(t, lang) for t in terms]
    return _page_of([r for r in records if _matches(r, search)], page, per_page)


def get_taxonomy_term(*, taxonomy_term_id: str, lang: str) -> dict[str, Any]:
    """One taxonomy term; 404 if it is not a term of the Jejaring taxonomies."""
    t = term_by_id(taxonomy_term_id)
    if t is None:
        raise NotFound(f"Taxonomy term {taxonomy_term_id} not found")
    return term_record(t, lang)
