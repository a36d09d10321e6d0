"""The HSDS tabular data package: its tables and their Table Schema, the nested records spread
into rows, the ``datapackage.json`` descriptor, the export zip, and reading a zip and its CSVs
back for an import."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session

from service.hsds import queries
from service.hsds.builder import Builder
from service.hsds.ids import NAMESPACE
from service.hsds.limits import PackageLimits, PackageRefused
from service.hsds.profile import HSDS_VERSION, REGION_SOURCE
from service.hsds.report import ImportReport, PackageError, Row
from service.hsds.taxonomy import TAXONOMIES, TERMS, taxonomy_record, term_record


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    fields: tuple[tuple[str, str, str | None], ...]  # (name, Table Schema type, format)
    required: frozenset[str]
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (field, table)


def _table(name: str, path: str, spec: str, required: str, fks: tuple[tuple[str, str], ...] = ()) -> Table:
    fields = []
    for item in spec.split():
        fname, _, typ = item.partition(":")
        kind, _, fmt = (typ or "string").partition("/")
        fields.append((fname, kind, fmt or None))
    return Table(name, path, tuple(fields), frozenset(required.split()), fks)


TABLES: tuple[Table, ...] = (
    _table(
        "organization",
        "organizations.csv",
        "id:string/uuid name description email:string/email website:string/uri",
        "id name description",
    ),
    _table(
        "service",
        "services.csv",
        "id:string/uuid organization_id:string/uuid name description url:string/uri status eligibility_description "
        "minimum_age:number maximum_age:number last_modified:datetime",
        "id name status organization_id",
        (("organization_id", "organization"),),
    ),
    _table(
        "attribute",
        "attributes.csv",
        "id:string/uuid link_id:string/uuid taxonomy_term_id:string/uuid link_type link_entity value",
        "id link_id taxonomy_term_id link_entity",
        (("taxonomy_term_id", "taxonomy_term"),),
    ),
    _table(
        "service_at_location",
        "service_at_location.csv",
        "id:string/uuid service_id:string/uuid location_id:string/uuid description",
        "id service_id location_id",
        (("service_id", "service"), ("location_id", "location")),
    ),
    _table(
        "location",
        "locations.csv",
        "id:string/uuid location_type organization_id:string/uuid name description latitude:number longitude:number",
        "id location_type",
        (("organization_id", "organization"),),
    ),
    _table(
        "phone",
        "phones.csv",
        "id:string/uuid organization_id:string/uuid location_id:string/uuid number type",
        "id number",
        (("organization_id", "organization"), ("location_id", "location")),
    ),
    _table(
        "schedule",
        "schedules.csv",
        "id:string/uuid service_id:string/uuid location_id:string/uuid valid_from:date valid_to:date freq wkst "
        "byday opens_at:time closes_at:time description",
        "id",
        (("service_id", "service"), ("location_id", "location")),
    ),
    _table(
        "service_area",
        "service_areas.csv",
        "id:string/uuid service_id:string/uuid name description extent extent_type",
        "id",
        (("service_id", "service"),),
    ),
    _table(
        "taxonomy_term",
        "taxonomy_terms.csv",
        "id:string/uuid code name description taxonomy language taxonomy_id:string/uuid",
        "id name description",
        (("taxonomy_id", "taxonomy"),),
    ),
    _table("taxonomy", "taxonomies.csv", "id:string/uuid name description version", "id name description"),
    _table("unit", "units.csv", "id:string/uuid name scheme identifier", "id name"),
    _table(
        "service_capacity",
        "service_capacity.csv",
        "id:string/uuid service_id:string/uuid unit_id:string/uuid available:number maximum:number description "
        "updated:datetime",
        "id available updated unit_id service_id",
        (("service_id", "service"), ("unit_id", "unit")),
    ),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}
# nested key of a record -> the table its items go to
_CHILD_TABLES = {
    "phones": "phone",
    "locations": "location",
    "attributes": "attribute",
    "services": "service",
    "service_areas": "service_area",
    "schedules": "schedule",
    "service_at_locations": "service_at_location",
    "capacities": "service_capacity",
    "location": "location",
    "unit": "unit",
}


def flatten(records: Iterable[dict[str, Any]], table: str, into: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Spread nested HSDS records into per-table rows (deduplicated by id)."""
    for record in records:
        row = {k: v for k, v in record.items() if not isinstance(v, dict | list)}
        into[table].setdefault(record["id"], row)
        for key, value in record.items():
            child = _CHILD_TABLES.get(key)
            if child is None:
                continue  # "organization" (the parent) and "taxonomy_term" (written from the taxonomies)
            flatten(value if isinstance(value, list) else [value], child, into)


def datapackage_descriptor(counts: dict[str, int], *, lang: str, created: datetime) -> dict[str, Any]:
    """The ``datapackage.json`` of an export: every table's fields, keys and the rows it holds."""
    resources = []
    for t in TABLES:
        fields = []
        for name, kind, fmt in t.fields:
            f: dict[str, Any] = {"name": name, "type": kind}
            if fmt:
                f["format"] = fmt
            f["constraints"] = {"required": name in t.required, "unique": name == "id"}
            if (t.name, name) == ("service", "status"):
                f["constraints"]["enum"] = ["active", "inactive", "defunct", "temporarily closed"]
            fields.append(f)
        schema: dict[str, Any] = {"fields": fields, "primaryKey": "id"}
        if t.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": fname, "reference": {"resource": target, "fields": "id"}} for fname, target in t.foreign_keys
            ]
        resources.append(
            {
                "name": t.name,
                "path": t.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "jejaring-hsds",
        "title": "Jejaring: peta sumber daya dan jejaring mitra PKH (HSDS 3.0)",
        "description": "Organisations, service points and published programmes of Jejaring's resource map, in the "
        "Open Referral Human Services Data Specification 3.0 with the Jejaring profile (HSDS 3.1 service_capacity "
        "and unit; Jejaring taxonomies and attributes). No household data.",
        "profile": "tabular-data-package",
        "created": created.isoformat(),
        "language": lang,
        "sources": [{"title": REGION_SOURCE, "path": "https://github.com/fityannugroho/idn-area-data"}],
        "jejaring": {"hsds_version": HSDS_VERSION, "id_namespace": str(NAMESPACE), "rows": counts},
        "resources": resources,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def build_tables(session: Session, *, lang: str = "id") -> dict[str, list[dict[str, Any]]]:
    """Every HSDS table of the export: all organisations and locations, the published programmes."""
    builder = Builder(session, lang)
    orgs = queries.all_organizations(session)
    into: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    flatten(builder.organizations(orgs, nested=True, full_services=True), "organization", into)
    flatten((taxonomy_record(t, lang) for t in TAXONOMIES.values()), "taxonomy", into)
    flatten((term_record(t, lang, nested=False) for t in TERMS.values()), "taxonomy_term", into)
    return {t.name: list(into[t.name].values()) for t in TABLES}


def export_package(session: Session, target: Path | BinaryIO, *, lang: str = "id") -> dict[str, int]:
    """Write the HSDS tabular data package (zip) to ``target``; return the rows per table."""
    tables = build_tables(session, lang=lang)
    counts = {name: len(rows) for name, rows in tables.items()}
    descriptor = datapackage_descriptor(counts, lang=lang, created=datetime.now(UTC))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")
        for t in TABLES:
            buf = io.StringIO(newline="")
            writer = csv.DictWriter(buf, fieldnames=[f[0] for f in t.fields], extrasaction="raise")
            writer.writeheader()
            for row in tables[t.name]:
                writer.writerow({k: _cell(v) for k, v in row.items()})
            zf.writestr(t.path, buf.getvalue())
    return counts


def _package_base(names: list[str]) -> tuple[str | None, str]:
    """The descriptor's name in the zip (if any) and the folder the package sits in ("" for none)."""
    descriptor_name = min((n for n in names if n.rsplit("/", 1)[-1] == "datapackage.json"), key=len, default=None)
    anchor = descriptor_name or min(
        (n for n in names if n.rsplit("/", 1)[-1] in ("organizations.csv", "services.csv", "locations.csv")),
        key=len,
        default="",
    )
    return descriptor_name, anchor[: anchor.rfind("/") + 1]


def _descriptor(zf: zipfile.ZipFile, member: zipfile.ZipInfo | None, limits: PackageLimits) -> dict[str, Any]:
    if member is None:
        return {}
    if member.file_size > limits.max_json_bytes:
        raise PackageRefused(
            f"datapackage.json is {member.file_size:,} bytes; at most {limits.max_json_bytes:,} are read "
            "(JEJARING_HSDS_MAX_JSON_BYTES)"
        )
    try:
        parsed = limits.json_loads(
            limits.read_member(zf, member, already=0).decode("utf-8-sig"), what="datapackage.json"
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"datapackage.json is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise PackageError("datapackage.json is not a JSON object")
    return parsed


def read_zip(source: bytes | BinaryIO, limits: PackageLimits | None = None) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The package's descriptor (``{}`` without one) and its CSV files by path.

    ``PackageError`` if it is not a zip; ``PackageRefused`` if it unzips past ``limits`` (checked
    against the central directory first, then counted while each file streams out).
    """
    limits = limits or PackageLimits()
    handle: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(handle) as zf:
            members = {m.filename: m for m in zf.infolist() if not m.is_dir()}
            descriptor_name, base = _package_base(list(members))
            wanted = [m for n, m in members.items() if n.startswith(base) and n.lower().endswith(".csv")]
            descriptor_member = members.get(descriptor_name or "")
            limits.check_declared_sizes(wanted + ([descriptor_member] if descriptor_member else []))
            descriptor = _descriptor(zf, descriptor_member, limits)
            files: dict[str, bytes] = {}
            size = descriptor_member.file_size if descriptor_member else 0
            for member in wanted:
                files[member.filename[len(base) :]] = data = limits.read_member(zf, member, already=size)
                size += len(data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise PackageError(f"not a zip file: {exc}") from exc
    return descriptor, files


def read_csv(
    name: str, data: bytes, report: ImportReport, limits: PackageLimits | None = None, rows_before: int = 0
) -> list[Row]:
    """The rows of one CSV file; a row whose cells do not match the header is refused, an unreadable file noted.

    ``PackageRefused`` once ``rows_before`` and this file's rows pass ``limits.max_rows``.
    """
    limits = limits or PackageLimits()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.problems.append((name, 0, f"not UTF-8 text ({exc})"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    rows: list[Row] = []
    previous = reader.line_num
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            limits.check_rows(rows_before + len(rows) + 1)
            row = Row(name, start, dict(zip(header, (c.strip() for c in cells), strict=False)))
            if len(cells) != len(header):
                row.status, row.reason = "refused", f"has {len(cells)} cells where the header has {len(header)}"
            rows.append(row)
    except csv.Error as exc:
        report.problems.append((name, reader.line_num, f"unreadable CSV: {exc}"))
    return rows
