"""The Open Referral HSDS 3.0 read API under ``/hsds/``: public, no sign-in, no household data.

Adaptations of the HSDS API (documented at ``/hsds/profile``): ``region`` (a Kemendagri code)
takes the place of ``postcode``; ``proximity`` (metres) takes ``lat``/``lon`` (WGS84) instead of a
postcode centroid; ``lang`` (``id`` or ``en``) picks the language of the words Jejaring writes.
Only published programmes (status active or paused) are services; drafts and closed ones never
appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, select

from models.organizations import Location, Organization, Program, ProgramLocation
from service import hsds
from service.core.paging import paginate
from service.core.scope import within
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput, NotFound

router = APIRouter(prefix="/hsds", tags=["hsds"])

PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Results per page (1-500)")]
Search = Annotated[str | None, Query(max_length=100, description="Words in the name or description")]
Lang = Annotated[Literal["id", "en"] | None, Query(description="Language of Jejaring's words (default: the site's)")]
Region = Annotated[
    str | None,
    Query(
        max_length=13,
        description="Kemendagri region code of any level (replaces HSDS postcode). Services: the service area "
        "covers or lies within it. Services at locations and organisations: the place lies within it.",
    ),
]
Latitude = Annotated[float | None, Query(ge=-90, le=90, description="WGS84 latitude, with lon and proximity")]
Longitude = Annotated[float | None, Query(ge=-180, le=180, description="WGS84 longitude, with lat and proximity")]
Proximity = Annotated[
    float | None, Query(gt=0, le=2_000_000, description="Metres from lat/lon to one of the service's locations")
]
Postcode = Annotated[str | None, Query(description="Not supported: Indonesia's regions are given by region code")]
Format = Annotated[str | None, Query(description="Only json")]


def _lang(lang: str | None, settings: Any) -> str:
    return lang or settings.default_language


def _unsupported(postcode: str | None, fmt: str | None) -> None:
    if postcode is not None:
        raise InvalidInput(
            "postcode is not supported; use region (a Kemendagri code such as 32.73) or lat, lon and proximity",
            loc=("query", "postcode"),
        )
    if fmt not in (None, "json"):
        raise InvalidInput("only format=json is served", loc=("query", "format"))


@router.get("/", summary="HSDS version and profile of this API")
def api_meta(request: Request) -> dict[str, Any]:
    """Which HSDS version this API serves and where its profile is described."""
    return {
        "version": hsds.HSDS_VERSION,
        "profile": str(request.url_for("hsds_profile")),
        "openapi_url": str(request.url_for("openapi")),
    }


@router.get("/profile", name="hsds_profile", summary="The Jejaring profile of HSDS 3.0")
def profile(request: Request) -> dict[str, Any]:
    """What Jejaring changes or adds to HSDS 3.0, for consumers of this API and of its exports."""
    return {
        "name": "Jejaring HSDS profile",
        "hsds_version": hsds.HSDS_VERSION,
        "base": "https://github.com/openreferral/specification/tree/3.0/schema",
        "id_namespace": str(hsds.NAMESPACE),
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
        "taxonomies": str(request.url_for("hsds_taxonomies")),
        "region_codes": hsds.REGION_SOURCE,
    }


# --- organisations ---------------------------------------------------------------------------


@router.get("/organizations", summary="Paginated list of organisations")
def list_organizations(
    session: SessionDep,
    settings: SettingsDep,
    search: Search = None,
    region: Region = None,
    full_service: bool = False,
    full: bool = False,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    lang: Lang = None,
    format: Format = None,
) -> dict[str, Any]:
    """Organisations with their basic fields (``full=true``: nested with locations and services)."""
    _unsupported(None, format)
    stmt = select(Organization).where(*hsds.organization_filters(session, search=search, region=region))
    rows, total = paginate(session, stmt, limit=per_page, offset=(page - 1) * per_page, order_by=Organization.id)
    builder = hsds.Builder(session, _lang(lang, settings))
    contents = builder.organizations(rows, nested=full, full_services=full_service)
    return hsds.page_body(contents, total, page, per_page)


@router.get("/organizations/{organization_id}", summary="One organisation, fully nested")
def get_organization(
    organization_id: str, session: SessionDep, settings: SettingsDep, full_service: bool = False, lang: Lang = None
) -> dict[str, Any]:
    """An organisation with its phones, locations, attributes and published services."""
    oid = hsds.find_by_uuid(session.exec(select(Organization.id)).all(), hsds.organization_uuid, organization_id)  # type: ignore[arg-type]
    org = session.get(Organization, oid) if oid is not None else None
    if org is None:
        raise NotFound(f"Organization {organization_id} not found")
    builder = hsds.Builder(session, _lang(lang, settings))
    return builder.organizations([org], nested=True, full_services=full_service)[0]


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

    def service_clauses(self, session: Session, *, area_mode: str | None = None) -> list[Any]:
        """The service filters; ``area_mode="location"``: region and proximity are left to the
        caller, who applies them to each service's location."""
        common: dict[str, Any] = {
            "search": self.search,
            "taxonomy_term_id": self.taxonomy_term_id,
            "taxonomy_id": self.taxonomy_id,
            "organization_id": self.organization_id,
            "modified_after": self.modified_after,
        }
        if area_mode is not None:
            return hsds.service_filters(session, **common, area_mode=area_mode)
        near = hsds.check_proximity(self.lat, self.lon, self.proximity)
        return hsds.service_filters(session, **common, region=self.region, near=near)


def service_query(
    search: Search = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: Annotated[str | None, Query(description="ISO 8601 date or date-time (UTC if no offset)")] = None,
    region: Region = None,
    lat: Latitude = None,
    lon: Longitude = None,
    proximity: Proximity = None,
    postcode: Postcode = None,
    full: bool = False,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    lang: Lang = None,
    format: Format = None,
) -> ServiceQuery:
    _unsupported(postcode, format)
    return ServiceQuery(
        search, taxonomy_term_id, taxonomy_id, organization_id, modified_after, region, lat, lon, proximity,
        full, page, per_page, lang,
    )  # fmt: skip


ServiceQueryDep = Annotated[ServiceQuery, Depends(service_query)]


@router.get("/services", summary="Paginated list of services (published programmes)")
def list_services(session: SessionDep, settings: SettingsDep, q: ServiceQueryDep) -> dict[str, Any]:
    """Services with their one-to-one fields and organisation (``full=true``: fully nested)."""
    clauses = q.service_clauses(session)
    rows, total = paginate(
        session, select(Program).where(*clauses), limit=q.per_page, offset=q.offset, order_by=Program.id
    )
    contents = hsds.Builder(session, _lang(q.lang, settings)).services(rows, full=q.full)
    return hsds.page_body(contents, total, q.page, q.per_page)


def _published_program(session: SessionDep, service_id: str) -> Program:
    ids = session.exec(select(Program.id).where(hsds.published_programs())).all()
    pid = hsds.find_by_uuid(ids, hsds.service_uuid, service_id)  # type: ignore[arg-type]
    program = session.get(Program, pid) if pid is not None else None
    if program is None:
        raise NotFound(f"Service {service_id} not found")
    return program


@router.get("/services/{service_id}", summary="One service, fully nested")
def get_service(service_id: str, session: SessionDep, settings: SettingsDep, lang: Lang = None) -> dict[str, Any]:
    """A published programme with its organisation, areas, schedules, locations, attributes and capacity."""
    program = _published_program(session, service_id)
    return hsds.Builder(session, _lang(lang, settings)).services([program], full=True)[0]


# --- services at locations -------------------------------------------------------------------


def _sal_records(builder: hsds.Builder, pairs: list[tuple[Program, Location]], full: bool) -> list[dict[str, Any]]:
    programs = list({p.id: p for p, _ in pairs}.values())
    services = dict(zip((p.id for p in programs), builder.services(programs, full=full), strict=True))
    locations = list({loc.id: loc for _, loc in pairs}.values())
    location_records = dict(zip((loc.id for loc in locations), builder.locations(locations), strict=True))
    out = []
    for p, loc in pairs:
        assert p.id is not None and loc.id is not None
        out.append(
            {
                "id": hsds.service_at_location_uuid(p.id, loc.id),
                "service_id": hsds.service_uuid(p.id),
                "location_id": hsds.location_uuid(loc.id),
                "location": location_records[loc.id],
                "service": services[p.id],
            }
        )
    return out


@router.get("/service_at_locations", summary="Paginated list of services at their locations")
def list_service_at_locations(session: SessionDep, settings: SettingsDep, q: ServiceQueryDep) -> dict[str, Any]:
    """Each published programme at each of its locations; ``region`` and ``proximity`` filter the location."""
    clauses = q.service_clauses(session, area_mode="location")
    stmt = (
        select(ProgramLocation)
        .join(Program, Program.id == ProgramLocation.program_id)  # type: ignore[arg-type]
        .join(Location, Location.id == ProgramLocation.location_id)  # type: ignore[arg-type]
        .where(*clauses)
        .order_by(ProgramLocation.program_id, ProgramLocation.location_id)
    )
    if q.region is not None:
        stmt = stmt.where(within(Location.region_code, hsds.check_region(session, q.region)))
    near = hsds.check_proximity(q.lat, q.lon, q.proximity)
    if near is not None:
        stmt = stmt.where(Location.id.in_(hsds.locations_near(session, *near)))  # type: ignore[union-attr]
    links, total = paginate(
        session,
        stmt,
        limit=q.per_page,
        offset=q.offset,
        order_by=ProgramLocation.program_id,  # after the statement's own (programme, location) order
    )
    pairs = [(session.get(Program, link.program_id), session.get(Location, link.location_id)) for link in links]
    contents = _sal_records(hsds.Builder(session, _lang(q.lang, settings)), pairs, q.full)  # type: ignore[arg-type]
    return hsds.page_body(contents, total, q.page, q.per_page)


@router.get("/service_at_locations/{service_at_location_id}", summary="One service at a location, fully nested")
def get_service_at_location(
    service_at_location_id: str, session: SessionDep, settings: SettingsDep, lang: Lang = None
) -> dict[str, Any]:
    """A published programme at one of its locations, with the location and the full service."""
    wanted = hsds.parse_uuid(service_at_location_id)
    rows = session.exec(
        select(ProgramLocation.program_id, ProgramLocation.location_id)
        .join(Program, Program.id == ProgramLocation.program_id)  # type: ignore[arg-type]
        .where(hsds.published_programs())
    ).all()
    for pid, lid in rows:
        if hsds.service_at_location_uuid(pid, lid) == wanted:
            pair = (session.get(Program, pid), session.get(Location, lid))
            return _sal_records(hsds.Builder(session, _lang(lang, settings)), [pair], True)[0]  # type: ignore[list-item]
    raise NotFound(f"Service at location {service_at_location_id} not found")


# --- taxonomies ------------------------------------------------------------------------------


def _page_of(items: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    start = (page - 1) * per_page
    return hsds.page_body(items[start : start + per_page], len(items), page, per_page)


def _matches(record: dict[str, Any], search: str | None) -> bool:
    if not search:
        return True
    text = f"{record.get('name', '')} {record.get('description', '')} {record.get('code', '')}".lower()
    return search.lower() in text


@router.get("/taxonomies", name="hsds_taxonomies", summary="Paginated list of taxonomies")
def list_taxonomies(
    settings: SettingsDep,
    search: Search = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    lang: Lang = None,
    format: Format = None,
) -> dict[str, Any]:
    """The Jejaring taxonomies: programme kinds, business sectors, organisation kinds, profile fields."""
    _unsupported(None, format)
    records = [hsds.taxonomy_record(t, _lang(lang, settings)) for t in hsds.TAXONOMIES.values()]
    return _page_of([r for r in records if _matches(r, search)], page, per_page)


@router.get("/taxonomies/{taxonomy_id}", summary="One taxonomy")
def get_taxonomy(taxonomy_id: str, settings: SettingsDep, lang: Lang = None) -> dict[str, Any]:
    for t in hsds.TAXONOMIES.values():
        if t.id == hsds.parse_uuid(taxonomy_id):
            return hsds.taxonomy_record(t, _lang(lang, settings))
    raise NotFound(f"Taxonomy {taxonomy_id} not found")


@router.get("/taxonomy_terms", summary="Paginated list of taxonomy terms")
def list_taxonomy_terms(
    settings: SettingsDep,
    search: Search = None,
    taxonomy_id: str | None = None,
    parent_id: str | None = None,
    top_only: bool = False,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    lang: Lang = None,
    format: Format = None,
) -> dict[str, Any]:
    """The terms of the Jejaring taxonomies (all top-level: the taxonomies are flat)."""
    _unsupported(None, format)
    terms = list(hsds.TERMS.values())
    if taxonomy_id is not None:
        wanted = hsds.parse_uuid(taxonomy_id)
        if wanted not in {t.id for t in hsds.TAXONOMIES.values()}:
            raise InvalidInput(
                f"taxonomy_id {taxonomy_id!r} is not a Jejaring taxonomy (see /hsds/taxonomies)",
                loc=("query", "taxonomy_id"),
            )
        terms = [t for t in terms if hsds.TAXONOMIES[t.taxonomy].id == wanted]
    if parent_id is not None:
        terms = []  # no term has a parent
    records = [hsds.term_record(t, _lang(lang, settings)) for t in terms]
    return _page_of([r for r in records if _matches(r, search)], page, per_page)


@router.get("/taxonomy_terms/{taxonomy_term_id}", summary="One taxonomy term")
def get_taxonomy_term(taxonomy_term_id: str, settings: SettingsDep, lang: Lang = None) -> dict[str, Any]:
    t = hsds.TERMS.get(hsds.parse_uuid(taxonomy_term_id) or "")
    if t is None:
        raise NotFound(f"Taxonomy term {taxonomy_term_id} not found")
    return hsds.term_record(t, _lang(lang, settings))
