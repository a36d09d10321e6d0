"""Role x route matrix: every mounted route, for every role, on its own tenant's objects and on
another tenant's (by id in the path, the query, the body and nested in it).

For each case: the status the table states; no body (JSON, page, CSV, spreadsheet, map) carries
what the role may not see (``world.leaks``: forbidden JSON keys, any family's NIK, and the name,
phone, PKH id or place of a family outside the role's visibility); a refused write changes
nothing (``world.fingerprint``). The table and how to add a row: ``tests/matrix/table.py``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from models.protection import nik_hash
from tests.matrix.table import EXCLUDED, SUCCESS, TABLE, PerRole, Row
from tests.matrix.world import (
    FORBIDDEN_KEYS,
    FOREIGN,
    OWN,
    ROLES,
    Served,
    World,
    fingerprint,
    forbidden_keys_found,
    leaks,
)

TENANT_PARAMS = frozenset(
    {
        "household_id",
        "business_id",
        "consent_id",
        "benefit_id",
        "referral_id",
        "program_id",
        "organization_id",
        "facilitator_id",
        "forum_id",
        "group_id",
        "job_id",
        "upload_id",
        "meeting_id",
        "commitment_id",
        "item_id",
        "partnership_id",
        "location_id",
        "invitation_id",
        "notification_id",
        "pathway_id",
        "region",
    }
)
_PLACEHOLDER = re.compile(r"^\{([a-z_]+)(?::([a-z]+):([a-z_]+))?\}$")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, PerRole):
        return _strings(list(value.bodies.values()))
    return []


def used_params(row: Row) -> set[str]:
    """The parameters the row's path, query, body and form name (a form function: the path's, and
    the organisation of a new programme)."""
    names = set(re.findall(r"\{([a-z_]+)\}", row.path))
    form = row.form if isinstance(row.form, list) else []
    for s in _strings([row.query, row.body, form]):
        m = _PLACEHOLDER.match(s)
        if m:
            names.add(m.group(3) or m.group(1))
    if callable(row.form) and row.path == "/lembaga/program/baru":
        names.add("organization_id")
    return names


def tenant_params(row: Row) -> set[str]:
    return {p for p in used_params(row) & TENANT_PARAMS if not row.ids.get(p, "").startswith("hsds.")}


def variants(row: Row, role: str) -> list[str]:
    """``own``; with a tenant's object, ``foreign`` and each ``nested:`` swap too (except an
    administrator's writes: they have no tenant, so another's object is just another object)."""
    if not tenant_params(row) or (role == "admin" and row.is_write):
        return ["own"]
    return ["own", "foreign", *(f"nested:{p}" for p in row.nested)]


def on_fresh_copy(row: Row, role: str, want: int) -> bool:
    """Whether the case writes (so it runs on a copy of its own): a write that should succeed (a
    redirect sending an anonymous visitor to sign in is no success), and sign-out."""
    if role == "anonymous":
        return False
    return row.fresh or (row.is_write and want in SUCCESS)


def expected(row: Row, role: str, variant: str) -> int:
    own = row.expect[role]
    if variant == "own":
        return own
    if variant == "foreign":
        if role in row.cross:
            return row.cross[role]
        return own if role in ("admin", "anonymous") or own not in SUCCESS else 404
    overrides = row.nested_cross.get(variant.split(":", 1)[1], {})
    if role in overrides:
        return overrides[role]
    return 404 if own in SUCCESS and role != "anonymous" else own


def resolve(row: Row, role: str, variant: str, world: World) -> dict[str, Any]:
    own = world.own(role)
    own.update({k: world.ids.get(v, v) for k, v in row.ids.items()})
    if variant == "own":
        params = own
    else:
        foreign = world.foreign(role)
        foreign.update({k: world.ids.get(v, v) for k, v in row.ids.items() if k not in TENANT_PARAMS})
        foreign.update({k: world.ids.get(v, v) for k, v in row.foreign_ids.items()})
        if variant == "foreign":
            params = foreign
        else:
            names = variant.split(":", 1)[1].split("+")
            params = {**own, **{name: world.foreign(role)[name] for name in names}}
    params["own_program_id"] = own["program_id"]
    if "referral_id" in params:
        params["referral_version"] = world.versions[("referral", params["referral_id"])]
    return params


def fill(value: Any, params: dict[str, Any], world: World) -> Any:
    if isinstance(value, str):
        m = _PLACEHOLDER.match(value)
        if not m:
            return value
        if m.group(2):
            return world.versions[(m.group(2), params[m.group(3)])]
        return params[m.group(1)]
    if isinstance(value, dict):
        return {k: fill(v, params, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, params, world) for v in value]
    if isinstance(value, tuple):
        return tuple(fill(v, params, world) for v in value)
    return value


CASES = [
    pytest.param(row, role, variant, id=f"{row.name} {role} {variant}")
    for row in TABLE
    for role in ROLES
    for variant in variants(row, role)
]


def mounted_routes(app: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            out.add(("MOUNT", route.path))
            continue
        for method in context.methods or ():
            if method != "HEAD":
                out.add((method, str(context.path)))
    return out


def test_every_mounted_route_is_in_the_table_and_every_row_is_mounted(shared: Served) -> None:
    mounted = mounted_routes(shared.app)
    listed = {row.key for row in TABLE} | set(EXCLUDED)
    assert sorted(mounted - listed) == [], "routes missing from tests/matrix/table.py"
    assert sorted(listed - mounted) == [], "rows of tests/matrix/table.py with no such route"


def test_the_table_tries_other_tenants_objects(shared: Served) -> None:
    """Every row naming a tenant's object also runs with another tenant's."""
    for row in TABLE:
        if tenant_params(row):
            assert "foreign" in variants(row, "facilitator"), row.name
    assert {k for k in FOREIGN if FOREIGN[k] != OWN[k]} >= TENANT_PARAMS


@pytest.mark.parametrize(("row", "role", "variant"), CASES)
def test_route_matrix(
    row: Row, role: str, variant: str, shared: Served, world: World, request: pytest.FixtureRequest
) -> None:
    want = expected(row, role, variant)
    params = resolve(row, role, variant, world)
    fresh_copy = on_fresh_copy(row, role, want)
    served: Served = request.getfixturevalue("fresh") if fresh_copy else shared
    path = row.path
    for name in re.findall(r"\{([a-z_]+)\}", row.path):
        path = path.replace("{" + name + "}", str(params[name]))
    query = {k: str(v) for k, v in fill(row.query, params, world).items()} or None
    body = row.body.for_role(role) if isinstance(row.body, PerRole) else row.body
    form = row.form(served, params, role) if callable(row.form) else row.form
    before = fingerprint(served.app) if row.is_write and not fresh_copy else None

    response = served.send(
        role,
        row.method,
        path,
        params=query,
        json_body=fill(body, params, world),
        form=[(k, str(fill(v, params, world))) for k, v in form] if form is not None else None,
        files=row.files,
        cookies=row.cookies,
    )

    assert response.status_code == want, f"{row.method} {path} {query or ''} as {role}: {response.text[:300]}"
    if response.status_code == 303 and role == "anonymous" and row.method == "GET" and path not in ("/lang/en",):
        assert response.headers["location"].startswith("/login"), response.headers["location"]
    assert leaks(world, role, response, keys=not row.schema) == [], (
        f"{row.method} {path} as {role} shows what it may not"
    )
    if variant == "foreign" and role != "admin" and response.status_code in SUCCESS:
        for name in row.hides:
            hidden = world.names[(name, params[name])]
            assert hidden not in response.text, f"{row.method} {path} as {role} shows another tenant's {hidden}"
    if before is not None:
        assert fingerprint(served.app) == before, f"{row.method} {path} as {role} was refused but changed data"


@dataclass
class Answer:
    """A response as ``leaks`` reads it, with a body of the test's choosing."""

    text: str
    headers: dict[str, str]

    @property
    def content(self) -> bytes:
        return self.text.encode()


def test_the_body_checks_catch_a_family_shown_to_the_wrong_role(shared: Served, world: World) -> None:
    """The checks can fail: a family's record as admins read it is a leak for everyone else."""
    own = world.ids["household.kj"]
    record = shared.send("admin", "GET", f"/api/v1/households/{own}")
    assert record.status_code == 200
    assert leaks(world, "admin", record) == []
    assert leaks(world, "facilitator", record) == []  # the family is in this facilitator's caseload
    for role in ("agency", "organiser", "anonymous"):
        found = " | ".join(leaks(world, role, record))
        for what in ("key $.pkh_id", "key $.nik_masked", f"phone of household {own}", f"PKH id of household {own}"):
            assert what in found, (role, what, found)
        assert f"place of household {own}" in found, (role, found)
    assert f"name of household {own}" in " | ".join(leaks(world, "organiser", record))
    foreign = world.ids["household.jaktim"]
    theirs = shared.send("admin", "GET", f"/api/v1/households/{foreign}")
    found = " | ".join(leaks(world, "facilitator", theirs))
    assert f"name of household {foreign}" in found and f"PKH id of household {foreign}" in found, found
    # A NIK in clear is caught in any body, page or JSON, whoever reads it.
    nik = "3273160000000001"
    seeded = dataclasses.replace(world, nik_hashes={nik_hash(nik, key=world.nik_key)})
    page = Answer(f"<td>{nik}</td>", {"content-type": "text/html"})
    assert leaks(seeded, "admin", page) == ["a family's NIK 3273…"]
    assert forbidden_keys_found({"a": [{"nik": None, "pkh_id": ""}]}, FORBIDDEN_KEYS["organiser"]) == []
