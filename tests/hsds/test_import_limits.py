"""``jejaring hsds import`` refuses a package too big or too deep for it, whole, with exit 3."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from models.organizations import Organization
from service import hsds
from service.db import make_engine
from tests.conftest import TEST_SECRET, settings_for

HEADER = b"id,name,description\n"
ROW = b"3f1c5a52-1111-4222-8333-444455556666,Koperasi Contoh,Baris yang sama berulang-ulang\n"


def jejaring(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "DATABASE_URL": db_url, "JEJARING_SECRET_KEY": TEST_SECRET, "JEJARING_ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=full | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def bomb(path: Path, *, size: int, line: bytes = ROW) -> Path:
    """A small zip holding an organizations.csv of ``size`` bytes of one repeated row."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("organizations.csv", "w", force_zip64=True) as out,
    ):
        out.write(HEADER)
        block = line * (1024 * 1024 // len(line))
        written = len(HEADER)
        while written < size:
            out.write(block)
            written += len(block)
    return path


@pytest.fixture
def target(empty_db_url: str) -> Iterator[Session]:
    engine = make_engine(settings_for(empty_db_url))
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


def organizations(url: str) -> int:
    engine = make_engine(settings_for(url))
    with Session(engine) as s:
        n = s.exec(select(sa.func.count()).select_from(Organization)).one()
    engine.dispose()
    return int(n)


def test_import_refuses_a_zip_bomb_with_a_distinct_exit_code(empty_db_url: str, tmp_path: Path) -> None:
    package = bomb(tmp_path / "bomb.zip", size=8 * 1024 * 1024)
    assert package.stat().st_size < 100_000
    result = jejaring(empty_db_url, "hsds", "import", str(package), JEJARING_HSDS_MAX_UNCOMPRESSED_BYTES="2000000")
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr[-2000:])
    assert "package refused, nothing imported" in result.stderr
    assert "unzips to" in result.stderr and "2,000,000" in result.stderr
    assert "Traceback" not in result.stderr
    assert organizations(empty_db_url) == 0


def test_import_refuses_a_package_past_the_default_limit_without_unzipping_it(
    empty_db_url: str, tmp_path: Path
) -> None:
    package = bomb(tmp_path / "bomb.zip", size=101 * 1024 * 1024)
    assert package.stat().st_size < 1_000_000
    started = time.perf_counter()
    result = jejaring(empty_db_url, "hsds", "import", str(package))
    assert result.returncode == 3, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "104,857,600" in result.stderr and "Traceback" not in result.stderr
    assert time.perf_counter() - started < 30


def test_the_limit_holds_while_a_member_streams_out_when_its_header_lies() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("organizations.csv", HEADER + ROW * 10_000)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        member = zf.getinfo("organizations.csv")
        limits = hsds.PackageLimits(max_uncompressed_bytes=50_000)
        with pytest.raises(hsds.PackageRefused, match="unzips past the import's limit of 50,000"):
            limits.read_member(zf, member, already=0)


def test_import_refuses_a_deeply_nested_datapackage_json_without_a_traceback(empty_db_url: str, tmp_path: Path) -> None:
    package = tmp_path / "deep.zip"
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", '{"resources": ' + "[" * 200_000 + "]" * 200_000 + "}")
        zf.writestr("organizations.csv", HEADER + ROW)
    result = jejaring(empty_db_url, "hsds", "import", str(package))
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert "datapackage.json nests objects and arrays more than 32 levels deep" in result.stderr
    assert organizations(empty_db_url) == 0


def test_import_refuses_a_package_with_more_rows_than_the_limit(session: Session, target: Session) -> None:
    buf = io.BytesIO()
    hsds.export_package(session, buf)
    with pytest.raises(hsds.PackageRefused, match="more than 20 rows"):
        hsds.import_package(target, buf.getvalue(), limits=hsds.PackageLimits(max_rows=20))
    assert target.exec(select(sa.func.count()).select_from(Organization)).one() == 0
    report = hsds.import_package(target, buf.getvalue())
    assert report.refused == [] and report.created["organization"] == 12


def test_import_refuses_a_deeply_nested_eligibility_rule_as_a_row(session: Session, target: Session) -> None:
    buf = io.BytesIO()
    hsds.export_package(session, buf)
    rule_term = hsds.term(hsds.FIELD, "eligibility_rule").id
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "attributes.csv":
                lines = data.decode().splitlines()
                for i, line in enumerate(lines):
                    if rule_term in line:
                        cells = line.split(",")
                        deep = '"' + '{""all"": [' * 5_000 + "]}" * 5_000 + '"'
                        lines[i] = ",".join([*cells[:5], deep])
                        break
                data = ("\n".join(lines) + "\n").encode()
            dst.writestr(name, data)
    report = hsds.import_package(target, out.getvalue())
    reasons = [reason for _, _, reason in report.refused]
    assert any("the eligibility rule nests objects and arrays more than 32 levels deep" in r for r in reasons), reasons
    assert report.created["organization"] == 12 and report.created["service"] == 20
