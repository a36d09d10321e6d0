"""Every text the API accepts has a length limit, read from the app's own OpenAPI document.

Walks every operation's request body (JSON and form), through ``$ref``, nested objects, arrays and
``anyOf`` (``Optional[str]``, ``list[str]``), and every query, path and header parameter: a
string with no ``maxLength`` (and no ``enum``/``const``, or a date format that bounds it) fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from service.app import create_app
from tests.conftest import settings_for

BOUNDED_FORMATS = {"date", "date-time", "time"}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'unused.db'}"
    app = create_app(settings_for(url))
    document = app.openapi()
    app.state.engine.dispose()
    return document


def unbounded_strings(
    schema: dict[str, Any], components: dict[str, Any], where: str, seen: frozenset[str]
) -> Iterator[str]:
    """Paths (``where``) of string schemas without a length limit inside ``schema``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        yield from unbounded_strings(components[name], components, f"{where}<{name}>", seen | {name})
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for i, part in enumerate(schema.get(key, [])):
            yield from unbounded_strings(part, components, f"{where}|{i}", seen)
    bounded = {"maxLength", "enum", "const"} & set(schema) or schema.get("format") in BOUNDED_FORMATS
    if schema.get("type") == "string" and not bounded:
        yield where
    if "items" in schema:
        yield from unbounded_strings(schema["items"], components, f"{where}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        yield from unbounded_strings(prop, components, f"{where}.{name}", seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from unbounded_strings(extra, components, f"{where}{{}}", seen)


def test_every_text_the_api_accepts_has_a_length_limit(openapi: dict[str, Any]) -> None:
    components = openapi["components"]["schemas"]
    found: list[str] = []
    bodies = 0
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            op = f"{method.upper()} {path}"
            for content_type, media in operation.get("requestBody", {}).get("content", {}).items():
                bodies += 1
                found += unbounded_strings(media["schema"], components, f"{op} body({content_type})", frozenset())
            for param in operation.get("parameters", []):
                found += unbounded_strings(
                    param["schema"], components, f"{op} {param['in']}:{param['name']}", frozenset()
                )
    assert bodies > 15, "the walk found the request bodies"
    assert found == [], "\n".join(found)


def test_the_walk_finds_an_unbounded_string() -> None:
    schemas = {
        "X": {"type": "object", "properties": {"a": {"anyOf": [{"type": "array", "items": {"type": "string"}}]}}}
    }
    assert list(unbounded_strings({"$ref": "#/components/schemas/X"}, schemas, "op", frozenset())) == ["op<X>.a|0[]"]
