"""Job kinds of the tests: real functions, run by real consumers (imported with ``--include``)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from models.households import Household
from service.jobs import JobContext, JobError, job_kind

GATE_SECONDS = 20.0


def wait_for_gate(gate: str | None) -> None:
    """Block until the file ``gate`` exists (the test opens it); fail the job if it never does."""
    if gate is None:
        return
    deadline = time.monotonic() + GATE_SECONDS
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            raise JobError("the gate never opened")
        time.sleep(0.02)


@job_kind("tests.count_households")
def count_households(ctx: JobContext, *, gate: str | None = None, seconds: float = 0.0) -> dict[str, Any]:
    """Count the households the job's owner may see; halfway, wait for ``gate`` and ``seconds``."""
    ctx.progress(0.5)
    wait_for_gate(gate)
    time.sleep(seconds)
    with ctx.session() as session:
        scope = ctx.scope(session)
        households = session.scalar(select(sa.func.count()).select_from(Household).where(scope.where(Household)))
    return {"households": households, "pid": os.getpid(), "attempt": ctx.attempt}


@job_kind("tests.needs_marker")
def needs_marker(ctx: JobContext, *, marker: str) -> dict[str, Any]:
    """Fail with a message for the user unless the file ``marker`` exists."""
    if not Path(marker).exists():
        raise JobError("The marker file is missing; create it and retry")
    return {"marker": Path(marker).name}


@job_kind("tests.crash")
def crash(ctx: JobContext, *, nik: str) -> dict[str, Any]:
    """Stop on an unexpected error whose message quotes personal data."""
    raise ValueError(f"row 7: NIK {nik} is not valid")
