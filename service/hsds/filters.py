"""The read API's filters: each query value checked (422 with the parameter's name when it is
malformed or unknown), then turned into the SQL clauses of ``service.hsds.queries``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from service.core.regions import require_regions
from service.errors import InvalidInput
from service.hsds import queries
from service.hsds.ids import find_by_uuid, organization_uuid, parse_uuid
from service.hsds.profile import REGION_RE
from service.hsds.taxonomy import FIELD, ORGANIZATION_KIND, PROGRAM_KIND, SECTOR, Term, taxonomy_by_id, term_by_id

Near = tuple[float, float, float]
"""(latitude, longitude, metres)."""


def parse_modified_after(value: str) -> datetime:
    """An ISO 8601 date or date-time; a time without an offset is read as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"modified_after {value!r} is not an ISO 8601 date or date-time (2026-01-31 or 2026-01-31T08:00:00+07:00)",
            loc=("query", "modified_after"),
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_region(session: Session, region: str) -> str:
    """``region`` when it is a Kemendagri code in the region list; else 422."""
    if not REGION_RE.match(region):
        raise InvalidInput(
            f"region {region!r} is not a Kemendagri code like 32, 32.73, 32.73.16 or 32.73.16.1002",
            loc=("query", "region"),
        )
    require_regions(session, [region], loc=("query", "region"))
    return region


def check_proximity(lat: float | None, lon: float | None, proximity: float | None) -> Near | None:
    """(lat, lon, metres) when all three are given, ``None`` when none is; 422 for a part."""
    given = [x is not None for x in (lat, lon, proximity)]
    if not any(given):
        return None
    if not all(given):
        raise InvalidInput(
            "proximity needs lat and lon (WGS84 degrees) and proximity (metres) together",
            loc=("query", "proximity"),
        )
    assert lat is not None and lon is not None and proximity is not None
    return lat, lon, proximity


def service_filters(
    session: Session,
    *,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
    region: str | None = None,
    near: Near | None = None,
    area_mode: str = "service_area",
) -> list[ColumnElement[bool]]:
    """SQL clauses on ``Program`` for the HSDS list filters; 422 on a malformed or unknown filter.

    ``area_mode`` ``service_area`` (services): ``region`` keeps services whose service area
    covers or lies within it, and ``near`` those with a location within the radius; ``location``
    (services at locations): the caller filters the location itself.
    """
    clauses = [queries.published_programs()]
    if search:
        clauses.append(queries.program_search(search))
    if organization_id is not None:
        clauses.append(_organization_clause(session, organization_id))
    if taxonomy_term_id is not None:
        clauses.append(_term_clause(_checked_term(taxonomy_term_id)))
    if taxonomy_id is not None:
        clauses.extend(_taxonomy_clauses(taxonomy_id))
    if modified_after is not None:
        clauses.append(queries.program_modified_since(parse_modified_after(modified_after)))
    if area_mode == "service_area":
        clauses.extend(_area_clauses(session, region, near))
    return clauses


def _organization_clause(session: Session, organization_id: str) -> ColumnElement[bool]:
    if parse_uuid(organization_id) is None:
        raise InvalidInput(f"organization_id {organization_id!r} is not a UUID", loc=("query", "organization_id"))
    oid = find_by_uuid(queries.organization_ids(session), organization_uuid, organization_id)
    return queries.program_of_organization(oid)


def _checked_term(taxonomy_term_id: str) -> Term:
    t = term_by_id(taxonomy_term_id)
    if t is None:
        raise InvalidInput(
            f"taxonomy_term_id {taxonomy_term_id!r} is not a term of the Jejaring taxonomies"
            " (see /hsds/taxonomy_terms)",
            loc=("query", "taxonomy_term_id"),
        )
    return t


def _term_clause(t: Term) -> ColumnElement[bool]:
    if t.taxonomy == PROGRAM_KIND:
        return queries.program_of_kind(t.code)
    if t.taxonomy == SECTOR:
        return queries.program_for_sector(t.code)
    if t.taxonomy == ORGANIZATION_KIND:
        return queries.program_of_organization_kind(t.code)
    raise InvalidInput(
        f"taxonomy_term_id names {t.code} of {t.taxonomy}, which carries a value and classifies nothing;"
        " filter by a programme kind, sector or organisation kind",
        loc=("query", "taxonomy_term_id"),
    )


def _taxonomy_clauses(taxonomy_id: str) -> list[ColumnElement[bool]]:
    """Programme kinds and organisation kinds classify every service; sectors only some."""
    tax = taxonomy_by_id(taxonomy_id)
    if tax is None or tax.key == FIELD:
        raise InvalidInput(
            f"taxonomy_id {taxonomy_id!r} is not a Jejaring classification (see /hsds/taxonomies)",
            loc=("query", "taxonomy_id"),
        )
    return [queries.program_for_sector(None)] if tax.key == SECTOR else []


def _area_clauses(session: Session, region: str | None, near: Near | None) -> list[ColumnElement[bool]]:
    clauses = []
    if region is not None:
        clauses.append(queries.program_serving(check_region(session, region)))
    if near is not None:
        clauses.append(queries.program_at_locations(queries.locations_near(session, *near)))
    return clauses


def organization_filters(session: Session, *, search: str | None, region: str | None) -> list[ColumnElement[bool]]:
    """SQL clauses on ``Organization`` for the HSDS list filters; 422 on an unknown region."""
    clauses = []
    if search:
        clauses.append(queries.organization_search(search))
    if region is not None:
        clauses.append(queries.organization_within(check_region(session, region)))
    return clauses
