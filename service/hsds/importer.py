"""Importing an HSDS tabular data package: organisations, then locations, then services, each
written whole with every row that belongs to it or refused whole with the CSV line and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session

from models.organizations import Location, LocationCreate, LocationPublic, Organization, OrganizationCreate
from models.regions import Region
from models.users import Role
from service import catalog
from service.errors import Forbidden
from service.hsds import queries
from service.hsds.cells import number, validated
from service.hsds.context import REQUEST_ID, ImportContext
from service.hsds.ids import location_uuid
from service.hsds.limits import PackageLimits
from service.hsds.package import read_zip
from service.hsds.report import ImportReport, Row
from service.hsds.rows import PackageRows
from service.hsds.service_import import import_services
from service.hsds.taxonomy import FIELD, ORGANIZATION_KIND, Term
from service.hsds.words import default_org_description


def import_actor(session: Session, *, username: str) -> int:
    """The id of the administrator an import's audit trail names; 403 if ``username`` is none."""
    user = queries.user_named(session, username)
    if user is None or user.role is not Role.admin or user.id is None:
        raise Forbidden(f"{username} is not an administrator")
    return user.id


def import_package(
    session: Session,
    source: Path | bytes | BinaryIO,
    *,
    actor_user_id: int | None = None,
    limits: PackageLimits | None = None,
) -> ImportReport:
    """Import an HSDS tabular data package; write whole entities, refuse the rest with line and reason.

    Raises ``PackageError`` when the file is not a readable zip at all, and ``PackageRefused``
    (writing nothing) when it unzips, counts rows or nests JSON past ``limits``.
    """
    limits = limits or PackageLimits()
    if isinstance(source, Path):
        with source.open("rb") as handle:
            descriptor, files = read_zip(handle, limits)
    else:
        descriptor, files = read_zip(source, limits)
    report = ImportReport()
    rows = PackageRows(descriptor, files, report, limits)
    ctx = ImportContext(session, descriptor, rows, report, actor_user_id)
    for hid, row in rows.orgs.items():
        import_organization(ctx, hid, row)
    for hid, row in rows.locs.items():
        import_location(ctx, hid, row)
    import_services(ctx)
    rows.settle_the_rest()
    missing = [rows.paths[t] for t in ("organization", "location", "service") if rows.paths[t] not in files]
    if len(missing) == 3:
        report.problems.append(("(package)", 0, "none of organizations.csv, locations.csv, services.csv is in the zip"))
    return report


# --- organisations ---------------------------------------------------------------------------


def import_organization(ctx: ImportContext, hid: str, row: Row) -> None:
    """Match or write one organisation with its attributes and phone; or refuse them with the reasons."""
    problems: list[str] = []
    attrs = ctx.rows.attributes("organization", hid)
    kind_row = ctx.rows.one(attrs, ORGANIZATION_KIND, None, problems)
    region_row = ctx.rows.one(attrs, FIELD, "region_code", problems)
    address_row = ctx.rows.one(attrs, FIELD, "address", problems)
    kind_term = ctx.rows.term_of(kind_row) if kind_row else None
    kind = kind_term.code if kind_term else None
    if kind is None:
        problems.append(f"no organisation kind: an attribute with a term of {ORGANIZATION_KIND} is needed")
    region = _organization_region(ctx, hid, region_row, problems)
    phones = ctx.rows.phones.get(hid, [])
    for extra in phones[1:]:
        extra.ignore("Jejaring keeps one phone number per organisation")
    values = {
        "name": row.get("name"),
        "kind": kind,
        "region_code": region,
        "address": address_row.get("value") if address_row else None,
        "phone": phones[0].get("number") if phones else None,
        "email": row.get("email"),
        "website": row.get("website"),
        "description": _own_description(ctx, row.get("description"), kind, region),
    }
    data = validated(OrganizationCreate, values, problems)
    children = [r for r, _ in attrs] + phones
    if problems or data is None:
        ctx.rows.refuse_entity("organization", hid, row, problems, children)
        return
    existing = ctx.known("organization", hid, Organization) or ctx.match_organization(hid, data.name, data.region_code)
    ctx.settle(
        "organization",
        hid,
        row,
        children,
        existing=existing,
        create=lambda: catalog.create_organization(ctx.session, data=data, scope=ctx.scope, request_id=REQUEST_ID),
    )


def _organization_region(ctx: ImportContext, hid: str, region_row: Row | None, problems: list[str]) -> str | None:
    """The region_code attribute, checked; without one, the region all the organisation's locations share."""
    region = region_row.get("value") if region_row else None
    if region is not None:
        return ctx.check_region(region, region_row, problems)
    region = ctx.common_location_region(hid)
    if region is None:
        problems.append("no region: a region_code attribute (Kemendagri code) is needed")
    return region


def _own_description(ctx: ImportContext, description: str | None, kind: str | None, region: str | None) -> str | None:
    """The description, unless it is the default an export writes for an organisation without one."""
    if not (kind and region and description):
        return description
    region_row = ctx.session.get(Region, region)
    region_name = region_row.name if region_row else region
    defaults = {default_org_description(kind, region_name, lang) for lang in ("id", "en")}
    return None if description in defaults else description


# --- locations -------------------------------------------------------------------------------


def import_location(ctx: ImportContext, hid: str, row: Row) -> None:
    """Match or write one location with its attributes and address; or refuse them with the reasons."""
    problems: list[str] = []
    attrs = ctx.rows.attributes("location", hid)
    addresses = ctx.rows.addresses.get(hid, [])
    children = [r for r, _ in attrs] + addresses
    org_id = ctx.organization_of("location", hid, row, children)
    if org_id is None:
        return
    data = validated(LocationCreate, _location_values(ctx, hid, row, attrs, addresses, problems), problems)
    if problems or data is None:
        ctx.rows.refuse_entity("location", hid, row, problems, children)
        return
    existing = ctx.known("location", hid, Location) or ctx.match_named(Location, org_id, data.name, hid, location_uuid)

    def create() -> LocationPublic:
        return catalog.add_location(ctx.session, ctx.scope, org=org_id, data=data, request_id=REQUEST_ID)

    ctx.settle("location", hid, row, children, existing=existing, create=create)


def _location_values(
    ctx: ImportContext, hid: str, row: Row, attrs: list[tuple[Row, Term]], addresses: list[Row], problems: list[str]
) -> dict[str, Any]:
    region_row = ctx.rows.one(attrs, FIELD, "region_code", problems)
    address_row = ctx.rows.one(attrs, FIELD, "address", problems)
    address = addresses[0] if addresses else None
    for extra in addresses[1:]:
        extra.ignore("Jejaring keeps one address per location")
    region = ctx.location_region(hid)
    if region is None:
        problems.append("no region: a region_code attribute (or an address whose city is a known regency) is needed")
    else:
        region = ctx.check_region(region, region_row, problems)
    latitude = number(row, "latitude", problems)
    longitude = number(row, "longitude", problems)
    return {
        "name": row.get("name"),
        "region_code": region,
        "address": address_row.get("value") if address_row else (address.get("address_1") if address else None),
        "latitude": latitude,
        "longitude": longitude,
    }
