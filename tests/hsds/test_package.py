"""HSDS tabular data packages: the export validates, re-imports whole, and bad rows are refused alone."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.organizations import (
    HsdsExternalId,
    Location,
    Organization,
    Program,
    ProgramLocation,
    ProgramServiceArea,
    ProgramStatus,
)
from service import hsds
from service.db import make_engine
from tests.conftest import TEST_SECRET, settings_for
from tests.hsds.conftest import assert_valid, load, ref

PUBLISHED = (ProgramStatus.active, ProgramStatus.paused)


def export_bytes(session: Session) -> bytes:
    buf = io.BytesIO()
    hsds.export_package(session, buf)
    return buf.getvalue()


def read_package(data: bytes) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, list[dict[str, str]]]]:
    """(datapackage.json, header per CSV, rows per CSV with their CSV line number under "_line")."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        descriptor = json.loads(zf.read("datapackage.json"))
        headers: dict[str, list[str]] = {}
        tables: dict[str, list[dict[str, str]]] = {}
        for name in zf.namelist():
            if not name.endswith(".csv"):
                continue
            reader = csv.reader(io.StringIO(zf.read(name).decode("utf-8"), newline=""))
            headers[name] = next(reader)
            rows, previous = [], reader.line_num
            for cells in reader:
                rows.append({**dict(zip(headers[name], cells, strict=True)), "_line": str(previous + 1)})
                previous = reader.line_num
            tables[name] = rows
    return descriptor, headers, tables


def write_package(
    descriptor: dict[str, Any], headers: dict[str, list[str]], tables: dict[str, list[dict[str, str]]]
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("datapackage.json", json.dumps(descriptor))
        for name, header in headers.items():
            out = io.StringIO(newline="")
            writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(tables[name])
            zf.writestr(name, out.getvalue())
    return buf.getvalue()


@pytest.fixture
def target(empty_db_url: str) -> Iterator[Session]:
    """A session on an empty database (migrations and regions only)."""
    engine = make_engine(settings_for(empty_db_url))
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


# --- the export validates ---------------------------------------------------------------------


def _table_schemas() -> dict[str, dict[str, Any]]:
    tabular = load("3.0/compiled/tabular.json")["properties"]
    schemas = {name: spec["items"] for name, spec in tabular.items()}
    schemas["service_capacity"] = load("3.1/service_capacity.json")
    schemas["unit"] = load("3.1/unit.json")
    return schemas


def _expected_type(prop: dict[str, Any]) -> str:
    if prop.get("datapackage_type"):
        return str(prop["datapackage_type"])
    if prop.get("format") == "date-time":
        return "datetime"
    return str(prop["type"])


def test_export_is_a_valid_hsds_tabular_data_package(session: Session) -> None:
    data = export_bytes(session)
    descriptor, headers, tables = read_package(data)
    schemas = _table_schemas()

    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["jejaring"]["hsds_version"] == "3.0"
    assert set(headers) == {r["path"] for r in descriptor["resources"]}
    ids: dict[str, set[str]] = {}
    for resource in descriptor["resources"]:
        name, path = resource["name"], resource["path"]
        assert re.fullmatch(r"[-a-z0-9._/]+", name) and resource["profile"] == "tabular-data-resource"
        schema = schemas[name]
        assert path == schema["path"], name  # the HSDS file name of the table
        props = schema["properties"]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == headers[path]
        required = set(schema.get("required", [])) | set(schema.get("tabular_required", []))
        required = {r for r in required if "type" in props[r]}  # not nested objects (service_capacity.unit)
        assert required <= set(headers[path]), (name, required - set(headers[path]))
        for f in fields:
            assert f["name"] in props and props[f["name"]]["type"] in ("string", "number"), (name, f["name"])
            assert f["type"] == _expected_type(props[f["name"]]), (name, f["name"])
            assert f["constraints"]["required"] == (f["name"] in required), (name, f["name"])
        assert resource["schema"]["primaryKey"] == "id"
        # A CSV row is the object without its nested objects: the tabular form of the table's schema.
        version = "3.1" if name in ("service_capacity", "unit") else "3.0"
        row_schema = {**schema, "$id": ref(f"{name}.json", version)["$ref"], "required": sorted(required)}
        numbers = {k for k, p in props.items() if p.get("type") == "number"}
        dates = {k for k, p in props.items() if p.get("datapackage_type") == "date"}
        for row in tables[path]:
            record: dict[str, Any] = {}
            for key, value in row.items():
                if key == "_line" or value == "":
                    continue
                record[key] = float(value) if key in numbers else value
                if key in dates:
                    assert date.fromisoformat(value).isoformat() == value
            assert_valid(record, row_schema)
        ids[name] = {row["id"] for row in tables[path]}
        assert len(ids[name]) == len(tables[path]), f"{name}: ids repeat"

    for resource in descriptor["resources"]:
        for fk in resource["schema"].get("foreignKeys", []):
            target = fk["reference"]["resource"]
            for row in tables[resource["path"]]:
                value = row[fk["fields"]]
                assert value == "" or value in ids[target], (resource["name"], fk, row["_line"])
    for row in tables["attributes.csv"]:
        assert row["link_id"] in ids[row["link_entity"]], row["_line"]

    published = session.exec(select(Program).where(Program.status.in_(PUBLISHED))).all()  # type: ignore[attr-defined]
    assert len(tables["services.csv"]) == len(published)
    assert len(tables["organizations.csv"]) == len(session.exec(select(Organization.id)).all())
    open_locations = session.exec(select(Location.id).where(col(Location.closed_on).is_(None))).all()
    assert len(tables["locations.csv"]) == len(open_locations)  # a closed service point is not published
    hidden = {hsds.service_uuid(p.id or 0) for p in session.exec(select(Program)) if p.status not in PUBLISHED}
    assert hidden and not hidden & ids["service"]
    everything = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in headers)
    assert b"PKH-3" not in everything  # no household record leaks in


def test_export_is_stable(session: Session) -> None:
    first, second = read_package(export_bytes(session)), read_package(export_bytes(session))
    assert first[1:] == second[1:]


# --- round trip ------------------------------------------------------------------------------


def _url(value: str | None) -> str | None:
    return value.rstrip("/") if value else value  # the catalogue stores URLs normalised ("https://x/")


def _rule(rule: dict[str, Any] | None, program_names: dict[int, str]) -> Any:
    """A rule with programme ids replaced by programme names, to compare across databases."""
    if not rule:
        return None
    text = json.dumps(rule, sort_keys=True)
    return re.sub(
        r'("field": "history.completed_programs", "op": "contains", "value": )(\d+)',
        lambda m: f'{m.group(1)}"{program_names[int(m.group(2))]}"',
        text,
    )


def catalogue(session: Session) -> dict[str, Any]:
    """Organisations, locations and published programmes, by natural keys, with everything compared."""
    orgs = {o.id: o for o in session.exec(select(Organization))}
    locs = {loc.id: loc for loc in session.exec(select(Location))}
    programs = [p for p in session.exec(select(Program)) if p.status in PUBLISHED]
    program_names = {p.id: p.name for p in session.exec(select(Program))}
    areas: dict[int, list[str]] = {}
    for pid, code in session.exec(select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)):
        areas.setdefault(pid, []).append(code)
    links: dict[int, list[str]] = {}
    for pid, lid in session.exec(select(ProgramLocation.program_id, ProgramLocation.location_id)):
        links.setdefault(pid, []).append(locs[lid].name)
    return {
        "organizations": sorted(
            (o.name, o.kind, o.region_code, o.address, o.phone, o.email, _url(o.website), o.description)
            for o in orgs.values()
        ),
        "locations": sorted(
            (orgs[loc.organization_id].name, loc.name, loc.region_code, loc.address, loc.latitude, loc.longitude)
            for loc in locs.values()
        ),
        "services": sorted(
            (
                orgs[p.organization_id].name,
                p.name,
                p.kind,
                p.description,
                p.status,
                _rule(p.eligibility, program_names),  # type: ignore[arg-type]
                sorted(p.sectors),
                sorted(areas.get(p.id or 0, [])),
                sorted(links.get(p.id or 0, [])),
                (p.capacity, p.capacity_remaining, p.capacity_unit),
                (p.opens_on, p.closes_on, p.valid_from, p.valid_to),
                (p.benefit_min, p.benefit_max, p.interest_rate),
                _url(p.source_url),
            )
            for p in programs
        ),
    }


def test_export_reimports_into_an_empty_database_with_the_same_catalogue(session: Session, target: Session) -> None:
    # Fields the demo leaves empty travel too: phone, email, addresses, an organisation without a description.
    dinsos = session.exec(select(Organization).where(Organization.name == "Dinas Sosial Kota Bandung")).one()
    dinsos.phone, dinsos.email, dinsos.description = "022-1234567", "dinsos@bandung.go.id", None
    hall = session.exec(select(Location).where(Location.name == "Pos Layanan Dinas Sosial Kiaracondong")).one()
    hall.address = "Jl. Ibrahim Adjie No. 1, Kebon Jayanti"
    session.add_all([dinsos, hall])
    session.commit()
    data = export_bytes(session)
    _, _, tables = read_package(data)
    assert len(tables["phones.csv"]) == 1
    assert _row(tables, "organizations.csv", name=dinsos.name)["description"] == (
        "Instansi pemerintah daerah, KOTA BANDUNG"
    )
    assert _row(tables, "locations.csv", name=hall.name)["description"] == (
        "Jl. Ibrahim Adjie No. 1, Kebon Jayanti, Kiaracondong, KOTA BANDUNG, JAWA BARAT"
    )
    assert target.exec(select(sa.func.count()).select_from(Organization)).one() == 0

    report = hsds.import_package(target, data)
    assert report.refused == [], report.text()
    source, copy = catalogue(session), catalogue(target)
    counts = {k: len(v) for k, v in source.items()}
    assert counts == {"organizations": 12, "locations": 17, "services": 21}
    assert {k: len(v) for k, v in copy.items()} == counts
    assert report.created == {"organization": 12, "location": 17, "service": 21}
    for key in ("organizations", "locations", "services"):
        assert copy[key] == source[key], key
    hotel = target.exec(select(Program).where(Program.name == "Kemitraan Katering Hotel untuk KPM")).one()
    training = target.exec(select(Program).where(Program.name == "Jakpreneur: Pelatihan Kewirausahaan KPM")).one()
    assert {"field": "history.completed_programs", "op": "contains", "value": training.id} in hotel.eligibility["all"]  # type: ignore[index]

    again = hsds.import_package(target, data)
    assert again.refused == [] and again.created == {"organization": 0, "location": 0, "service": 0}
    assert again.existing == {"organization": 12, "location": 17, "service": 21}
    assert {k: len(v) for k, v in catalogue(target).items()} == counts
    for model in (ProgramServiceArea, ProgramLocation):
        assert target.exec(select(sa.func.count()).select_from(model)).one() == sum(
            len(s[7 if model is ProgramServiceArea else 8]) for s in copy["services"]
        )

    # The copy exports the same package, id for id apart from the new database's own ids.
    _, _, first = read_package(data)
    _, _, second = read_package(export_bytes(target))
    assert {k: len(v) for k, v in first.items()} == {k: len(v) for k, v in second.items()}


def test_reimport_into_the_same_database_matches_every_record(session: Session) -> None:
    before = catalogue(session)
    report = hsds.import_package(session, export_bytes(session))
    assert report.refused == [] and report.created == {"organization": 0, "location": 0, "service": 0}
    assert report.existing == {"organization": 12, "location": 17, "service": 21}
    assert catalogue(session) == before


# --- broken rows -----------------------------------------------------------------------------


def _row(tables: dict[str, list[dict[str, str]]], file: str, **match: str) -> dict[str, str]:
    rows = [r for r in tables[file] if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, (file, match, len(rows))
    return rows[0]


def test_a_package_with_broken_rows_imports_the_good_ones_and_names_the_bad(session: Session, target: Session) -> None:
    descriptor, headers, tables = read_package(export_bytes(session))
    field_term = {code: hsds.term(hsds.FIELD, code).id for code in ("region_code", "eligibility_rule")}

    # 1. An organisation whose region code does not exist: it, its location and its service go.
    bumdes = _row(tables, "organizations.csv", name="BUMDes Pucang Sari Mandiri")
    bad_region = _row(tables, "attributes.csv", link_id=bumdes["id"], taxonomy_term_id=field_term["region_code"])
    bad_region["value"] = "35.14.99.9999"
    bumdes_location = _row(tables, "locations.csv", organization_id=bumdes["id"])
    bumdes_service = _row(tables, "services.csv", organization_id=bumdes["id"])
    # 2. A service whose rule is not JSON.
    digital = _row(tables, "services.csv", name="Pemasaran Digital Produk Konveksi")
    bad_rule = _row(tables, "attributes.csv", link_id=digital["id"], taxonomy_term_id=field_term["eligibility_rule"])
    bad_rule["value"] = '{"all": [{"field": "business.sector", "op": "eq", "value": "fashion"}'
    # 3. A service whose organisation is not in the package.
    lamteng = _row(tables, "services.csv", name="Pelatihan Kewirausahaan KPM PKH")
    lamteng["organization_id"] = "11111111-2222-4333-8444-555555555555"
    # 4. A service area with a code that is no region.
    pasuruan = _row(tables, "services.csv", name="Pelatihan Keterampilan Usaha KPM PKH")
    bad_area = _row(tables, "service_areas.csv", service_id=pasuruan["id"])
    bad_area["extent"] = "35.99"
    # 5. A rule that is JSON but not a valid rule.
    halal = _row(tables, "services.csv", name="Fasilitasi Sertifikasi Halal Usaha Mikro")
    bad_field = _row(tables, "attributes.csv", link_id=halal["id"], taxonomy_term_id=field_term["eligibility_rule"])
    bad_field["value"] = '{"all": [{"field": "business.colour", "op": "eq", "value": "red"}]}'

    report = hsds.import_package(target, write_package(descriptor, headers, tables))
    refused = {(f, n): reason for f, n, reason in report.refused}
    line = lambda row: int(row["_line"])  # noqa: E731

    assert "35.14.99.9999 does not exist" in refused[("attributes.csv", line(bad_region))]
    assert "35.14.99.9999 does not exist" in refused[("organizations.csv", line(bumdes))]
    assert "its organisation" in refused[("locations.csv", line(bumdes_location))]
    assert "its organisation" in refused[("services.csv", line(bumdes_service))]
    assert "not valid JSON" in refused[("attributes.csv", line(bad_rule))]
    assert f"attributes.csv line {line(bad_rule)}" in refused[("services.csv", line(digital))]
    assert "is not an organisation of the package" in refused[("services.csv", line(lamteng))]
    assert "35.99 does not exist" in refused[("service_areas.csv", line(bad_area))]
    assert "35.99 does not exist" in refused[("services.csv", line(pasuruan))]
    assert "unknown field 'business.colour'" in refused[("services.csv", line(halal))]
    assert "eligibility" in refused[("attributes.csv", line(bad_field))]
    # The rows that belong to a refused record are refused with it, and say so.
    for row in tables["service_areas.csv"]:
        if row["service_id"] == digital["id"]:
            assert "belongs to the refused service" in refused[("service_areas.csv", line(row))]

    assert report.created == {"organization": 11, "location": 16, "service": 16}
    assert report.count("services.csv", "taken") == 16 and report.count("services.csv", "refused") == 5
    bad_names = {bumdes_service["name"], digital["name"], lamteng["name"], pasuruan["name"], halal["name"]}
    imported = set(target.exec(select(Program.name)).all())
    assert imported == {r["name"] for r in tables["services.csv"]} - bad_names
    assert bumdes["name"] not in set(target.exec(select(Organization.name)).all())
    # Nothing half-written: every area and location link belongs to a programme that was taken whole.
    good = [r for r in tables["services.csv"] if r["name"] not in bad_names]
    good_ids = {r["id"] for r in good}
    assert target.exec(select(sa.func.count()).select_from(ProgramServiceArea)).one() == sum(
        1 for r in tables["service_areas.csv"] if r["service_id"] in good_ids
    )
    assert target.exec(select(sa.func.count()).select_from(ProgramLocation)).one() == sum(
        1 for r in tables["service_at_location.csv"] if r["service_id"] in good_ids
    )
    text = report.text()
    assert f"refused services.csv line {line(digital)}:" in text and "services.csv: 16 taken, 5 refused" in text

    # Fixing the rows and importing again adds only what was missing.
    _, _, clean = read_package(export_bytes(session))
    fixed = hsds.import_package(target, write_package(descriptor, headers, clean))
    assert fixed.refused == []
    assert fixed.created == {"organization": 1, "location": 1, "service": 5}
    assert len(target.exec(select(Program.id)).all()) == 21


def test_a_rule_naming_a_refused_service_is_refused_too(session: Session, target: Session) -> None:
    descriptor, headers, tables = read_package(export_bytes(session))
    training = _row(tables, "services.csv", name="Jakpreneur: Pelatihan Kewirausahaan KPM")
    training["status"] = "active"
    training["name"] = ""  # a service without a name is refused
    hotel = _row(tables, "services.csv", name="Kemitraan Katering Hotel untuk KPM")
    report = hsds.import_package(target, write_package(descriptor, headers, tables))
    refused = {(f, n): reason for f, n, reason in report.refused}
    assert "name" in refused[("services.csv", int(training["_line"]))]
    assert "was refused" in refused[("services.csv", int(hotel["_line"]))]
    assert report.created["service"] == 19


def test_unknown_statuses_land_as_drafts_and_rows_of_other_tables_are_ignored(
    session: Session, target: Session
) -> None:
    descriptor, headers, tables = read_package(export_bytes(session))
    pena = _row(tables, "services.csv", name="PENA Berdikari")
    pena["status"] = "pending review"
    headers["contacts.csv"] = ["id", "name"]
    tables["contacts.csv"] = [{"id": "5d8c6d7e-5b7a-4b1e-9a51-6b1f3f0a9c11", "name": "Ibu Ani"}]
    report = hsds.import_package(target, write_package(descriptor, headers, tables))
    assert report.refused == []
    assert target.exec(select(Program.status).where(Program.name == "PENA Berdikari")).one() == ProgramStatus.draft
    assert any("pending review" in note for note in report.notes)
    assert report.count("contacts.csv", "ignored") == 1


def test_not_a_package(target: Session) -> None:
    with pytest.raises(hsds.PackageError):
        hsds.import_package(target, b"not a zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    report = hsds.import_package(target, buf.getvalue())
    assert report.refused and "none of organizations.csv" in report.refused[0][2]


# --- the command -----------------------------------------------------------------------------


def jejaring(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "JEJARING_SECRET_KEY": TEST_SECRET, "JEJARING_ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_command_exports_and_imports(db_url: str, empty_db_url: str, tmp_path: Path, session: Session) -> None:
    package = tmp_path / "jejaring-hsds.zip"
    exported = jejaring(db_url, "hsds", "export", str(package))
    assert exported.returncode == 0, exported.stderr
    assert "organization=12" in exported.stdout and "service=21" in exported.stdout and "location=17" in exported.stdout

    imported = jejaring(empty_db_url, "hsds", "import", str(package))
    assert imported.returncode == 0, imported.stderr + imported.stdout
    assert "organizations: 12 created, 0 already present" in imported.stdout
    assert "locations: 17 created, 0 already present" in imported.stdout
    assert "services: 21 created, 0 already present" in imported.stdout
    again = jejaring(empty_db_url, "hsds", "import", str(package), "--actor", "nobody")
    assert again.returncode == 2 and "not an administrator" in again.stderr
    again = jejaring(empty_db_url, "hsds", "import", str(package))
    assert again.returncode == 0 and "services: 0 created, 21 already present" in again.stdout

    as_admin = jejaring(db_url, "hsds", "import", str(package), "--actor", "admin")
    assert as_admin.returncode == 0 and "services: 0 created, 21 already present" in as_admin.stdout

    descriptor, headers, tables = read_package(package.read_bytes())
    reguler = _row(tables, "services.csv", name="PENA Reguler")
    reguler["name"] = ""
    broken = tmp_path / "broken.zip"
    broken.write_bytes(write_package(descriptor, headers, tables))
    partial = jejaring(db_url, "hsds", "import", str(broken))
    assert partial.returncode == 1, partial.stderr
    assert f"refused services.csv line {reguler['_line']}: name:" in partial.stdout
    assert "services.csv: 20 taken, 1 refused" in partial.stdout
    garbage = tmp_path / "garbage.zip"
    garbage.write_text("no zip")
    failed = jejaring(empty_db_url, "hsds", "import", str(garbage))
    assert failed.returncode == 2 and "not a zip" in failed.stderr


def _csv(header: str, *rows: str) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def test_another_publishers_package_uses_its_own_ids_names_and_words(target: Session) -> None:
    """Ids of another publisher, term ids declared in its taxonomy_terms.csv, regions by name."""
    org, loc, svc, unit = (
        "0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000001",
        "0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000002",
        "0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000003",
        "0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000004",
    )
    coop_term, training_term = "0b6c3b8e-6c1f-4a53-9e1f-3d7c1a0000a1", "0b6c3b8e-6c1f-4a53-9e1f-3d7c1a0000a2"
    files = {
        "organizations.csv": _csv("id,name,description", f"{org},Koperasi Maju Bersama,Koperasi simpan pinjam"),
        "locations.csv": _csv(
            "id,location_type,organization_id,name", f"{loc},physical,{org},Kantor Koperasi Maju Bersama"
        ),
        "addresses.csv": _csv(
            "id,location_id,address_1,city,state_province,postal_code,country,address_type",
            f"0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000005,{loc},Jl. Kiaracondong 12,Kota Bandung,Jawa Barat,40281,ID,physical",
        ),
        "services.csv": _csv(
            "id,organization_id,name,status,eligibility_description",
            f'{svc},{org},Pelatihan Pembukuan Koperasi,active,"Anggota koperasi, usaha sudah berjalan"',
        ),
        "service_areas.csv": _csv(
            "id,service_id,name,extent_type", f"0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000006,{svc},Kota Bandung,text"
        ),
        "service_capacity.csv": _csv(
            "id,service_id,unit_id,available,maximum,updated",
            f"0b6c3b8e-6c1f-4a53-9e1f-3d7c1a000007,{svc},{unit},12,30,2026-01-05T10:00:00+07:00",
        ),
        "units.csv": _csv("id,name,identifier", f"{unit},Peserta,"),
        "taxonomy_terms.csv": _csv(
            "id,code,name,description,taxonomy",
            f"{coop_term},cooperative,Koperasi,Koperasi,{hsds.ORGANIZATION_KIND}",
            f"{training_term},training,Pelatihan,Pelatihan,{hsds.PROGRAM_KIND}",
        ),
        "attributes.csv": _csv(
            "id,link_id,taxonomy_term_id,link_entity",
            f"0b6c3b8e-6c1f-4a53-9e1f-3d7c1a0000b1,{org},{coop_term},organization",
            f"0b6c3b8e-6c1f-4a53-9e1f-3d7c1a0000b2,{svc},{training_term},service",
            f"0b6c3b8e-6c1f-4a53-9e1f-3d7c1a0000b3,{svc},0b6c3b8e-6c1f-4a53-9e1f-3d7c1a0000ff,service",
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"export/{name}", text)
    report = hsds.import_package(target, buf.getvalue())
    assert report.refused == [], report.text()
    assert report.created == {"organization": 1, "location": 1, "service": 1}
    koperasi = target.exec(select(Organization)).one()
    assert (koperasi.kind, koperasi.region_code) == ("cooperative", "32.73")  # from its location's city
    kantor = target.exec(select(Location)).one()
    assert (kantor.region_code, kantor.address) == ("32.73", "Jl. Kiaracondong 12")
    program = target.exec(select(Program)).one()
    assert program.status == ProgramStatus.draft  # eligibility only in words: someone must write the rule
    assert any("eligibility described only in words" in n for n in report.notes)
    assert (program.kind, program.capacity, program.capacity_remaining, program.capacity_unit) == (
        "training",
        30,
        12,
        "seats",
    )
    assert target.exec(select(ProgramServiceArea.region_code)).all() == ["32.73"]
    assert report.count("attributes.csv", "ignored") == 1  # a term outside the Jejaring taxonomies

    # Renamed here afterwards, the records are still found by the publisher's ids: no duplicates.
    koperasi.name, kantor.name, program.name = "Koperasi Maju Bersama (KMB)", "Kantor KMB", "Pembukuan KMB"
    target.add_all([koperasi, kantor, program])
    target.commit()
    again = hsds.import_package(target, buf.getvalue())
    assert again.refused == [], again.text()
    assert again.created == {"organization": 0, "location": 0, "service": 0}
    assert again.existing == {"organization": 1, "location": 1, "service": 1}
    assert len(target.exec(select(Organization)).all()) == 1 and len(target.exec(select(Program)).all()) == 1
    assert {(r.entity, r.external_id) for r in target.exec(select(HsdsExternalId))} == {
        ("organization", org),
        ("location", loc),
        ("service", svc),
    }

    # Without a kind the organisation cannot be placed, and everything under it waits.
    bare = io.BytesIO()
    with zipfile.ZipFile(bare, "w") as zf:
        zf.writestr("organizations.csv", files["organizations.csv"].replace("Koperasi Maju", "Koperasi Lain"))
        zf.writestr("locations.csv", files["locations.csv"])
    report = hsds.import_package(target, bare.getvalue())
    reasons = {f: r for f, _, r in report.refused}
    assert "no organisation kind" in reasons["organizations.csv"]
    assert "its organisation" in reasons["locations.csv"]
