"""The command line import (exit codes, the report file, the one-line summary) and the rule that
a clear NIK never lands anywhere: not in a table, the database file, a log, a job result or a report."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from models.households import Household
from models.jobs import Upload, UploadPurpose
from tests.imports.helpers import csv_bytes, family
from tests.jobs.conftest import finished, wait_for
from tests.test_cli import jejaring


def test_cli_exit_codes_summary_and_report(db_url: str, session: Session, tmp_path: Path) -> None:
    good = tmp_path / "kpm.csv"
    good.write_bytes(csv_bytes([family(700 + i) for i in range(4)]))
    checked = jejaring(db_url, "households", "import", str(good), "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "4 rows" in checked.stdout and "4 created" in checked.stdout and "nothing stored" in checked.stdout
    assert session.exec(select(func.count()).select_from(Household).where(Household.pkh_id.like("IMP-%"))).one() == 0

    bad = tmp_path / "kpm-bad.csv"
    rows = [family(710 + i) for i in range(4)] + [family(799, **{"Tanggal Lahir": "31/02/1985"})]
    bad.write_bytes(csv_bytes(rows))
    report = tmp_path / "ditolak.xlsx"
    refused = jejaring(db_url, "households", "import", str(bad), "--report", str(report))
    assert refused.returncode == 1
    assert "line 7, Tanggal Lahir: Tanggal 31/02/1985 tidak ada di kalender." in refused.stderr
    assert "1 refused; NOTHING stored" in refused.stdout
    sheet = load_workbook(report).active
    assert [c.value for c in sheet[1]][-2:] == ["baris asal", "alasan"]
    assert [c.value for c in sheet[2]][-2:] == [7, "Tanggal Lahir: Tanggal 31/02/1985 tidak ada di kalender."]

    partial = jejaring(db_url, "households", "import", str(bad), "--accept-partial", "--lang", "en")
    assert partial.returncode == 1
    assert "line 7, Tanggal Lahir: The date 31/02/1985 does not exist." in partial.stderr
    stored = jejaring(db_url, "households", "import", str(good))
    assert stored.returncode == 0 and "4 created" in stored.stdout and "; stored" in stored.stdout
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Household).where(Household.pkh_id.like("IMP-%"))).one() == 8

    missing = jejaring(db_url, "households", "import", str(tmp_path / "tidak-ada.csv"))
    assert missing.returncode == 2


def _all_text(session: Session) -> str:
    """Every value of every table as text (bytes decoded leniently)."""
    out = io.StringIO()
    engine = session.get_bind()
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        out.write(bytes(value).decode("latin-1"))
                    else:
                        out.write(str(value))
                    out.write("\n")
    return out.getvalue()


def test_no_clear_nik_anywhere_after_an_import(
    client: TestClient, as_user: Any, consumer: Any, session: Session, caplog: pytest.LogCaptureFixture, db_url: str
) -> None:
    rows = [family(600 + i) for i in range(6)] + [
        family(690, **{"Tanggal Lahir": "31/02/1985"}),  # refused with a valid NIK: its row goes to the report
        family(691, **{"NIK Pengurus": "327316520384001"}),  # refused NIK (15 digits)
    ]
    niks = [r["NIK Pengurus"] for r in rows]
    headers = as_user("pendamping.kebonjayanti")
    caplog.set_level(logging.DEBUG)
    with consumer():
        sent = client.post(
            "/api/v1/imports/households",
            files={"file": ("kpm.csv", csv_bytes(rows), "text/csv")},
            data={"accept_partial": "true"},
            headers=headers,
        )
        assert sent.status_code == 202, sent.text
        job = wait_for(client, headers, sent.json()["job_id"], finished)
    assert job["status"] == "succeeded", job
    assert (job["result"]["created"], job["result"]["refused_rows"]) == (6, 2)
    report = client.get(f"/api/v1/imports/households/{job['id']}/report.xlsx", headers=headers)
    assert report.status_code == 200
    cells = "\n".join(
        str(v) for row in load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True) for v in row
    )
    stored = _all_text(session)
    for nik in niks:
        assert nik not in str(job), "job result"
        assert nik not in cells, "report"
        assert nik not in stored, "a table"
        assert nik not in caplog.text, "a log"
        assert nik[:12] not in cells and nik[4:] not in stored  # nor most of it
    if db_url.startswith("sqlite"):
        path = Path(sa.make_url(db_url).database or "")
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        for nik in niks:
            assert nik.encode() not in raw, "the database file"
    # the source is gone once the job succeeded; the report is kept (NIK masked)
    purposes = session.exec(select(Upload.purpose)).all()
    assert purposes == [UploadPurpose.import_report]
