"""Retention: families that left PKH more than JEJARING_RETENTION_YEARS ago are anonymised by
``jejaring retention run`` (and the ``privacy.retention`` job, tests/jobs/test_retention_job.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household, PkhStatus
from models.privacy import DataSubjectRequest
from service.privacy import retention_cutoff
from tests.conftest import TEST_SECRET

Headers = Callable[[str], dict[str, str]]
TODAY = date(2026, 12, 7)


def jejaring(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "DATABASE_URL": db_url, "JEJARING_SECRET_KEY": TEST_SECRET, "JEJARING_ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], env=full | env, capture_output=True, text=True, timeout=300
    )


def exit_families(session: Session, *days: date) -> list[int]:
    """Mark the first households of the demo as having left PKH on ``days``."""
    rows = session.exec(select(Household).order_by(col(Household.id)).limit(len(days))).all()
    for household, day in zip(rows, days, strict=True):
        household.pkh_status, household.exited_on = PkhStatus.exited, day
        session.add(household)
    session.commit()
    return [h.id for h in rows if h.id is not None]


def test_retention_run_anonymises_families_that_left_long_ago(
    db_url: str, client: TestClient, as_user: Headers, session: Session
) -> None:
    old, recent = exit_families(session, date(2020, 12, 6), date(2024, 6, 1))
    active = session.exec(select(Household).where(Household.pkh_status == PkhStatus.active)).first()
    assert active is not None
    admin = as_user("admin")

    run = jejaring(db_url, "retention", "run", "--today", TODAY.isoformat())
    assert run.returncode == 0, run.stderr
    assert "1 families anonymised (left PKH before 2021-12-07)" in run.stdout
    assert client.get(f"/api/v1/households/{old}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/households/{recent}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/households/{active.id}", headers=admin).status_code == 200
    session.expire_all()
    erased = session.get(Household, old)
    assert erased is not None and erased.anonymised_at is not None and erased.phone is None
    (request,) = session.exec(select(DataSubjectRequest).where(DataSubjectRequest.household_id == old)).all()
    assert request.kind == "erasure" and request.note and "retention" in request.note

    again = jejaring(db_url, "retention", "run", "--today", TODAY.isoformat())
    assert "0 families anonymised" in again.stdout
    shorter = jejaring(db_url, "retention", "run", "--today", TODAY.isoformat(), JEJARING_RETENTION_YEARS="2")
    assert "1 families anonymised (left PKH before 2024-12-07)" in shorter.stdout
    assert client.get(f"/api/v1/households/{recent}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/households/{active.id}", headers=admin).status_code == 200


def test_leaving_pkh_starts_the_retention_clock_and_returning_stops_it(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    household = session.exec(select(Household).where(Household.pkh_status == PkhStatus.active)).first()
    assert household is not None and household.exited_on is None
    admin = as_user("admin")
    left = client.patch(
        f"/api/v1/households/{household.id}",
        json={"version": household.version, "pkh_status": "graduated_self_sufficient"},
        headers=admin,
    )
    assert left.status_code == 200, left.text
    session.expire_all()
    row = session.get(Household, household.id)
    assert row is not None and row.exited_on is not None
    back = client.patch(
        f"/api/v1/households/{household.id}",
        json={"version": left.json()["version"], "pkh_status": "active"},
        headers=admin,
    )
    assert back.status_code == 200, back.text
    session.expire_all()
    row = session.get(Household, household.id)
    assert row is not None and row.exited_on is None


def test_retention_cutoff_counts_whole_years_back() -> None:
    assert retention_cutoff(date(2026, 12, 7), 5) == date(2021, 12, 7)
    assert retention_cutoff(date(2028, 2, 29), 1) == date(2027, 2, 28)
