"""The ``privacy.retention`` job kind runs in a consumer like any other job."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household, PkhStatus
from service.jobs import JobQueue
from tests.jobs.conftest import finished, submit, wait_for

Headers = Callable[[str], dict[str, str]]


def test_retention_job_anonymises_families_past_the_retention_period(
    client: TestClient,
    as_user: Headers,
    session: Session,
    consumer: Callable[[], AbstractContextManager[JobQueue]],
) -> None:
    household = session.exec(select(Household).order_by(col(Household.id))).first()
    assert household is not None
    household.pkh_status, household.exited_on = PkhStatus.exited, date(2019, 1, 1)
    session.add(household)
    session.commit()
    admin = as_user("admin")
    with consumer():
        job = submit(client, admin, "privacy.retention", years=5, today="2026-12-07")
        body = wait_for(client, admin, job["id"], finished)
    assert body["status"] == "succeeded", body
    assert body["result"] == {"cutoff": "2021-12-07", "anonymised": 1}
    assert client.get(f"/api/v1/households/{household.id}", headers=admin).status_code == 404

    facilitator = as_user("pendamping.kebonjayanti")
    with consumer():
        job = submit(client, facilitator, "privacy.retention", years=5, today="2026-12-07")
        body = wait_for(client, facilitator, job["id"], finished)
    assert body["status"] == "failed"
