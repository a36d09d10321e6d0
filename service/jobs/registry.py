"""Job kinds: a domain declares one with a plain function, ``@job_kind("households.import")``.

The registry maps a kind's name to its function. A consumer imports the modules that declare
kinds (``KIND_MODULES`` plus any ``--include``) before it runs anything, so the web process
and the workers agree on what a kind means.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from service.settings import Settings

JobFunction = Callable[..., dict[str, Any]]
"""``def run(ctx: JobContext, **params) -> dict``: the params are the job's JSON params."""

F = TypeVar("F", bound=JobFunction)

KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

KIND_MODULES: tuple[str, ...] = (
    "service.privacy.retention",
    "service.households.imports.use_cases",
    "service.notifications.delivery",
    "service.referrals.notices",
    "service.forums.notices",
    "service.partnerships.expiry",
    "service.graduation.notices",
)
"""Modules declaring the service's own job kinds and periodic jobs; every consumer imports them at start."""


@dataclass(frozen=True)
class JobKind:
    """A declared kind of job: its name, its function and how often a dead worker may be replaced."""

    name: str
    run: JobFunction
    max_attempts: int


_kinds: dict[str, JobKind] = {}


def job_kind(name: str, *, max_attempts: int = 3) -> Callable[[F], F]:
    """Declare the decorated function as the job kind ``name`` (dotted, e.g. ``households.import``)."""
    if not KIND_NAME.match(name) or len(name) > 80:
        raise ValueError(f"job kind {name!r} must be dotted lower-case words, e.g. 'households.import'")
    if max_attempts < 1:
        raise ValueError(f"job kind {name!r} needs max_attempts of 1 or more")

    def register(func: F) -> F:
        known = _kinds.get(name)
        if known is not None and _qualified(known.run) != _qualified(func):
            raise ValueError(f"job kind {name!r} is already declared by {_qualified(known.run)}")
        _kinds[name] = JobKind(name=name, run=func, max_attempts=max_attempts)
        return func

    return register


def kind_named(name: str) -> JobKind | None:
    """The kind declared under ``name``, or ``None`` when no imported module declares it."""
    return _kinds.get(name)


def kind_names() -> list[str]:
    """The names of every declared kind, sorted."""
    return sorted(_kinds)


def load_kinds(include: Iterable[str] = ()) -> list[str]:
    """Import ``KIND_MODULES`` and the modules in ``include``; return the kinds then declared."""
    for module in (*KIND_MODULES, *include):
        importlib.import_module(module)
    return kind_names()


PeriodicFunction = Callable[["Engine", "Settings"], object]
"""``def run(engine, settings)``: opens its own sessions and commits; its return value is ignored."""

P = TypeVar("P", bound=PeriodicFunction)


@dataclass(frozen=True)
class PeriodicJob:
    """Work every consumer runs on a schedule (``minute`` in cron's notation: ``*``, ``*/15``)."""

    name: str
    run: PeriodicFunction
    minute: str


_periodic: dict[str, PeriodicJob] = {}


def periodic_job(name: str, *, minute: str = "*") -> Callable[[P], P]:
    """Declare the decorated ``run(engine, settings)`` to run every minute matching ``minute``.

    Each consumer runs it (two consumers on one Redis both do): the function must claim its rows
    with conditional updates, so that work done twice at once is done once.
    """
    if not KIND_NAME.match(name) or len(name) > 80:
        raise ValueError(f"periodic job {name!r} must be dotted lower-case words, e.g. 'notifications.send'")

    def register(func: P) -> P:
        known = _periodic.get(name)
        if known is not None and _qualified(known.run) != _qualified(func):
            raise ValueError(f"periodic job {name!r} is already declared by {_qualified(known.run)}")
        _periodic[name] = PeriodicJob(name=name, run=func, minute=minute)
        return func

    return register


def periodic_jobs() -> list[PeriodicJob]:
    """Every declared periodic job, by name."""
    return [_periodic[name] for name in sorted(_periodic)]


def _qualified(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"
