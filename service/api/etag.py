"""Optimistic concurrency over HTTP: ``ETag`` on records, ``If-Match`` on their PATCH.

A record's ETag is strong and derived from what it is, its id and its version:
``"program-4.7"``. Strong, because ``If-Match`` compares strongly (RFC 9110 13.1.1): a weak tag
never matches. The ``version`` in a PATCH body keeps working; when a PATCH sends both, they must
name the same version (422 otherwise). A stale ``If-Match`` answers 412 and nothing is stored;
the version check and the write stay one ``UPDATE ... WHERE version`` (``service.core.records``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Header, Response

from service.core.records import StaleVersion
from service.errors import InvalidInput, PreconditionFailed

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description='The ETag you read (e.g. "program-4.7"): the change is refused with 412 if the record moved on',
    ),
]
PRECONDITION: dict[int | str, dict[str, Any]] = {
    412: {"description": "The record changed since the version If-Match names; nothing was stored"}
}
_TAG = re.compile(r'\s*(W/)?"([a-z_]+)-(\d{1,19})\.(\d{1,19})"\s*')


def etag(kind: str, record_id: int, version: int) -> str:
    """The record's strong entity tag, ``"kind-id.version"``."""
    return f'"{kind}-{record_id}.{version}"'


def with_etag(response: Response, kind: str, record_id: int, version: int) -> None:
    """Put the record's ETag on ``response``."""
    response.headers["ETag"] = etag(kind, record_id, version)


def expected_version(if_match: str | None, body_version: int | None, *, kind: str, record_id: int) -> int | None:
    """The version a PATCH expects: If-Match's or the body's, which must agree when both are sent.

    ``If-Match: *`` asks only that the record exists (the body's version, if any, still counts).
    An If-Match naming no version of this record, or a weak tag (never a strong match), is 412.
    """
    if if_match is None or if_match.strip() == "*":
        return body_version
    versions: set[int] = set()
    for part in if_match.split(","):
        found = _TAG.fullmatch(part)
        if found and not found.group(1) and found.group(2) == kind and int(found.group(3)) == record_id:
            versions.add(int(found.group(4)))
    if len(versions) != 1:
        raise PreconditionFailed(
            f"If-Match must name one version of this record, as its ETag does (e.g. {etag(kind, record_id, 1)}); "
            "GET it for the current ETag"
        )
    version = versions.pop()
    if body_version is not None and body_version != version:
        raise InvalidInput(
            f"the body's version ({body_version}) and If-Match (version {version}) disagree; "
            "send the same version in both, or only one of them",
            loc=("body", "version"),
        )
    return version


@contextmanager
def precondition(if_match: str | None) -> Iterator[None]:
    """Within: a record changed since the version If-Match named answers 412, not 409."""
    try:
        yield
    except StaleVersion as exc:
        if if_match is None or if_match.strip() == "*":
            raise
        now = f" (its ETag is now {etag(exc.what.lower(), exc.record_id, exc.current)})" if exc.current else ""
        raise PreconditionFailed(
            f"{exc.what} {exc.record_id} was changed since the version your If-Match names{now}; "
            "nothing was stored: GET it again and apply your change to it"
        ) from exc
