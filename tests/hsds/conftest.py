"""HSDS test helpers: the vendored schemas as a JSON Schema registry, and an empty database.

``empty_db_url`` is a database built the way a new deployment starts: the real migrations and
the region list, nothing else. It is cloned per test from a template made once per run, on the
backend the suite runs on (``--db``).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "hsds"
BASE_30 = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
BASE_31 = "https://raw.githubusercontent.com/openreferral/specification/3.1/schema/"

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value.lower()


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or ("@" in value and " " not in value)


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urlparse(value)
    return bool(parsed.scheme) and bool(parsed.netloc or parsed.path) and " " not in value


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or ("T" in value and datetime.fromisoformat(value).tzinfo is not None)


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or date.fromisoformat(value).isoformat() == value


def load(relative: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / relative).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def registry() -> Registry:
    """Every vendored schema under its canonical URL, so relative ``$ref``s resolve."""
    resources = []
    for folder, base in (("3.0", BASE_30), ("3.1", BASE_31)):
        for path in sorted((SCHEMA_DIR / folder).rglob("*.json")):
            if path.name == "openapi.json":
                continue
            name = path.relative_to(SCHEMA_DIR / folder).as_posix()
            resources.append((base + name, Resource.from_contents(load(f"{folder}/{name}"), DRAFT202012)))
    # service_capacity (3.1) names attribute.json and metadata.json next to it: the 3.0 ones.
    for name in ("attribute.json", "metadata.json", "taxonomy_term.json", "taxonomy.json"):
        resources.append((BASE_31 + name, Resource.from_contents(load(f"3.0/{name}"), DRAFT202012)))
    return Registry().with_resources(resources)


def ref(name: str, version: str = "3.0") -> dict[str, Any]:
    return {"$ref": (BASE_30 if version == "3.0" else BASE_31) + name}


# The API's fully nested objects: per-table schemas with their $refs resolved (what
# schema/compiled/*.json of HSDS 3.0 hold), plus the Jejaring profile's 3.1 capacities.
SERVICE_FULL = {
    "allOf": [ref("service.json")],
    "properties": {"capacities": {"type": "array", "items": ref("service_capacity.json", "3.1")}},
}
ORGANIZATION_FULL = {
    "allOf": [ref("organization.json")],
    "properties": {"services": {"type": "array", "items": SERVICE_FULL}},
}
SERVICE_AT_LOCATION_FULL = {"allOf": [ref("service_at_location.json")], "properties": {"service": SERVICE_FULL}}
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents")


def page_of(item_schema: dict[str, Any]) -> dict[str, Any]:
    """The HSDS API's paginated list (openapi.json ``Page`` with ``contents``)."""
    page = load("3.0/openapi.json")["components"]["schemas"]["Page"]
    return {
        "allOf": [page],
        "properties": {"contents": {"type": "array", "items": item_schema}},
        "required": list(PAGE_FIELDS),
    }


def validation_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(schema, registry=registry(), format_checker=FORMATS)
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def assert_valid(instance: Any, schema: dict[str, Any]) -> None:
    errors = validation_errors(instance, schema)
    assert not errors, "\n".join(errors[:20])


@pytest.fixture
def empty_db_url(bare_db_url: str) -> str:
    """A copy of the regions-only database (tests/conftest.py's ``bare_backend``)."""
    return bare_db_url
