"""The caseload import through the API: a file posted, a job run by a real consumer, its counts and
refusals, its report; who may import into which caseload; files refused before anything is kept;
the template and the caseload export."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from models.households import Facilitator, Household
from models.jobs import Job, Upload
from service.households.imports.contract import COLUMNS
from service.settings import Settings
from tests.imports.helpers import INDONESIAN_HEADER, csv_bytes, family
from tests.jobs.conftest import finished, wait_for

Headers = Callable[[str], dict[str, str]]
LIMIT = 64 * 1024
KJ = "pendamping.kebonjayanti"
JAKTIM = "pendamping.jaktim"
URL = "/api/v1/imports/households"


@pytest.fixture
def jobs_settings(jobs_settings: Settings) -> Settings:
    """The jobs tests' settings with a small upload limit, so a file over it is quick to make."""
    return jobs_settings.model_copy(update={"import_max_bytes": LIMIT})


def post(client: TestClient, headers: dict[str, str], data: bytes, name: str = "kpm.csv", **fields: Any) -> Any:
    form = {k: str(v) for k, v in fields.items()}
    return client.post(URL, files={"file": (name, data, "text/csv")}, data=form, headers=headers)


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Upload)).one(), session.exec(
        select(func.count()).select_from(Job)
    ).one()


def facilitator_id(session: Session, name: str) -> int:
    return session.exec(select(Facilitator.id).where(Facilitator.name == name)).one()


def book(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_an_import_runs_as_a_job_with_counts_refusals_and_a_report(
    client: TestClient, as_user: Headers, consumer: Callable[..., Any], session: Session
) -> None:
    headers = as_user(KJ)
    rows = [family(700 + i) for i in range(4)] + [family(790, **{"Tanggal Lahir": "31/02/1985"})]
    with consumer():
        started = post(client, headers, csv_bytes(rows), accept_partial="true")
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "queued"
        job_id = started.json()["job_id"]
        body = wait_for(client, headers, job_id, finished, timeout=30)
    assert body["status"] == "succeeded", body
    result = body["result"]
    assert (result["rows"], result["created"], result["updated"], result["unchanged"]) == (5, 4, 0, 0)
    assert {"rows", "created", "updated", "unchanged", "refused"} <= set(result)
    assert len(result["refused"]) == 1
    refusal = result["refused"][0]
    assert set(refusal) == {"line", "column", "reason"}
    assert refusal["line"] == 7  # the title row, the header, four good rows: the fifth family is on line 7
    assert refusal["column"] == "Tanggal Lahir" and refusal["reason"]
    names = set(session.exec(select(Household.head_name).where(Household.head_name.startswith("Keluarga Impor"))))
    assert names == {f"Keluarga Impor {700 + i}" for i in range(4)}

    # The job and its report are the owner's (and administrators'); anyone else gets 404.
    assert client.get(f"/api/v1/jobs/{job_id}", headers=as_user(JAKTIM)).status_code == 404
    assert client.get(f"/api/v1/jobs/{job_id}", headers=as_user("admin")).status_code == 200
    report = client.get(f"{URL}/{job_id}/report.xlsx", headers=headers)
    assert report.status_code == 200, report.text
    sheet = book(report.content).active
    table = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "alasan" in table[0]
    assert len(table) == 2  # the header and the one refused row
    refused = dict(zip(table[0], table[1], strict=True))
    assert refused["Nama Pengurus"] == "Keluarga Impor 790"
    assert "Tanggal Lahir" in refused["alasan"]
    assert not re.fullmatch(r"[0-9]{16}", str(refused["NIK Pengurus"]))  # the NIK masked
    assert client.get(f"{URL}/{job_id}/report.xlsx", headers=as_user(JAKTIM)).status_code == 404
    assert client.get(f"{URL}/{job_id}/report.xlsx", headers=as_user("admin")).status_code == 200


@pytest.mark.parametrize("size", [LIMIT + 1024, 4 * LIMIT], ids=["just over", "declared over"])
def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    client: TestClient, as_user: Headers, session: Session, size: int
) -> None:
    headers = as_user(KJ)
    before = counts(session)
    data = csv_bytes([family(i) for i in range(1, 2000)])[:size]
    assert len(data) == size
    response = post(client, headers, data)
    assert response.status_code == 413, response.text
    assert "limit" in response.json()["detail"]
    assert counts(session) == before


def test_a_file_without_a_required_column_is_refused_at_once_naming_it(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    before = counts(session)
    header = tuple(h for h in INDONESIAN_HEADER if h != "NIK Pengurus")
    response = post(client, as_user(KJ), csv_bytes([family(1), family(2)], header=header))
    assert response.status_code == 422, response.text
    assert "NIK" in response.text
    assert counts(session) == before  # no file kept, no job


def test_who_may_import_into_which_caseload(client: TestClient, as_user: Headers, session: Session) -> None:
    before = counts(session)
    data = csv_bytes([family(1)])
    assert post(client, as_user("dinsos.bandung"), data).status_code == 403
    assert post(client, as_user("forum.bandung"), data).status_code == 403
    assert client.post(URL, files={"file": ("kpm.csv", data, "text/csv")}).status_code == 401
    theirs = facilitator_id(session, "Dimas Aji Saputra")  # the Jakarta Timur facilitator
    refused = post(client, as_user(KJ), data, facilitator_id=theirs)
    assert refused.status_code == 403, refused.text
    assert counts(session) == before
    # An administrator chooses the caseload.
    chosen = post(client, as_user("admin"), data, facilitator_id=theirs)
    assert chosen.status_code == 202, chosen.text
    job = session.get(Job, chosen.json()["job_id"])
    assert job is not None and job.params["facilitator_id"] == theirs


def test_the_template_has_the_columns_an_example_and_drop_down_lists(client: TestClient, as_user: Headers) -> None:
    response = client.get(f"{URL}/template.xlsx", headers=as_user(KJ))
    assert response.status_code == 200
    sheet = book(response.content)["KPM"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.name for c in COLUMNS]
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["pkh_id"] and example["head_name"] and example["business_sector"] == "kuliner"
    validated = {
        rows[0][col - 1]
        for validation in sheet.data_validations.dataValidation
        if validation.type == "list"
        for ranges in validation.sqref.ranges
        for col in range(ranges.min_col, ranges.max_col + 1)
    }
    enums = {c.name for c in COLUMNS if c.kind in ("enum", "sex", "bool")}
    assert enums == validated
    assert {"pkh_status", "business_sector", "head_sex"} <= validated
    assert client.get(f"{URL}/template.xlsx", headers=as_user("dinsos.bandung")).status_code == 403


def test_the_export_holds_only_the_callers_families_with_masked_niks(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    response = client.get(f"{URL}/export.xlsx", headers=as_user(KJ))
    assert response.status_code == 200
    rows = list(book(response.content).active.iter_rows(values_only=True))
    header, records = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert list(header) == [c.name for c in COLUMNS]
    own = facilitator_id(session, "Nenden Sri Rahayu")
    caseload = {h.pkh_id: h for h in session.exec(select(Household).where(Household.facilitator_id == own))}
    assert caseload and {r["pkh_id"] for r in records} == set(caseload)
    for record in records:
        nik = str(record["nik"] or "")
        assert not re.search(r"[0-9]{16}", nik), "a NIK in clear"
        assert nik == (caseload[record["pkh_id"]].nik_masked or "")
    assert client.get(f"{URL}/export.xlsx", headers=as_user("forum.bandung")).status_code == 403
