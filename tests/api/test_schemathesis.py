"""Schemathesis over the whole OpenAPI document, as an administrator and as a facilitator.

The app runs in-process (ASGI) on this test's own copy of the demo database; every operation
gets a bounded number of generated requests (valid and invalid ones), derandomized so a run is
reproducible. Two checks must hold for every response: no server error (5xx) and a body that
matches the response schema the OpenAPI document declares. Destructive operations (DELETE) run
too: the database is this test's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.app import create_app
from tests.conftest import Backend, settings_for, sign_in

Caller = tuple[FastAPI, dict[str, str]]

MAX_EXAMPLES = 8
"""Generated requests per operation and role: the whole test takes about 2.5 minutes per database on 2 cores."""

ROLES = ("admin", "pendamping.kebonjayanti")


@pytest.fixture(scope="module", params=ROLES)
def signed_in_app(request: pytest.FixtureRequest, backend: Backend, template_url: str) -> Iterator[Caller]:
    """The app on its own copy of the demo database, and the bearer headers of one role.

    One database per role for all operations (a copy per operation costs more than the calls).
    """
    url = backend.clone()
    application = create_app(settings_for(url))
    with TestClient(application) as client:
        yield application, sign_in(client, str(request.param))
    application.state.engine.dispose()
    backend.drop(url)


def _schema() -> Any:
    """The app's OpenAPI document (read from an app on no database; the calls go to ``app``)."""
    document_app = create_app(settings_for("sqlite://"))
    loaded = schemathesis.openapi.from_asgi("/openapi.json", document_app)
    # Signing out would revoke the token every other operation is called with (#15.8 adds it).
    return loaded.exclude(path="/api/v1/auth/logout")


schema = _schema()
DEMO_IDS = 12
"""Generated ids from 1 to 2^31-1 are folded onto 1..12, so most calls reach demo records."""


def _demo_id(name: str, value: Any) -> Any:
    if name.endswith("_id") and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return (value - 1) % DEMO_IDS + 1
    return value


@schema.hook
def map_path_parameters(_context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    return {name: _demo_id(name, value) for name, value in (path_parameters or {}).items()} or path_parameters


@schema.hook
def map_query(_context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    return {name: _demo_id(name, value) for name, value in (query or {}).items()} or query


@schema.hook
def map_body(_context: Any, body: Any) -> Any:
    if isinstance(body, dict):
        return {name: _demo_id(name, value) for name, value in body.items()}
    return body


CHECKS: list[Callable[..., Any]] = [not_a_server_error, response_schema_conformance]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_response_matches_its_schema(case: Any, signed_in_app: Caller) -> None:
    app, headers = signed_in_app
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
