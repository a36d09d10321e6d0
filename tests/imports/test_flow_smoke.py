from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import DEMO_PASSWORDS, login_form
from tests.imports.helpers import csv_bytes, family
from tests.jobs.conftest import finished, wait_for


def test_api_and_pages(client: TestClient, as_user, consumer) -> None:
    headers = as_user("pendamping.kebonjayanti")
    rows = [family(900 + i) for i in range(5)] + [family(990, **{"Tanggal Lahir": "31/02/1985"})]
    data = csv_bytes(rows)
    with consumer():
        r = client.post("/api/v1/imports/households", files={"file": ("kpm.csv", data, "text/csv")}, headers=headers)
        assert r.status_code == 202, r.text
        body = wait_for(client, headers, r.json()["job_id"], finished)
        print(body)
        assert body["status"] == "succeeded"
        assert body["result"]["refused_rows"] == 1
    # pages
    client.post(
        "/login",
        data={
            "username": "pendamping.kebonjayanti",
            "password": DEMO_PASSWORDS["pendamping.kebonjayanti"],
            **login_form(client),
        },
    )
    page = client.get("/kpm/impor")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    with consumer():
        r = client.post(
            "/kpm/impor", files={"file": ("kpm.csv", data, "text/csv")}, data={"csrf": csrf}, follow_redirects=False
        )
        assert r.status_code == 303, r.text
        prev = client.get(r.headers["location"])
        assert prev.status_code == 200
        print(prev.text[:3000])
        action = re.search(r'action="(/kpm/impor/[0-9a-f]+/mulai)"', prev.text).group(1)
        r = client.post(action, data={"csrf": csrf, "accept_partial": "1"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        job_url = r.headers["location"]
        for _ in range(100):
            page = client.get(job_url)
            if 'data-count="rows"' in page.text:
                break
            import time

            time.sleep(0.1)
        print(page.text[-3000:])
        assert 'data-count="created">5<' in page.text
        rep = client.get(job_url + "/ditolak.xlsx")
        assert rep.status_code == 200 and rep.content[:2] == b"PK"
