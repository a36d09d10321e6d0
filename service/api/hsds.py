"""The Open Referral HSDS 3.0 read API under ``/hsds/``: public, no sign-in, no household data.

Adaptations of the HSDS API (documented at ``/hsds/profile``): ``region`` (a Kemendagri code)
takes the place of ``postcode``; ``proximity`` (metres) takes ``lat``/``lon`` (WGS84) instead of a
postcode centroid; ``lang`` (``id`` or ``en``) picks the language of the words Jejaring writes.
Only published programmes (status active or paused) are services; drafts and closed ones never
appear.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from models.types import NoNul
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput
from service.hsds import read
from service.hsds.read import ServiceQuery
from service.settings import Settings

router = APIRouter(prefix="/hsds", tags=["hsds"])
MAX_PAGE = 1_000_000  # with at most 500 per page, the offset stays far inside any database's range

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Results per page (1-500)")]
Search = Annotated[str | None, Query(max_length=100, description="Words in the name or description"), NoNul]
Lang = Annotated[Literal["id", "en"] | None, Query(description="Language of Jejaring's words (default: the site's)")]
Region = Annotated[
    str | None,
    Query(
        max_length=13,
        description="Kemendagri region code of any level (replaces HSDS postcode). Services: the service area "
        "covers or lies within it. Services at locations and organisations: the place lies within it.",
    ),
    NoNul,
]
Latitude = Annotated[float | None, Query(ge=-90, le=90, description="WGS84 latitude, with lon and proximity")]
Longitude = Annotated[float | None, Query(ge=-180, le=180, description="WGS84 longitude, with lat and proximity")]
Proximity = Annotated[
    float | None, Query(gt=0, le=2_000_000, description="Metres from lat/lon to one of the service's locations")
]
Postcode = Annotated[
    str | None, Query(max_length=20, description="Not supported: Indonesia's regions are given by region code"), NoNul
]
Format = Annotated[str | None, Query(max_length=20, description="Only json"), NoNul]
HsdsId = Annotated[str, Path(max_length=100, description="An HSDS id (a UUID) or a taxonomy's name"), NoNul]
HsdsIdQuery = Annotated[str | None, Query(max_length=100), NoNul]


def _lang(lang: str | None, settings: Settings) -> str:
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
    return read.meta_body(profile_url=str(request.url_for("hsds_profile")), openapi_url=str(request.url_for("openapi")))


@router.get("/profile", name="hsds_profile", summary="The Jejaring profile of HSDS 3.0")
def profile(request: Request) -> dict[str, Any]:
    """What Jejaring changes or adds to HSDS 3.0, for consumers of this API and of its exports."""
    return read.profile_body(taxonomies_url=str(request.url_for("hsds_taxonomies")))


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
    return read.list_organizations(
        session,
        lang=_lang(lang, settings),
        search=search,
        region=region,
        full=full,
        full_service=full_service,
        page=page,
        per_page=per_page,
    )


@router.get("/organizations/{organization_id}", summary="One organisation, fully nested")
def get_organization(
    organization_id: HsdsId, session: SessionDep, settings: SettingsDep, full_service: bool = False, lang: Lang = None
) -> dict[str, Any]:
    """An organisation with its phones, locations, attributes and published services."""
    return read.get_organization(
        session, organization_id=organization_id, lang=_lang(lang, settings), full_service=full_service
    )


# --- services --------------------------------------------------------------------------------


def service_query(
    search: Search = None,
    taxonomy_term_id: HsdsIdQuery = None,
    taxonomy_id: HsdsIdQuery = None,
    organization_id: HsdsIdQuery = None,
    modified_after: Annotated[
        str | None, Query(max_length=40, description="ISO 8601 date or date-time (UTC if no offset)"), NoNul
    ] = None,
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
    return read.list_services(session, query=q, lang=_lang(q.lang, settings))


@router.get("/services/{service_id}", summary="One service, fully nested")
def get_service(service_id: HsdsId, session: SessionDep, settings: SettingsDep, lang: Lang = None) -> dict[str, Any]:
    """A published programme with its organisation, areas, schedules, locations, attributes and capacity."""
    return read.get_service(session, service_id=service_id, lang=_lang(lang, settings))


# --- services at locations -------------------------------------------------------------------


@router.get("/service_at_locations", summary="Paginated list of services at their locations")
def list_service_at_locations(session: SessionDep, settings: SettingsDep, q: ServiceQueryDep) -> dict[str, Any]:
    """Each published programme at each of its locations; ``region`` and ``proximity`` filter the location."""
    return read.list_service_at_locations(session, query=q, lang=_lang(q.lang, settings))


@router.get("/service_at_locations/{service_at_location_id}", summary="One service at a location, fully nested")
def get_service_at_location(
    service_at_location_id: HsdsId, session: SessionDep, settings: SettingsDep, lang: Lang = None
) -> dict[str, Any]:
    """A published programme at one of its locations, with the location and the full service."""
    return read.get_service_at_location(
        session, service_at_location_id=service_at_location_id, lang=_lang(lang, settings)
    )


# --- taxonomies ------------------------------------------------------------------------------


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
    return read.list_taxonomies(lang=_lang(lang, settings), search=search, page=page, per_page=per_page)


@router.get("/taxonomies/{taxonomy_id}", summary="One taxonomy")
def get_taxonomy(taxonomy_id: HsdsId, settings: SettingsDep, lang: Lang = None) -> dict[str, Any]:
    return read.get_taxonomy(taxonomy_id=taxonomy_id, lang=_lang(lang, settings))


@router.get("/taxonomy_terms", summary="Paginated list of taxonomy terms")
def list_taxonomy_terms(
    settings: SettingsDep,
    search: Search = None,
    taxonomy_id: HsdsIdQuery = None,
    parent_id: HsdsIdQuery = None,
    top_only: bool = False,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    lang: Lang = None,
    format: Format = None,
) -> dict[str, Any]:
    """The terms of the Jejaring taxonomies (all top-level: the taxonomies are flat)."""
    _unsupported(None, format)
    return read.list_taxonomy_terms(
        lang=_lang(lang, settings),
        search=search,
        taxonomy_id=taxonomy_id,
        parent_id=parent_id,
        page=page,
        per_page=per_page,
    )


@router.get("/taxonomy_terms/{taxonomy_term_id}", summary="One taxonomy term")
def get_taxonomy_term(taxonomy_term_id: HsdsId, settings: SettingsDep, lang: Lang = None) -> dict[str, Any]:
    return read.get_taxonomy_term(taxonomy_term_id=taxonomy_term_id, lang=_lang(lang, settings))
