"""What a job function is given: its job id, database sessions, its owner's scope, a progress callback."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.users import User
from service.core.scope import Scope
from service.settings import Settings, get_settings

PROGRESS_INTERVAL = 0.5
"""Seconds between two progress writes; calls in between only remember the fraction."""


class JobError(Exception):
    """Raise to fail a job with a message for the person who started it (no personal data in it)."""


class JobSuperseded(Exception):
    """This run no longer owns its job (its worker was presumed dead and the job given to another)."""


class JobContext:
    """The handle a job function gets: ``ctx.session()``, ``ctx.scope(session)``, ``ctx.progress(0.4)``."""

    def __init__(
        self,
        *,
        job_id: str,
        owner_user_id: int,
        attempt: int,
        engine: Engine,
        report: Callable[[float], bool],
        settings: Settings | None = None,
        progress_interval: float = PROGRESS_INTERVAL,
    ) -> None:
        self.job_id = job_id
        self.owner_user_id = owner_user_id
        self.attempt = attempt
        self._engine = engine
        self._report = report
        self.settings = settings or get_settings()
        self._interval = progress_interval
        self._last_write = -math.inf

    def session(self) -> Session:
        """A new session on the service's database; use it in a ``with`` block and commit explicitly."""
        return Session(self._engine, expire_on_commit=False)

    def scope(self, session: Session) -> Scope:
        """The reach of the user who started the job, so the job sees what they may see."""
        user = session.get(User, self.owner_user_id)
        if user is None or not user.is_active:
            raise JobError("The account that started this job is no longer active")
        return Scope.for_user(session, user)

    def progress(self, fraction: float) -> None:
        """Report the share of the work done (0.0 to 1.0); written at most every half second."""
        if math.isnan(fraction):
            raise ValueError("progress must be a number between 0 and 1")
        now = time.monotonic()
        if now - self._last_write < self._interval:
            return
        self._last_write = now
        if not self._report(min(max(fraction, 0.0), 1.0)):
            raise JobSuperseded(self.job_id)
