"""The caseload import's pages through the test client, with a real jobs consumer."""

from __future__ import annotations

import re
import time
from urllib.parse import unquote

from fastapi.testclient import TestClient

from tests.conftest import DEMO_PASSWORDS, login_form
from tests.imports.helpers import csv_bytes, family
from tests.jobs.conftest import app, consumer, jobs_settings, queue_name  # noqa: F401


def _signed_in(client: TestClient) -> str:
    form = {"username": "pendamping.kebonjayanti", "password": DEMO_PASSWORDS["pendamping.kebonjayanti"]}
    client.post("/login", data={**form, **login_form(client)})
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/kpm/impor").text)
    assert match
    return match.group(1)


def _finished(client: TestClient, url: str) -> str:
    for _ in range(300):
        page = client.get(url)
        assert page.status_code == 200
        if "Refresh" not in page.headers:
            return page.text
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_the_refused_rows_of_a_file_named_with_curly_quotes_and_a_dash_download(
    client: TestClient,
    consumer,  # noqa: F811
) -> None:
    csrf = _signed_in(client)
    data = csv_bytes([family(7400), family(7401, **{"Tanggal Lahir": "31/02/1985"})])
    name = "DATA KPM “Melati” – Kebon Jayanti 2026.csv"
    with consumer():
        sent = client.post(
            "/kpm/impor", files={"file": (name, data, "text/csv")}, data={"csrf": csrf}, follow_redirects=False
        )
        assert sent.status_code == 303, sent.text
        started = client.post(
            sent.headers["location"] + "/mulai", data={"csrf": csrf, "accept_partial": "1"}, follow_redirects=False
        )
        assert started.status_code == 303, started.text
        page = _finished(client, started.headers["location"])
    assert 'data-count="created">1<' in page
    report = client.get(started.headers["location"] + "/ditolak.xlsx")
    assert report.status_code == 200
    assert report.content[:2] == b"PK"
    disposition = report.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    utf8 = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert utf8 and unquote(utf8.group(1)) == "DATA KPM “Melati” – Kebon Jayanti 2026-ditolak.xlsx"
    plain = re.search(r'filename="([^"]*)"', disposition)
    assert plain and plain.group(1).endswith("-ditolak.xlsx")


def test_starting_an_upload_twice_follows_the_running_import_and_a_finished_one_may_run_again(
    client: TestClient,
    consumer,  # noqa: F811
) -> None:
    csrf = _signed_in(client)
    data = csv_bytes([family(7410), family(7411, **{"Tanggal Lahir": "31/02/1985"})])
    sent = client.post(
        "/kpm/impor", files={"file": ("kpm.csv", data, "text/csv")}, data={"csrf": csrf}, follow_redirects=False
    )
    start = sent.headers["location"] + "/mulai"
    first = client.post(start, data={"csrf": csrf}, follow_redirects=False)
    again = client.post(start, data={"csrf": csrf}, follow_redirects=False)  # a double click
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    with consumer():
        page = _finished(client, first.headers["location"])
        assert "Tidak ada yang disimpan" in page
        # Back to the preview, this time keeping the good rows: a new import of the same file.
        partial = client.post(start, data={"csrf": csrf, "accept_partial": "1"}, follow_redirects=False)
        assert partial.headers["location"] != first.headers["location"]
        page = _finished(client, partial.headers["location"])
    assert 'data-count="created">1<' in page
    assert "Impor selesai dan tersimpan." in page


def test_a_workbook_with_a_checkins_sheet_stores_the_visits_after_the_families(
    client: TestClient,
    consumer,  # noqa: F811
) -> None:
    import io
    from datetime import timedelta

    import openpyxl

    from service.settings import Settings
    from tests.imports.helpers import INDONESIAN_HEADER

    csrf = _signed_in(client)
    book = openpyxl.Workbook()
    families = book.active
    assert families is not None
    families.title = "KPM"
    families.append(list(INDONESIAN_HEADER))
    families.append([family(7410)[h] for h in INDONESIAN_HEADER])
    visits = book.create_sheet("checkins")
    visits.append(["ID PKH", "Sektor", "Tanggal Kunjungan", "Omzet", "Sertifikat"])
    day = Settings().today() - timedelta(days=3)
    visits.append(["IMP-007410", "kuliner", day.strftime("%d/%m/%Y"), "2.250.000", "PIRT"])
    visits.append(["PKH-TIDAK-ADA", "kuliner", day.strftime("%d/%m/%Y"), "1.000.000", None])
    out = io.BytesIO()
    book.save(out)
    with consumer():
        sent = client.post(
            "/kpm/impor",
            files={"file": ("kpm-dan-kunjungan.xlsx", out.getvalue(), "application/octet-stream")},
            data={"csrf": csrf},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        started = client.post(
            sent.headers["location"] + "/mulai", data={"csrf": csrf, "accept_partial": "1"}, follow_redirects=False
        )
        assert started.status_code == 303, started.text
        page = _finished(client, started.headers["location"])
    assert 'data-count="created">1<' in page
    assert 'data-count="checkin-stored">1<' in page and 'data-count="checkin-refused">1<' in page
    assert "ID PKH ini tidak ada dalam dampingan Anda" in page
    listed = client.get("/kpm?q=IMP-007410")
    found = re.search(r'href="/kpm/(\d+)">IMP-007410<', listed.text)
    assert found, "the imported family is in the caseload"
    family_page = client.get(f"/kpm/{found.group(1)}").text
    assert "Rp 2.250.000" in family_page and "<circle" in family_page
