"""HSDS ids: ``uuid5`` of the Jejaring namespace and a record's kind and integer id, and back."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

NAMESPACE = uuid.UUID("6c4c7cf1-04a1-5cb8-806c-43bde66835e8")
"""uuid5(NAMESPACE_URL, "urn:jejaring:hsds"); never change it, or every published id changes."""


def hsds_uuid(*parts: object) -> str:
    """The stable HSDS id of a Jejaring record: uuid5 of the namespace and ``kind:id[:...]``."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def organization_uuid(org_id: int) -> str:
    """The HSDS id of an organisation."""
    return hsds_uuid("organization", org_id)


def location_uuid(location_id: int) -> str:
    """The HSDS id of a location."""
    return hsds_uuid("location", location_id)


def service_uuid(program_id: int) -> str:
    """The HSDS id of the service a programme is published as."""
    return hsds_uuid("service", program_id)


def service_at_location_uuid(program_id: int, location_id: int) -> str:
    """The HSDS id of a programme at one of its locations."""
    return hsds_uuid("service_at_location", program_id, location_id)


def parse_uuid(value: str | None) -> str | None:
    """The canonical form of a UUID string, or ``None`` when it is not one."""
    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def find_by_uuid(ids: Iterable[int], to_uuid: Callable[[int], str], wanted: str | None) -> int | None:
    """The integer id among ``ids`` whose HSDS id is ``wanted``."""
    target = parse_uuid(wanted)
    if target is None:
        return None
    for i in ids:
        if to_uuid(i) == target:
            return int(i)
    return None
