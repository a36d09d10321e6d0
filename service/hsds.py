"""Open Referral HSDS 3.0 out of and into the catalogue.

Jejaring publishes its resource map in the Human Services Data Specification (HSDS) 3.0, with a
small profile (served at ``/hsds/profile``):

* An organisation is an HSDS ``organization``; its service points are ``location`` rows (no
  ``address`` rows: HSDS requires a postal code, which Jejaring does not hold); a published
  programme (status ``active`` or ``paused``, never a draft or a closed one) is a ``service``; a
  programme's locations are ``service_at_location`` rows. Households and everything about them
  stay out.
* Programme kinds, business sectors and organisation kinds are three Jejaring taxonomies with
  stable term ids; services and organisations link to their terms through ``attribute`` rows.
  Values HSDS 3.0 has no column for travel as ``attribute.value`` of a term of a fourth taxonomy,
  ``jejaring-field``: the Kemendagri region code and the address of organisations and
  locations, the machine-readable eligibility rule (JSON), benefit amounts and the
  interest rate, and the role of a schedule (application window or programme validity).
* The rule tree's plain-language rendering (the words of ``mapping.labels``) becomes
  ``eligibility_description``; ``minimum_age``/``maximum_age`` come from the head's age
  criteria that every applicant must meet. Capacity becomes an HSDS 3.1 ``service_capacity``
  (``maximum`` = capacity, ``available`` = capacity remaining) with its ``unit`` (seats, or
  rupiah as ISO 4217 ``IDR``). The application window and the programme's validity are two
  ``schedule`` rows (``valid_from``/``valid_to``); the service area is one ``service_area`` per
  region, whose ``extent`` is the Kemendagri code (``extent_type`` ``text``).
* HSDS ids are UUIDs: ``uuid5`` of a fixed Jejaring namespace and the record's kind and integer
  id, so the same database always exports the same ids.

An export is a tabular data package: a zip of CSV files and the ``datapackage.json`` that
describes them (fields, types, primary and foreign keys) in the Frictionless Data format HSDS
uses. An import reads such a package (ours or another publisher's that carries the Jejaring
attributes) entity by entity: an organisation, a location or a service is written whole, with
every row that belongs to it, or refused whole with the CSV line and the reason; a location or
a service whose organisation (or a service whose location) was refused is refused too. Existing
records are matched, not duplicated or changed: by natural key (organisation name and region,
location organisation and name, programme organisation and name), or, for a package exported by
Jejaring, by the same uuid5 id when the name agrees. Programmes keep the status the package gives
(``active``, ``temporarily closed`` -> paused, ``inactive``/``defunct`` -> closed); any other
status lands as a draft, as does a service whose eligibility is described in words but carries no
machine-readable rule.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from mapping import labels
from mapping.matching import _expected_text
from models.eligibility import SECTORS, program_ids_in, region_codes_in
from models.organizations import (
    CapacityUnit,
    HsdsExternalId,
    Location,
    LocationCreate,
    Organization,
    OrganizationCreate,
    OrganizationKind,
    Program,
    ProgramCreate,
    ProgramKind,
    ProgramLocation,
    ProgramServiceArea,
    ProgramStatus,
)
from models.regions import Region
from models.types import REGION_CODE_PATTERN, region_ancestors
from models.users import Role
from service import catalog
from service.core.regions import require_regions
from service.core.scope import Scope, overlaps, within
from service.errors import InvalidInput, ServiceError

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("6c4c7cf1-04a1-5cb8-806c-43bde66835e8")
"""uuid5(NAMESPACE_URL, "urn:jejaring:hsds"); never change it, or every published id changes."""

PUBLISHED = (ProgramStatus.active, ProgramStatus.paused)
STATUS_OUT = {ProgramStatus.active: "active", ProgramStatus.paused: "temporarily closed"}
STATUS_IN = {
    "active": ProgramStatus.active,
    "temporarily closed": ProgramStatus.paused,
    "inactive": ProgramStatus.closed,
    "defunct": ProgramStatus.closed,
}
REGION_SOURCE = "idn-area-data 3.1.2 (Kemendagri region codes and names), Open Database License 1.0"
_REGION_RE = re.compile(REGION_CODE_PATTERN)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


# --- ids -------------------------------------------------------------------------------------


def hsds_uuid(*parts: object) -> str:
    """The stable HSDS id of a Jejaring record: uuid5 of the namespace and ``kind:id[:...]``."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def organization_uuid(org_id: int) -> str:
    return hsds_uuid("organization", org_id)


def location_uuid(location_id: int) -> str:
    return hsds_uuid("location", location_id)


def service_uuid(program_id: int) -> str:
    return hsds_uuid("service", program_id)


def service_at_location_uuid(program_id: int, location_id: int) -> str:
    return hsds_uuid("service_at_location", program_id, location_id)


def parse_uuid(value: str | None) -> str | None:
    """The canonical form of a UUID string, or ``None`` when it is not one."""
    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- taxonomies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taxonomy:
    key: str
    name: tuple[str, str]
    description: tuple[str, str]
    link_type: str

    @property
    def id(self) -> str:
        return hsds_uuid("taxonomy", self.key)


@dataclass(frozen=True)
class Term:
    taxonomy: str
    code: str
    name: tuple[str, str]
    description: tuple[str, str]

    @property
    def id(self) -> str:
        return hsds_uuid("taxonomy_term", self.taxonomy, self.code)


PROGRAM_KIND = "jejaring-program-kind"
SECTOR = "jejaring-sector"
ORGANIZATION_KIND = "jejaring-organization-kind"
FIELD = "jejaring-field"

TAXONOMIES: dict[str, Taxonomy] = {
    t.key: t
    for t in (
        Taxonomy(
            PROGRAM_KIND,
            ("Jenis program Jejaring", "Jejaring programme kinds"),
            (
                "Apa yang diberikan program kepada usaha mikro KPM",
                "What a programme gives a KPM family's micro-business",
            ),
            "service_type",
        ),
        Taxonomy(
            SECTOR,
            ("Bidang usaha Jejaring", "Jejaring business sectors"),
            ("Bidang usaha mikro yang dituju program", "The micro-business sectors a programme is meant for"),
            "eligibility",
        ),
        Taxonomy(
            ORGANIZATION_KIND,
            ("Jenis organisasi Jejaring", "Jejaring organisation kinds"),
            ("Jenis lembaga penyedia program", "The kind of body that offers programmes"),
            "organization_type",
        ),
        Taxonomy(
            FIELD,
            ("Kolom profil HSDS Jejaring", "Jejaring HSDS profile fields"),
            (
                "Nilai yang tidak punya kolom di HSDS 3.0, dibawa di attribute.value",
                "Values HSDS 3.0 has no column for, carried in attribute.value",
            ),
            "jejaring_field",
        ),
    )
}

PROGRAM_KIND_LABELS: dict[str, tuple[str, str]] = {
    "training": ("Pelatihan", "Training"),
    "capital_grant": ("Hibah modal usaha", "Capital grant"),
    "loan": ("Pinjaman modal usaha", "Business loan"),
    "marketing": ("Pemasaran produk", "Marketing outlet"),
    "certification": ("Sertifikasi dan perizinan", "Certification and permits"),
    "mentoring": ("Pendampingan usaha", "Business mentoring"),
    "equipment": ("Bantuan peralatan", "Equipment"),
}
ORGANIZATION_KIND_LABELS: dict[str, tuple[str, str]] = {
    "government_agency": ("Instansi pemerintah daerah", "Local government agency"),
    "ministry_programme": ("Program kementerian", "Ministry programme"),
    "csr_company": ("Perusahaan (CSR)", "Company (CSR)"),
    "ngo": ("Lembaga swadaya masyarakat", "Non-governmental organisation"),
    "financial_institution": ("Lembaga keuangan", "Financial institution"),
    "cooperative": ("Koperasi", "Cooperative"),
    "training_centre": ("Lembaga pelatihan", "Training centre"),
    "marketplace": ("Tempat pemasaran", "Marketplace"),
    "community_group": ("Kelompok masyarakat / BUMDes", "Community group / village enterprise"),
}
FIELD_LABELS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "region_code": (
        ("Kode wilayah Kemendagri", "Kemendagri region code"),
        ("Nilai: kode PP.RR.DD.VVVV dari tingkat mana pun", "Value: a PP.RR.DD.VVVV code of any level"),
    ),
    "address": (("Alamat", "Address"), ("Nilai: alamat organisasi atau lokasi", "Value: the street address")),
    "eligibility_rule": (
        ("Aturan kelayakan (JSON)", "Eligibility rule (JSON)"),
        (
            "Nilai: pohon aturan Jejaring; history.completed_programs menyebut id layanan HSDS",
            "Value: the Jejaring rule tree; history.completed_programs names HSDS service ids",
        ),
    ),
    "benefit_min": (("Manfaat minimum (Rp)", "Minimum benefit (IDR)"), ("Nilai: rupiah", "Value: rupiah")),
    "benefit_max": (("Manfaat maksimum (Rp)", "Maximum benefit (IDR)"), ("Nilai: rupiah", "Value: rupiah")),
    "interest_rate": (
        ("Bunga pinjaman (% per tahun)", "Loan interest (% a year)"),
        ("Nilai: persen per tahun", "Value: percent a year"),
    ),
    "application_window": (
        ("Masa pendaftaran", "Application window"),
        ("Menandai jadwal masa pendaftaran", "Marks the schedule of the application window"),
    ),
    "programme_validity": (
        ("Masa berlaku program", "Programme validity"),
        ("Menandai jadwal masa berlaku program", "Marks the schedule of the programme's validity"),
    ),
}


def _terms() -> dict[str, Term]:
    terms: list[Term] = []
    for code, pair in PROGRAM_KIND_LABELS.items():
        terms.append(Term(PROGRAM_KIND, code, pair, ("Jenis program: " + pair[0], "Programme kind: " + pair[1])))
    for code in SECTORS:
        pair = labels.VALUE_LABELS[code]
        terms.append(Term(SECTOR, code, pair, ("Bidang usaha: " + pair[0], "Business sector: " + pair[1])))
    for code, pair in ORGANIZATION_KIND_LABELS.items():
        terms.append(Term(ORGANIZATION_KIND, code, pair, ("Jenis organisasi: " + pair[0], "Kind: " + pair[1])))
    for code, (name, description) in FIELD_LABELS.items():
        terms.append(Term(FIELD, code, name, description))
    return {t.id: t for t in terms}


TERMS: dict[str, Term] = _terms()
TERM_BY_CODE: dict[tuple[str, str], Term] = {(t.taxonomy, t.code): t for t in TERMS.values()}
assert set(PROGRAM_KIND_LABELS) == {k.value for k in ProgramKind}
assert set(ORGANIZATION_KIND_LABELS) == {k.value for k in OrganizationKind}


def term(taxonomy: str, code: str) -> Term:
    return TERM_BY_CODE[(taxonomy, code)]


def taxonomy_record(tax: Taxonomy, lang: str) -> dict[str, Any]:
    return {
        "id": tax.id,
        "name": _pick(tax.name, lang),
        "description": _pick(tax.description, lang),
        "version": "1",
    }


def term_record(t: Term, lang: str, *, nested: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": t.id,
        "code": t.code,
        "name": _pick(t.name, lang),
        "description": _pick(t.description, lang),
        "taxonomy": t.taxonomy,
        "taxonomy_id": TAXONOMIES[t.taxonomy].id,
        "language": lang,
    }
    if nested:
        out["taxonomy_detail"] = taxonomy_record(TAXONOMIES[t.taxonomy], lang)
    return out


def attribute_record(entity: str, link_id: str, t: Term, lang: str, value: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": hsds_uuid("attribute", entity, link_id, t.taxonomy, t.code),
        "link_id": link_id,
        "link_type": TAXONOMIES[t.taxonomy].link_type,
        "link_entity": entity,
        "taxonomy_term_id": t.id,
    }
    if value is not None:
        out["value"] = value
    out["taxonomy_term"] = term_record(t, lang)
    return out


# --- eligibility in words --------------------------------------------------------------------

_ALL_TOP = ("Semua syarat", "All of these")
_ALL_NESTED = ("semua dari", "all of")
_NOT = ("bukan", "not")


def describe_rule(
    rule: dict[str, Any] | None,
    lang: str,
    region_names: dict[str, str] | None = None,
    program_names: dict[int, str] | None = None,
) -> str:
    """The rule tree in plain words: ``Semua syarat: ...; salah satu dari: [...]``."""
    if not rule:
        return _pick(labels.WORDS["open_to_all"], lang)
    regions = region_names or {}
    programs = program_names or {}

    def criterion(node: dict[str, Any]) -> str:
        name, op, value = node["field"], node["op"], node.get("value")
        if name == "history.completed_programs" and op == "contains":
            shown = programs.get(value, f"#{value}")
            text = f"{labels.word('includes', lang)} {shown}"
        elif op in ("eq", "ne") and isinstance(value, bool):
            text = labels.value_label(value if op == "eq" else not value, lang)
        else:
            text = _expected_text(op, value, lang, regions)
        return f"{labels.field_label(name, lang)}: {text}"

    def render(node: dict[str, Any], top: bool) -> str:
        if "all" in node:
            parts = "; ".join(render(child, False) for child in node["all"])
            return f"{_pick(_ALL_TOP, lang)}: {parts}" if top else f"{_pick(_ALL_NESTED, lang)}: [{parts}]"
        if "any" in node:
            parts = "; ".join(render(child, False) for child in node["any"])
            head = labels.word("any_of", lang)
            return f"{head[0].upper()}{head[1:]}: {parts}" if top else f"{head}: [{parts}]"
        if "not" in node:
            text = f"{_pick(_NOT, lang)}: [{render(node['not'], False)}]"
            return f"{_pick(_ALL_TOP, lang)}: {text}" if top else text
        text = criterion(node)
        return f"{_pick(_ALL_TOP, lang)}: {text}" if top else text

    return render(rule, True)


def _as_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def age_bounds(rule: dict[str, Any] | None) -> tuple[int | float | None, int | float | None]:
    """(minimum, maximum) of the head's age that every applicant must meet (criteria under ``all`` only)."""
    low: float | None = None
    high: float | None = None

    def mandatory(node: dict[str, Any]) -> Iterable[dict[str, Any]]:
        if "field" in node:
            yield node
        for child in node.get("all", []):
            yield from mandatory(child)

    for node in mandatory(rule or {}):
        if node["field"] != "head.age":
            continue
        op, value = node["op"], node.get("value")
        lo = hi = None
        if op == "between":
            lo, hi = value
        elif op == "eq":
            lo = hi = value
        elif op == "ge":
            lo = value
        elif op == "gt":
            lo = math.floor(value) + 1
        elif op == "le":
            hi = value
        elif op == "lt":
            hi = math.ceil(value) - 1
        elif op == "in":
            lo, hi = min(value), max(value)
        if lo is not None:
            low = lo if low is None else max(low, lo)
        if hi is not None:
            high = hi if high is None else min(high, hi)
    return (
        None if low is None else _as_number(low),
        None if high is None else _as_number(high),
    )


def _rule_out(rule: dict[str, Any] | None) -> dict[str, Any]:
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


# --- building HSDS records -------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


class Builder:
    """Turns catalogue rows into HSDS records, loading related rows in batches."""

    def __init__(self, session: Session, lang: str = "id") -> None:
        self.session = session
        self.lang = lang
        self._regions: dict[str, str] = {}

    # lookups

    def region_names(self, codes: Iterable[str]) -> dict[str, str]:
        wanted = {a for c in codes for a in region_ancestors(c)} - set(self._regions)
        if wanted:
            rows = self.session.exec(select(Region.code, Region.name).where(Region.code.in_(wanted)))  # type: ignore[attr-defined]
            self._regions.update(dict(rows.all()))
        return self._regions

    def _published_names(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.exec(
            select(Program.id, Program.name).where(Program.id.in_(wanted), Program.status.in_(PUBLISHED))  # type: ignore[union-attr,attr-defined]
        )
        return {int(i): n for i, n in rows.all()}

    # organisations

    def organization_basic(self, org: Organization) -> dict[str, Any]:
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
        if not nested:
            return [self.organization_basic(o) for o in orgs]
        ids = [o.id for o in orgs if o.id is not None]
        locations: dict[int, list[Location]] = defaultdict(list)
        for loc in self.session.exec(
            select(Location).where(Location.organization_id.in_(ids)).order_by(Location.id)  # type: ignore[attr-defined,arg-type]
        ):
            locations[loc.organization_id].append(loc)
        programs: dict[int, list[Program]] = defaultdict(list)
        for p in self.session.exec(
            select(Program)
            .where(Program.organization_id.in_(ids), Program.status.in_(PUBLISHED))  # type: ignore[attr-defined]
            .order_by(Program.id)  # type: ignore[arg-type]
        ):
            programs[p.organization_id].append(p)
        all_locations = [loc for o in orgs for loc in locations[o.id or 0]]
        location_records = dict(zip((loc.id for loc in all_locations), self.locations(all_locations), strict=True))
        all_programs = [p for o in orgs for p in programs[o.id or 0]]
        service_records = dict(
            zip((p.id for p in all_programs), self.services(all_programs, full=full_services, org=False), strict=True)
        )
        out = []
        for org in orgs:
            assert org.id is not None
            record = self.organization_basic(org)
            oid = record["id"]
            record["phones"] = (
                [
                    {
                        "id": hsds_uuid("phone", "organization", org.id),
                        "organization_id": oid,
                        "number": org.phone,
                        "type": "voice",
                    }
                ]
                if org.phone
                else []
            )
            record["locations"] = [location_records[loc.id] for loc in locations[org.id]]
            record["attributes"] = self.organization_attributes(org)
            record["services"] = [service_records[p.id] for p in programs[org.id]]
            out.append(record)
        return out

    # locations

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
                        "attributes": attributes,
                    }
                )
            )
        return out

    # services

    def services(self, programs: Sequence[Program], *, full: bool, org: bool = True) -> list[dict[str, Any]]:
        """Service records: the list form (one-to-one fields and the organisation) or fully nested."""
        lang = self.lang
        ids = [p.id for p in programs if p.id is not None]
        areas: dict[int, list[str]] = defaultdict(list)
        for pid, code in self.session.exec(
            select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)
            .where(ProgramServiceArea.program_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(ProgramServiceArea.region_code)
        ):
            areas[pid].append(code)
        rule_codes = [c for p in programs for c in region_codes_in(p.eligibility)]
        names = self.region_names([c for codes in areas.values() for c in codes] + rule_codes)
        program_names = self._published_names(i for p in programs for i in program_ids_in(p.eligibility))
        orgs: dict[int, Organization] = {}
        if org:
            org_ids = {p.organization_id for p in programs}
            orgs = {
                o.id: o
                for o in self.session.exec(select(Organization).where(Organization.id.in_(org_ids)))  # type: ignore[union-attr]
                if o.id is not None
            }
        links: dict[int, list[Location]] = defaultdict(list)
        location_records: dict[int, dict[str, Any]] = {}
        if full:
            rows = self.session.exec(
                select(ProgramLocation.program_id, Location)
                .join(Location, Location.id == ProgramLocation.location_id)  # type: ignore[arg-type]
                .where(ProgramLocation.program_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(Location.id)  # type: ignore[arg-type]
            ).all()
            for pid, loc in rows:
                links[pid].append(loc)
            unique = list({loc.id: loc for _, loc in rows}.values())
            location_records = dict(zip((loc.id for loc in unique), self.locations(unique), strict=True))
        out = []
        for p in programs:
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
                    "eligibility_description": describe_rule(p.eligibility, lang, names, program_names),
                    "minimum_age": low,
                    "maximum_age": high,
                    "last_modified": _iso(p.updated_at),
                }
            )
            if org and p.organization_id in orgs:
                record["organization"] = self.organization_basic(orgs[p.organization_id])
            if full:
                record["service_areas"] = [self._service_area(p.id, sid, code, names) for code in areas[p.id]]
                record["schedules"] = self._schedules(p, sid)
                record["service_at_locations"] = [
                    {
                        "id": service_at_location_uuid(p.id, loc.id or 0),
                        "service_id": sid,
                        "location_id": location_uuid(loc.id or 0),
                        "location": location_records[loc.id],
                    }
                    for loc in links[p.id]
                ]
                record["attributes"] = self._service_attributes(p, sid)
                record["capacities"] = self._capacities(p, sid)
                record["phones"] = []
                record["contacts"] = []
            out.append(record)
        return out

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
        heads = {
            "application_window": ("Pendaftaran dibuka", "Applications open"),
            "programme_validity": ("Program berlaku", "The programme runs"),
        }
        for role, start, end in (
            ("application_window", p.opens_on, p.closes_on),
            ("programme_validity", p.valid_from, p.valid_to),
        ):
            if start is None and end is None:
                continue
            words = [_pick(heads[role], self.lang)]
            if start is not None:
                words.append(f"{_pick(('sejak', 'from'), self.lang)} {start.isoformat()}")
            if end is not None:
                words.append(f"{_pick(('sampai', 'until'), self.lang)} {end.isoformat()}")
            schedule_id = hsds_uuid("schedule", p.id, role)
            out.append(
                _drop_none(
                    {
                        "id": schedule_id,
                        "service_id": sid,
                        "valid_from": _iso(start),
                        "valid_to": _iso(end),
                        "description": " ".join(words),
                        "attributes": [attribute_record("schedule", schedule_id, term(FIELD, role), self.lang)],
                    }
                )
            )
        return out

    def _service_attributes(self, p: Program, sid: str) -> list[dict[str, Any]]:
        lang = self.lang
        out = [attribute_record("service", sid, term(PROGRAM_KIND, str(p.kind)), lang)]
        out += [attribute_record("service", sid, term(SECTOR, s), lang) for s in p.sectors or []]
        rule = json.dumps(_rule_out(p.eligibility), ensure_ascii=False, separators=(",", ":"))
        out.append(attribute_record("service", sid, term(FIELD, "eligibility_rule"), lang, rule))
        for key in ("benefit_min", "benefit_max", "interest_rate"):
            value = getattr(p, key)
            if value is not None:
                out.append(attribute_record("service", sid, term(FIELD, key), lang, str(_as_number(value))))
        return out

    def _capacities(self, p: Program, sid: str) -> list[dict[str, Any]]:
        if p.capacity is None and p.capacity_remaining is None:
            return []
        unit = unit_record(CapacityUnit(p.capacity_unit), self.lang)
        available = p.capacity_remaining if p.capacity_remaining is not None else p.capacity
        what = (
            ("Dana program yang masih tersedia (Rp)", "Programme funds still available (IDR)")
            if p.capacity_unit == CapacityUnit.rupiah
            else ("Kuota peserta yang masih tersedia", "Places still available")
        )
        return [
            _drop_none(
                {
                    "id": hsds_uuid("service_capacity", p.id),
                    "service_id": sid,
                    "unit": unit,
                    "unit_id": unit["id"],
                    "available": available,
                    "maximum": p.capacity,
                    "description": _pick(what, self.lang),
                    "updated": _iso(p.updated_at),
                }
            )
        ]


def default_org_description(kind: str, region_name: str, lang: str) -> str:
    """What an organisation without a description is described as (HSDS requires a description)."""
    return f"{_pick(ORGANIZATION_KIND_LABELS[kind], lang)}, {region_name}"


def unit_record(unit: CapacityUnit, lang: str) -> dict[str, Any]:
    if unit is CapacityUnit.rupiah:
        return {"id": hsds_uuid("unit", "rupiah"), "name": "Rupiah", "scheme": "ISO 4217", "identifier": "IDR"}
    return {
        "id": hsds_uuid("unit", "seats"),
        "name": _pick(("Kursi peserta", "Seat"), lang),
        "scheme": "Jejaring",
        "identifier": "seats",
    }


# --- the read API's filters ------------------------------------------------------------------


def find_by_uuid(ids: Iterable[int], to_uuid: Any, wanted: str | None) -> int | None:
    """The integer id among ``ids`` whose HSDS id is ``wanted``."""
    target = parse_uuid(wanted)
    if target is None:
        return None
    for i in ids:
        if to_uuid(i) == target:
            return int(i)
    return None


def published_programs() -> ColumnElement[bool]:
    return Program.status.in_(PUBLISHED)  # type: ignore[attr-defined,no-any-return]


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
    if not _REGION_RE.match(region):
        raise InvalidInput(
            f"region {region!r} is not a Kemendagri code like 32, 32.73, 32.73.16 or 32.73.16.1002",
            loc=("query", "region"),
        )
    require_regions(session, [region], loc=("query", "region"))
    return region


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def locations_near(session: Session, lat: float, lon: float, metres: float) -> list[int]:
    """Ids of the locations within ``metres`` (great-circle) of ``lat``/``lon``."""
    rows = session.exec(
        select(Location.id, Location.latitude, Location.longitude).where(
            Location.latitude.is_not(None),
            Location.longitude.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    return [int(i) for i, la, lo in rows if _distance_m(lat, lon, la, lo) <= metres]


def check_proximity(lat: float | None, lon: float | None, proximity: float | None) -> tuple[float, float, float] | None:
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
    near: tuple[float, float, float] | None = None,
    area_mode: str = "service_area",
) -> list[Any]:
    """SQL clauses on ``Program`` for the HSDS list filters; 422 on a malformed or unknown filter.

    ``area_mode`` ``service_area`` (services): ``region`` keeps services whose service area
    covers or lies within it, and ``near`` those with a location within the radius; ``location``
    (services at locations): the caller filters the location itself.
    """
    clauses: list[Any] = [published_programs()]
    if search:
        like = f"%{search.lower()}%"
        clauses.append(
            sa.or_(
                sa.func.lower(Program.name).like(like),
                sa.func.lower(sa.func.coalesce(Program.description, "")).like(like),
            )
        )
    if organization_id is not None:
        if parse_uuid(organization_id) is None:
            raise InvalidInput(f"organization_id {organization_id!r} is not a UUID", loc=("query", "organization_id"))
        oid = find_by_uuid(session.exec(select(Organization.id)).all(), organization_uuid, organization_id)  # type: ignore[arg-type]
        clauses.append(Program.organization_id == oid if oid is not None else sa.false())
    if taxonomy_term_id is not None:
        t = TERMS.get(parse_uuid(taxonomy_term_id) or "")
        if t is None:
            raise InvalidInput(
                f"taxonomy_term_id {taxonomy_term_id!r} is not a term of the Jejaring taxonomies"
                " (see /hsds/taxonomy_terms)",
                loc=("query", "taxonomy_term_id"),
            )
        clauses.append(_term_clause(t))
    if taxonomy_id is not None:
        tax = next((x for x in TAXONOMIES.values() if x.id == parse_uuid(taxonomy_id)), None)
        if tax is None or tax.key == FIELD:
            raise InvalidInput(
                f"taxonomy_id {taxonomy_id!r} is not a Jejaring classification (see /hsds/taxonomies)",
                loc=("query", "taxonomy_id"),
            )
        if tax.key == SECTOR:
            clauses.append(sa.cast(Program.sectors, sa.Text).like('%"%'))
    if modified_after is not None:
        clauses.append(Program.updated_at >= parse_modified_after(modified_after))
    if region is not None and area_mode == "service_area":
        code = check_region(session, region)
        clauses.append(
            Program.id.in_(  # type: ignore[union-attr]
                select(ProgramServiceArea.program_id).where(overlaps(ProgramServiceArea.region_code, code))
            )
        )
    if near is not None and area_mode == "service_area":
        ids = locations_near(session, *near)
        clauses.append(
            Program.id.in_(select(ProgramLocation.program_id).where(ProgramLocation.location_id.in_(ids)))  # type: ignore[union-attr,attr-defined]
        )
    return clauses


def _term_clause(t: Term) -> Any:
    if t.taxonomy == PROGRAM_KIND:
        return Program.kind == t.code
    if t.taxonomy == SECTOR:
        return sa.cast(Program.sectors, sa.Text).like(f'%"{t.code}"%')
    if t.taxonomy == ORGANIZATION_KIND:
        return Program.organization_id.in_(select(Organization.id).where(Organization.kind == t.code))  # type: ignore[attr-defined]
    raise InvalidInput(
        f"taxonomy_term_id names {t.code} of {t.taxonomy}, which carries a value and classifies nothing;"
        " filter by a programme kind, sector or organisation kind",
        loc=("query", "taxonomy_term_id"),
    )


def organization_filters(session: Session, *, search: str | None, region: str | None) -> list[Any]:
    clauses: list[Any] = []
    if search:
        like = f"%{search.lower()}%"
        clauses.append(
            sa.or_(
                sa.func.lower(Organization.name).like(like),
                sa.func.lower(sa.func.coalesce(Organization.description, "")).like(like),
            )
        )
    if region is not None:
        clauses.append(within(Organization.region_code, check_region(session, region)))
    return clauses


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


# --- the tabular data package ----------------------------------------------------------------


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
        "id:string/uuid organization_id:string/uuid number type",
        "id number",
        (("organization_id", "organization"),),
    ),
    _table(
        "schedule",
        "schedules.csv",
        "id:string/uuid service_id:string/uuid valid_from:date valid_to:date description",
        "id",
        (("service_id", "service"),),
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
    orgs = list(session.exec(select(Organization).order_by(Organization.id)))  # type: ignore[arg-type]
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


# --- import ----------------------------------------------------------------------------------


@dataclass
class Row:
    file: str
    line: int
    data: dict[str, str]
    status: str = ""  # taken, refused or ignored
    reason: str = ""

    def get(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if value else None

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass
class ImportReport:
    """What an import took and refused, per file, and why."""

    files: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # whole-file faults (line 0)
    created: dict[str, int] = field(default_factory=lambda: {"organization": 0, "location": 0, "service": 0})
    existing: dict[str, int] = field(default_factory=lambda: {"organization": 0, "location": 0, "service": 0})
    notes: list[str] = field(default_factory=list)

    def count(self, file: str, status: str) -> int:
        return sum(1 for r in self.files.get(file, []) if r.status == status)

    @property
    def refused(self) -> list[tuple[str, int, str]]:
        rows = [(r.file, r.line, r.reason) for rows in self.files.values() for r in rows if r.status == "refused"]
        return self.problems + rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": {
                f: {
                    "taken": self.count(f, "taken"),
                    "refused": self.count(f, "refused"),
                    "ignored": self.count(f, "ignored"),
                }
                for f in self.files
            },
            "created": self.created,
            "existing": self.existing,
            "refused": [{"file": f, "line": n, "reason": r} for f, n, r in self.refused],
            "notes": self.notes,
        }

    def text(self) -> str:
        lines = []
        for f in self.files:
            taken, refused, ignored = (self.count(f, s) for s in ("taken", "refused", "ignored"))
            extra = f", {ignored} ignored" if ignored else ""
            lines.append(f"{f}: {taken} taken, {refused} refused{extra}")
        for kind in ("organization", "location", "service"):
            lines.append(f"{kind}s: {self.created[kind]} created, {self.existing[kind]} already present")
        for f, n, reason in self.refused:
            lines.append(f"refused {f} line {n}: {reason}" if n else f"refused {f}: {reason}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class PackageError(ValueError):
    """The zip cannot be read as an HSDS data package at all."""


def _read_zip(source: Path | bytes | BinaryIO) -> tuple[dict[str, Any], dict[str, bytes]]:
    handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(handle) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            descriptor_name = min(
                (n for n in names if n.rsplit("/", 1)[-1] == "datapackage.json"), key=len, default=None
            )
            anchor = descriptor_name or min(
                (n for n in names if n.rsplit("/", 1)[-1] in ("organizations.csv", "services.csv", "locations.csv")),
                key=len,
                default="",
            )
            base = anchor[: anchor.rfind("/") + 1]  # the folder the package sits in, if the zip has one
            descriptor: dict[str, Any] = {}
            if descriptor_name:
                try:
                    descriptor = json.loads(zf.read(descriptor_name).decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise PackageError(f"datapackage.json is not valid JSON: {exc}") from exc
            files = {n[len(base) :]: zf.read(n) for n in names if n.startswith(base) and n.lower().endswith(".csv")}
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"not a zip file: {exc}") from exc
    return descriptor, files


def _read_csv(name: str, data: bytes, report: ImportReport) -> list[Row]:
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
            row = Row(name, start, dict(zip(header, (c.strip() for c in cells), strict=False)))
            if len(cells) != len(header):
                row.status, row.reason = "refused", f"has {len(cells)} cells where the header has {len(header)}"
            rows.append(row)
    except csv.Error as exc:
        report.problems.append((name, reader.line_num, f"unreadable CSV: {exc}"))
    return rows


def _service_ids_in(rule: Any) -> list[str]:
    """The service ids an imported rule's ``history.completed_programs`` criteria name."""
    refs: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if node.get("field") == "history.completed_programs" and isinstance(node.get("value"), str):
            refs.append(parse_uuid(node["value"]) or node["value"])
        for key in ("all", "any"):
            children = node.get(key)
            for child in children if isinstance(children, list) else []:
                walk(child)
        walk(node.get("not"))

    walk(rule)
    return refs


def _errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return "; ".join(parts)


def _number(row: Row, key: str, problems: list[str], *, integer: bool = False) -> float | int | None:
    raw = row.get(key)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{row.where}: {key} {raw!r} is not a number")
        return None
    if not math.isfinite(value):
        problems.append(f"{row.where}: {key} {raw!r} is not a finite number")
        return None
    if integer:
        if not value.is_integer():
            problems.append(f"{row.where}: {key} {raw!r} is not a whole number")
            return None
        return int(value)
    return _as_number(value)


def _date(row: Row, key: str, problems: list[str]) -> date | None:
    raw = row.get(key)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{row.where}: {key} {raw!r} is not a date (YYYY-MM-DD)")
        return None


class _Importer:
    def __init__(
        self,
        session: Session,
        descriptor: dict[str, Any],
        files: dict[str, bytes],
        report: ImportReport,
        actor_user_id: int | None,
    ) -> None:
        self.session = session
        self.report = report
        # A system import has no user; the audit trail then records no actor.
        self.scope = Scope(user_id=actor_user_id, role=Role.admin)  # type: ignore[arg-type]
        self.from_jejaring = (descriptor.get("jejaring") or {}).get("id_namespace") == str(NAMESPACE)
        # Another publisher's ids are remembered per publisher, so re-importing its package (even
        # after a record was renamed here) finds the same records instead of adding new ones.
        publisher = descriptor.get("name") or descriptor.get("homepage") or descriptor.get("id")
        self.source = None if self.from_jejaring else str(publisher or "unnamed-package")[:200]
        paths = {t.name: t.path for t in TABLES} | {"address": "addresses.csv"}  # addresses: other publishers
        for res in descriptor.get("resources") or []:
            if isinstance(res, dict) and isinstance(res.get("name"), str) and isinstance(res.get("path"), str):
                paths[res["name"]] = res["path"]
        self.paths = paths
        self.rows: dict[str, list[Row]] = {}
        known = set(paths.values())
        for name, data in sorted(files.items()):
            rows = _read_csv(name, data, report)
            report.files[name] = rows
            if name not in known:
                for r in rows:
                    r.status, r.reason = r.status or "ignored", r.reason or "table not kept by Jejaring"
        for table, path in paths.items():
            self.rows[table] = report.files.get(path, [])
        self.org_map: dict[str, int] = {}  # HSDS id -> local id, for organisations taken
        self.loc_map: dict[str, int] = {}
        self.svc_map: dict[str, int] = {}
        self.refused_entities: dict[str, Row] = {}  # HSDS id -> its refused row

    # --- helpers

    def _known(self, entity: str, hid: str, model: Any) -> int | None:
        """The local record this publisher's ``hid`` was imported as before, if it still exists."""
        if self.source is None:
            return None
        local = self.session.exec(
            select(HsdsExternalId.local_id).where(
                HsdsExternalId.source == self.source,
                HsdsExternalId.entity == entity,
                HsdsExternalId.external_id == hid,
            )
        ).first()
        if local is None or self.session.get(model, local) is None:
            return None
        return int(local)

    def _remember(self, entity: str, hid: str, local_id: int) -> None:
        """Record (once) which local record this publisher's id is."""
        if self.source is None:
            return
        key = (self.source, entity, hid)
        row = self.session.get(HsdsExternalId, key)
        if row is None:
            self.session.add(HsdsExternalId(source=self.source, entity=entity, external_id=hid, local_id=local_id))
        elif row.local_id != local_id:
            row.local_id = local_id
            self.session.add(row)
        self.session.commit()

    def refuse(self, row: Row, reason: str) -> None:
        if row.status != "refused":
            row.status, row.reason = "refused", reason

    def _index(self, table: str) -> dict[str, Row]:
        """Rows of an entity table by id; rows without a valid or with a repeated id are refused."""
        out: dict[str, Row] = {}
        for row in self.rows.get(table, []):
            if row.status:
                continue
            rid = parse_uuid(row.get("id"))
            if rid is None:
                self.refuse(row, f"id {row.get('id')!r} is not a UUID")
            elif rid in out:
                self.refuse(row, f"id {rid} repeats {out[rid].where}")
            else:
                out[rid] = row
        return out

    def _children(self, table: str, key: str) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows.get(table, []):
            if row.status:
                continue
            parent = parse_uuid(row.get(key))
            if parent is None:
                if table == "phone" and not row.get(key):
                    row.status, row.reason = "ignored", "not an organisation's phone"
                else:
                    self.refuse(row, f"{key} {row.get(key)!r} is not a UUID")
                continue
            out[parent].append(row)
        return out

    def _terms(self) -> dict[str, Term]:
        """Attribute term ids -> Jejaring terms (our ids, or another id naming our taxonomy and code)."""
        terms = dict(TERMS)
        tax_by_id = {t.id: t.key for t in TAXONOMIES.values()}
        for row in self.rows.get("taxonomy_term", []):
            if row.status:
                continue
            row.status = "taken"
            rid = parse_uuid(row.get("id"))
            key = tax_by_id.get(parse_uuid(row.get("taxonomy_id")) or "") or row.get("taxonomy")
            t = TERM_BY_CODE.get((key or "", row.get("code") or ""))
            if rid and t:
                terms[rid] = t
        for row in self.rows.get("taxonomy", []):
            row.status = row.status or "taken"
        return terms

    def _attributes(self, entity: str, hsds_id: str) -> list[tuple[Row, Term]]:
        out = []
        for row in self.attrs.get((entity, hsds_id), []):
            t = self.terms.get(parse_uuid(row.get("taxonomy_term_id")) or "")
            if t is None:
                row.status, row.reason = "ignored", "term outside the Jejaring taxonomies"
                continue
            out.append((row, t))
        return out

    def _one(self, attrs: list[tuple[Row, Term]], taxonomy: str, code: str | None, problems: list[str]) -> Row | None:
        found = [(r, t) for r, t in attrs if t.taxonomy == taxonomy and (code is None or t.code == code)]
        for r, _ in found[1:]:
            self.refuse(r, f"a second {code or taxonomy} attribute (first at {found[0][0].where})")
            problems.append(f"{r.where}: a second {code or taxonomy} attribute")
        return found[0][0] if found else None

    def _take_children(self, rows: Iterable[Row]) -> None:
        for r in rows:
            if not r.status:
                r.status = "taken"

    def _refuse_children(self, rows: Iterable[Row], parent: Row, what: str) -> None:
        for r in rows:
            if not r.status:
                r.status, r.reason = "refused", f"belongs to the refused {what} at {parent.where}"

    def _commit_entity(self, create: Any) -> tuple[int | None, str | None]:
        """Run one catalogue write (it commits itself); on failure roll back and say why."""
        try:
            obj = create()
        except ServiceError as exc:
            self.session.rollback()
            return None, exc.message
        except (ValidationError, ValueError) as exc:
            self.session.rollback()
            return None, _errors(exc) if isinstance(exc, ValidationError) else str(exc)
        except sa.exc.SQLAlchemyError as exc:
            self.session.rollback()
            return None, f"the database refused it ({exc.__class__.__name__})"
        return int(obj.id), None

    def _check_region(self, code: str, source: Row | None, problems: list[str]) -> str | None:
        """``code`` when it is a Kemendagri code in the region list; else refuse ``source`` and say why."""
        reason = None
        if not _REGION_RE.match(code):
            reason = f"region code {code!r} is not a Kemendagri code like 32.73"
        else:
            try:
                require_regions(self.session, [code], loc=("region_code",))
            except InvalidInput as exc:
                reason = exc.message
        if reason is None:
            return code
        if source is not None:
            self.refuse(source, reason)
            reason = f"{source.where}: {reason}"
        problems.append(reason)
        return None

    def _attr_number(self, attr: Row | None, problems: list[str], *, integer: bool) -> float | int | None:
        if attr is None:
            return None
        before = len(problems)
        value = _number(attr, "value", problems, integer=integer)
        if len(problems) > before:
            self.refuse(attr, problems[-1].split(": ", 1)[-1])
        return value

    def _region_by_name(self, name: str | None, province: str | None, level: str) -> str | None:
        if not name:
            return None
        wanted = name.strip().upper()
        candidates = {wanted, f"KOTA {wanted}", f"KABUPATEN {wanted}"}
        rows = self.session.exec(
            select(Region.code, Region.parent_code).where(
                Region.level == level, sa.func.upper(Region.name).in_(candidates)
            )
        ).all()
        if province and len(rows) > 1:
            prov = self.session.exec(
                select(Region.code).where(Region.level == "province", sa.func.upper(Region.name) == province.upper())
            ).first()
            rows = [r for r in rows if prov and r[0].startswith(prov + ".")]
        return rows[0][0] if len(rows) == 1 else None

    # --- run

    def run(self) -> None:
        self.orgs = self._index("organization")
        self.locs = self._index("location")
        self.svcs = self._index("service")
        self.terms = self._terms()
        self.attrs: dict[tuple[str, str], list[Row]] = defaultdict(list)
        entity_ids = {"organization": self.orgs, "location": self.locs, "service": self.svcs}
        for row in self.rows.get("attribute", []):
            if row.status:
                continue
            entity, link = row.get("link_entity"), parse_uuid(row.get("link_id"))
            if entity not in ("organization", "location", "service", "schedule"):
                row.status, row.reason = "ignored", f"attributes of {entity or 'nothing'} are not kept"
            elif link is None:
                self.refuse(row, f"link_id {row.get('link_id')!r} is not a UUID")
            else:
                self.attrs[(entity, link)].append(row)
        self.phones = self._children("phone", "organization_id")
        self.addresses = self._children("address", "location_id")
        self.areas = self._children("service_area", "service_id")
        self.schedules = self._children("schedule", "service_id")
        self.capacities = self._children("service_capacity", "service_id")
        self.sals = self._children("service_at_location", "service_id")
        self.units = self._index("unit")
        for row in self.units.values():
            row.status = "taken"
        self.schedule_ids = {parse_uuid(r.get("id")): r for rows in self.schedules.values() for r in rows}

        for hid, row in self.orgs.items():
            self._organization(hid, row)
        for hid, row in self.locs.items():
            self._location(hid, row)
        self._services()

        # Child rows left over point at no record of the package.
        for (entity, link), rows in self.attrs.items():
            parents = entity_ids.get(entity) or {}
            if entity == "schedule":
                if link not in self.schedule_ids:
                    for r in rows:
                        self.refuse(r, f"links to schedule {link}, which is not in {self.paths['schedule']}")
                continue
            for r in rows:
                if link not in parents:
                    self.refuse(r, f"links to {entity} {link}, which is not in {self.paths[entity]}")
        for index, parent in (
            (self.phones, "organization"),
            (self.addresses, "location"),
            (self.areas, "service"),
            (self.schedules, "service"),
            (self.capacities, "service"),
            (self.sals, "service"),
        ):
            for pid, rows in index.items():
                for r in rows:
                    if not r.status:
                        self.refuse(r, f"refers to {parent} {pid}, which is not in {self.paths[parent]}")
        for rows in self.report.files.values():
            for r in rows:
                if not r.status:
                    r.status, r.reason = "ignored", "not linked to anything Jejaring keeps"

    # organisations

    def _organization(self, hid: str, row: Row) -> None:
        problems: list[str] = []
        attrs = self._attributes("organization", hid)
        kind_row = self._one(attrs, ORGANIZATION_KIND, None, problems)
        region_row = self._one(attrs, FIELD, "region_code", problems)
        address_row = self._one(attrs, FIELD, "address", problems)
        kind = self.terms[parse_uuid(kind_row.get("taxonomy_term_id")) or ""].code if kind_row else None
        if kind is None:
            problems.append(f"no organisation kind: an attribute with a term of {ORGANIZATION_KIND} is needed")
        region = region_row.get("value") if region_row else None
        if region is None:
            region = self._common_location_region(hid)
            if region is None:
                problems.append("no region: a region_code attribute (Kemendagri code) is needed")
        else:
            region = self._check_region(region, region_row, problems)
        phones = self.phones.get(hid, [])
        for extra in phones[1:]:
            extra.status, extra.reason = "ignored", "Jejaring keeps one phone number per organisation"
        values = {
            "name": row.get("name"),
            "kind": kind,
            "region_code": region,
            "address": address_row.get("value") if address_row else None,
            "phone": phones[0].get("number") if phones else None,
            "email": row.get("email"),
            "website": row.get("website"),
            "description": row.get("description"),
        }
        if kind and region and values["description"]:
            region_name = self.session.get(Region, region)
            if values["description"] in {
                default_org_description(kind, region_name.name if region_name else region, lang)
                for lang in ("id", "en")
            }:
                values["description"] = None
        data = None
        if not problems:
            try:
                data = OrganizationCreate.model_validate(values)
            except ValidationError as exc:
                problems.append(_errors(exc))
        children = [r for r, _ in attrs] + phones
        if problems or data is None:
            self._refuse_entity("organization", hid, row, problems, children)
            return
        existing = self._known("organization", hid, Organization) or self._match_organization(
            hid, data.name, data.region_code
        )
        if existing is not None:
            self._remember("organization", hid, existing)
            self.org_map[hid] = existing
            self.report.existing["organization"] += 1
            row.status = "taken"
            self._take_children(children)
            return
        new_id, error = self._commit_entity(
            lambda: catalog.create_organization(self.session, data=data, scope=self.scope, request_id="hsds-import")
        )
        if error:
            self._refuse_entity("organization", hid, row, [error], children)
            return
        assert new_id is not None
        self._remember("organization", hid, new_id)
        self.org_map[hid] = new_id
        self.report.created["organization"] += 1
        row.status = "taken"
        self._take_children(children)

    def _refuse_entity(self, kind: str, hid: str, row: Row, problems: list[str], children: list[Row]) -> None:
        self.refuse(row, "; ".join(problems) or "refused")
        self.refused_entities[hid] = row
        self._refuse_children(children, row, kind)

    def _common_location_region(self, org_hid: str) -> str | None:
        """For a package without the org's region: the narrowest region holding all its locations."""
        codes = []
        for lhid, lrow in self.locs.items():
            if parse_uuid(lrow.get("organization_id")) != org_hid:
                continue
            code = self._location_region(lhid)
            if code and _REGION_RE.match(code):
                codes.append(code.split("."))
        if not codes:
            return None
        common: list[str] = []
        for parts in zip(*codes, strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
        return ".".join(common) or None

    def _location_region(self, hid: str) -> str | None:
        """A location's region code: its region_code attribute, else the regency its address's city names."""
        for row, t in self._attributes("location", hid):
            if (t.taxonomy, t.code) == (FIELD, "region_code"):
                return row.get("value")
        addresses = self.addresses.get(hid, [])
        if addresses:
            return self._region_by_name(addresses[0].get("city"), addresses[0].get("state_province"), "regency")
        return None

    def _match_organization(self, hid: str, name: str, region: str) -> int | None:
        found = self.session.exec(
            select(Organization.id).where(Organization.name == name, Organization.region_code == region)
        ).first()
        if found is not None:
            return int(found)
        if self.from_jejaring:
            rows = self.session.exec(select(Organization.id).where(Organization.name == name)).all()
            return find_by_uuid(rows, organization_uuid, hid)  # type: ignore[arg-type]
        return None

    # locations

    def _location(self, hid: str, row: Row) -> None:
        problems: list[str] = []
        attrs = self._attributes("location", hid)
        addresses = self.addresses.get(hid, [])
        children = [r for r, _ in attrs] + addresses
        org_hid = parse_uuid(row.get("organization_id"))
        if org_hid is None or org_hid not in self.org_map:
            why = (
                f"its organisation {org_hid} was refused ({self.refused_entities[org_hid].where})"
                if org_hid in self.refused_entities
                else f"organization_id {row.get('organization_id')!r} is not an organisation of the package"
            )
            self._refuse_entity("location", hid, row, [why], children)
            return
        region_row = self._one(attrs, FIELD, "region_code", problems)
        address_row = self._one(attrs, FIELD, "address", problems)
        address = addresses[0] if addresses else None
        for extra in addresses[1:]:
            extra.status, extra.reason = "ignored", "Jejaring keeps one address per location"
        region = self._location_region(hid)
        if region is None:
            problems.append(
                "no region: a region_code attribute (or an address whose city is a known regency) is needed"
            )
        else:
            region = self._check_region(region, region_row, problems)
        latitude = _number(row, "latitude", problems)
        longitude = _number(row, "longitude", problems)
        data = None
        if not problems:
            try:
                data = LocationCreate.model_validate(
                    {
                        "name": row.get("name"),
                        "region_code": region,
                        "address": address_row.get("value")
                        if address_row
                        else (address.get("address_1") if address else None),
                        "latitude": latitude,
                        "longitude": longitude,
                    }
                )
            except ValidationError as exc:
                problems.append(_errors(exc))
        if problems or data is None:
            self._refuse_entity("location", hid, row, problems, children)
            return
        org_id = self.org_map[org_hid]
        existing = self._known("location", hid, Location) or self._match_named(
            Location, org_id, data.name, hid, location_uuid
        )
        if existing is not None:
            self._remember("location", hid, existing)
            self.loc_map[hid] = existing
            self.report.existing["location"] += 1
        else:
            org = self.session.get(Organization, org_id)
            assert org is not None
            new_id, error = self._commit_entity(
                lambda: catalog.add_location(
                    self.session, org=org, data=data, scope=self.scope, request_id="hsds-import"
                )
            )
            if error:
                self._refuse_entity("location", hid, row, [error], children)
                return
            assert new_id is not None
            self._remember("location", hid, new_id)
            self.loc_map[hid] = new_id
            self.report.created["location"] += 1
        row.status = "taken"
        self._take_children(children)

    def _match_named(self, model: Any, org_id: int, name: str, hid: str, to_uuid: Any) -> int | None:
        found = self.session.exec(select(model.id).where(model.organization_id == org_id, model.name == name)).first()
        if found is not None:
            return int(found)
        if self.from_jejaring:
            rows = self.session.exec(select(model.id).where(model.name == name)).all()
            return find_by_uuid(rows, to_uuid, hid)
        return None

    # services

    def _service_refs(self, hid: str) -> tuple[Row | None, Any, list[str]]:
        """The eligibility_rule attribute of a service, its parsed JSON and the service ids it names."""
        for row, t in self._attributes("service", hid):
            if (t.taxonomy, t.code) != (FIELD, "eligibility_rule"):
                continue
            try:
                rule = json.loads(row.get("value") or "{}")
            except json.JSONDecodeError as exc:
                return row, exc, []
            return row, rule, _service_ids_in(rule)
        return None, None, []

    def _services(self) -> None:
        pending = dict(self.svcs)
        while pending:
            progress = False
            for hid, row in list(pending.items()):
                _, _, refs = self._service_refs(hid)
                if any(r in pending and r != hid for r in refs):
                    continue  # wait for the service it depends on
                self._service(hid, row)
                del pending[hid]
                progress = True
            if not progress:
                for hid, row in pending.items():
                    self._refuse_entity(
                        "service",
                        hid,
                        row,
                        ["its eligibility rule and another service's name each other"],
                        self._service_children(hid),
                    )
                break

    def _service_children(self, hid: str) -> list[Row]:
        schedules = self.schedules.get(hid, [])
        schedule_attrs = [a for s in schedules for a in self.attrs.get(("schedule", parse_uuid(s.get("id")) or ""), [])]
        return (
            list(self.attrs.get(("service", hid), []))
            + self.areas.get(hid, [])
            + schedules
            + schedule_attrs
            + self.capacities.get(hid, [])
            + self.sals.get(hid, [])
        )

    def _resolve_service(self, ref: str) -> int | None:
        if ref in self.svc_map:
            return self.svc_map[ref]
        if self.from_jejaring and ref not in self.svcs:
            ids = self.session.exec(select(Program.id)).all()
            return find_by_uuid(ids, service_uuid, ref)  # type: ignore[arg-type]
        return None

    def _service(self, hid: str, row: Row) -> None:
        problems: list[str] = []
        children = self._service_children(hid)
        org_hid = parse_uuid(row.get("organization_id"))
        if org_hid is None or org_hid not in self.org_map:
            why = (
                f"its organisation {org_hid} was refused ({self.refused_entities[org_hid].where})"
                if org_hid in self.refused_entities
                else f"organization_id {row.get('organization_id')!r} is not an organisation of the package"
            )
            self._refuse_entity("service", hid, row, [why], children)
            return
        org_id = self.org_map[org_hid]
        attrs = self._attributes("service", hid)
        notes: list[str] = []  # reported when the service is taken

        # status
        raw_status = (row.get("status") or "").lower()
        status = STATUS_IN.get(raw_status)
        if status is None:
            status = ProgramStatus.draft
            notes.append(f"{row.where}: status {raw_status or 'missing'!r} is not an HSDS status; imported as draft")

        # kind and sectors
        kind_row = self._one(attrs, PROGRAM_KIND, None, problems)
        kind = self.terms[parse_uuid(kind_row.get("taxonomy_term_id")) or ""].code if kind_row else None
        if kind is None:
            problems.append(f"no programme kind: an attribute with a term of {PROGRAM_KIND} is needed")
        sectors = [t.code for _, t in attrs if t.taxonomy == SECTOR]

        # eligibility
        rule_row, rule, _ = self._service_refs(hid)
        if isinstance(rule, json.JSONDecodeError):
            assert rule_row is not None
            self.refuse(rule_row, f"eligibility_rule is not valid JSON: {rule}")
            problems.append(f"{rule_row.where}: eligibility_rule is not valid JSON ({rule})")
            rule = None
        elif rule_row is not None:
            rule = self._rule_in(rule, rule_row, problems)
        elif row.get("eligibility_description"):
            status = ProgramStatus.draft
            notes.append(
                f"{row.where}: eligibility described only in words; imported as a draft for someone to write its rule"
            )

        # benefits
        values: dict[str, Any] = {}
        for key in ("benefit_min", "benefit_max", "interest_rate"):
            attr = self._one(attrs, FIELD, key, problems)
            values[key] = self._attr_number(attr, problems, integer=key != "interest_rate")

        # schedules
        window: tuple[date | None, date | None] = (None, None)
        validity: tuple[date | None, date | None] = (None, None)
        unmarked: list[tuple[date | None, date | None]] = []
        for s in self.schedules.get(hid, []):
            before = len(problems)
            span = (_date(s, "valid_from", problems), _date(s, "valid_to", problems))
            if len(problems) > before:
                self.refuse(s, problems[-1].split(": ", 1)[-1])
            sid = parse_uuid(s.get("id")) or ""
            roles = {
                t.code
                for a in self.attrs.get(("schedule", sid), [])
                if (t := self.terms.get(parse_uuid(a.get("taxonomy_term_id")) or "")) is not None
                and t.taxonomy == FIELD
            }
            for a in self.attrs.get(("schedule", sid), []):
                if not self.terms.get(parse_uuid(a.get("taxonomy_term_id")) or ""):
                    a.status, a.reason = "ignored", "term outside the Jejaring taxonomies"
            if "application_window" in roles:
                window = span
            elif "programme_validity" in roles:
                validity = span
            elif span != (None, None):
                unmarked.append(span)
            else:
                s.status, s.reason = "ignored", "a schedule without dates (opening hours are not kept)"
        if window == (None, None) and unmarked:
            window = unmarked[0]

        # capacity
        capacity = remaining = None
        unit = CapacityUnit.seats
        caps = self.capacities.get(hid, [])
        for extra in caps[1:]:
            self.refuse(extra, f"a second capacity of the service (first at {caps[0].where})")
            problems.append(f"{extra.where}: Jejaring keeps one capacity per programme")
        if caps:
            cap = caps[0]
            before = len(problems)
            capacity = _number(cap, "maximum", problems, integer=True)
            remaining = _number(cap, "available", problems, integer=True)
            if len(problems) > before:
                self.refuse(cap, problems[-1].split(": ", 1)[-1])
            unit_row = self.units.get(parse_uuid(cap.get("unit_id")) or "")
            unit_name = " ".join(filter(None, (unit_row.get("identifier"), unit_row.get("name")))) if unit_row else ""
            if unit_row is None:
                self.refuse(cap, f"unit_id {cap.get('unit_id')!r} is not a unit of {self.paths['unit']}")
                problems.append(f"{cap.where}: unknown unit")
            elif re.search(r"\b(idr|rupiah|rp)\b", unit_name, re.IGNORECASE):
                unit = CapacityUnit.rupiah
            elif not re.search(r"\b(seats?|kursi|peserta|orang|places?|people|persons?)\b", unit_name, re.IGNORECASE):
                self.refuse(cap, f"unit {unit_name!r} is neither seats nor rupiah")
                problems.append(f"{cap.where}: capacity unit {unit_name!r} is neither seats nor rupiah")

        # service area
        area: list[str] = []
        for a in self.areas.get(hid, []):
            code = a.get("extent") if (a.get("extent_type") or "text").lower() == "text" else None
            if code is None or not _REGION_RE.match(code):
                by_name = self._region_by_name(a.get("name"), None, "regency") or self._region_by_name(
                    a.get("name"), None, "province"
                )
                if by_name is None:
                    reason = f"no Kemendagri code in extent ({code!r}) and {a.get('name')!r} names no single region"
                    self.refuse(a, reason)
                    problems.append(f"{a.where}: {reason}")
                    continue
                code = by_name
            try:
                require_regions(self.session, [code], loc=("service_area",))
            except InvalidInput as exc:
                self.refuse(a, exc.message)
                problems.append(f"{a.where}: {exc.message}")
                continue
            area.append(code)

        # locations
        location_ids: list[int] = []
        for s in self.sals.get(hid, []):
            lhid = parse_uuid(s.get("location_id"))
            if lhid in self.loc_map:
                location_ids.append(self.loc_map[lhid])
            elif lhid in self.refused_entities:
                self.refuse(s, f"its location was refused ({self.refused_entities[lhid].where})")
                problems.append(f"{s.where}: its location {lhid} was refused ({self.refused_entities[lhid].where})")
            else:
                self.refuse(s, f"location_id {s.get('location_id')!r} is not a location of the package")
                problems.append(f"{s.where}: location {s.get('location_id')!r} is not in the package")

        data = None
        if not problems:
            try:
                data = ProgramCreate.model_validate(
                    {
                        "organization_id": org_id,
                        "name": row.get("name"),
                        "kind": kind,
                        "description": row.get("description"),
                        "source_url": row.get("url"),
                        "status": status,
                        "eligibility": rule,
                        "sectors": sectors,
                        "service_area": area,
                        "location_ids": location_ids,
                        "capacity": capacity,
                        "capacity_remaining": remaining,
                        "capacity_unit": unit,
                        "opens_on": window[0],
                        "closes_on": window[1],
                        "valid_from": validity[0],
                        "valid_to": validity[1],
                        **values,
                    }
                )
            except ValidationError as exc:
                if rule_row is not None and any(e.get("loc", ())[:1] == ("eligibility",) for e in exc.errors()):
                    self.refuse(rule_row, _errors(exc))
                problems.append(_errors(exc))
        if problems or data is None:
            self._refuse_entity("service", hid, row, problems, children)
            return
        existing = self._known("service", hid, Program) or self._match_named(
            Program, org_id, data.name, hid, service_uuid
        )
        if existing is not None:
            self._remember("service", hid, existing)
            self.svc_map[hid] = existing
            self.report.existing["service"] += 1
        else:
            new_id, error = self._commit_entity(
                lambda: catalog.create_program(self.session, data=data, scope=self.scope, request_id="hsds-import")
            )
            if error:
                self._refuse_entity("service", hid, row, [error], children)
                return
            assert new_id is not None
            self._remember("service", hid, new_id)
            self.svc_map[hid] = new_id
            self.report.created["service"] += 1
            self.report.notes.extend(notes)
        row.status = "taken"
        self._take_children(children)

    def _rule_in(self, rule: Any, rule_row: Row, problems: list[str]) -> Any:
        """Service ids in ``history.completed_programs`` become this database's programme ids."""

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
                local = self._resolve_service(ref)
                if local is None:
                    why = (
                        f"it names service {ref}, which was refused ({self.refused_entities[ref].where})"
                        if ref in self.refused_entities
                        else f"it names service {ref}, which is neither in the package nor in this database"
                    )
                    self.refuse(rule_row, f"eligibility_rule: {why}")
                    problems.append(f"{rule_row.where}: eligibility_rule: {why}")
                else:
                    out["value"] = local
            return out

        return walk(rule)


def import_package(
    session: Session, source: Path | bytes | BinaryIO, *, actor_user_id: int | None = None
) -> ImportReport:
    """Import an HSDS tabular data package; write whole entities, refuse the rest with line and reason.

    Raises ``PackageError`` when the file is not a readable zip at all.
    """
    if isinstance(source, Path):
        source = source.read_bytes()
    descriptor, files = _read_zip(source)
    report = ImportReport()
    importer = _Importer(session, descriptor, files, report, actor_user_id)
    importer.run()
    missing = [importer.paths[t] for t in ("organization", "location", "service") if importer.paths[t] not in files]
    if len(missing) == 3:
        report.problems.append(("(package)", 0, "none of organizations.csv, locations.csv, services.csv is in the zip"))
    return report
