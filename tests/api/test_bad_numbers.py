"""Numbers no column can hold, NUL characters and runaway rule trees answer 422 naming the field,
never a 500: walked over every route of the app's OpenAPI, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from models.households import Household
from models.organizations import Organization, Program
from service.app import create_app
from tests.api.test_input_limits import my_household, staff_program
from tests.conftest import Backend, settings_for, sign_in
from tests.web.test_agency_pages import NEW, error_of, post, read_form, setting
from tests.web.test_agency_pages import sign_in as page_sign_in

Headers = Callable[[str], dict[str, str]]
HUGE = 99999999999999999999999
BAD_NUMBERS = [2**63, 2**31, -1]
# Values for the other parameters of a route, so only the one under test is wrong.
GOOD = {"region": "32.73", "code": "32.73", "facilitator_id": None, "forum_id": None}


def _openapi() -> dict[str, Any]:
    app = create_app(settings_for("sqlite:///:memory:"))
    document = app.openapi()
    app.state.engine.dispose()
    return document


def _types(schema: dict[str, Any]) -> set[str]:
    found = {schema["type"]} if "type" in schema else set()
    for part in schema.get("anyOf", []):
        found |= _types(part)
    return found


def _params(kind: str) -> list[tuple[str, str, str, str]]:
    """(method, path, in, name) of every parameter whose type is ``kind``."""
    out = []
    for path, item in _openapi()["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                if param["in"] in ("path", "query") and kind in _types(param["schema"]):
                    out.append((method.upper(), path, param["in"], param["name"]))
    return out


def _request(
    client: TestClient, method: str, path: str, where: str, name: str, value: Any, headers: dict[str, str]
) -> Any:
    url = path
    for part in path.split("/"):
        if part.startswith("{"):
            key = part[1:-1]
            url = url.replace(part, quote(str(value), safe="") if key == name else str(GOOD.get(key, 1)))
    query = {k: v for k, v in GOOD.items() if v is not None and k != name and "{" + k + "}" not in path}
    if where == "query":
        query[name] = value
    return client.request(method, url, params=query, headers=headers, json={} if method in ("POST", "PATCH") else None)


INT_PARAMS = _params("integer")
STR_PARAMS = _params("string")


def test_the_walk_finds_the_numbered_routes() -> None:
    assert len({(m, p) for m, p, _, _ in INT_PARAMS}) >= 21
    assert ("GET", "/hsds/organizations", "query", "page") in INT_PARAMS


@pytest.fixture(scope="module")
def admin_client(backend: Backend, template_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """One app and database for the walks: every request is refused before it reaches a table."""
    url = backend.clone()
    app = create_app(settings_for(url))
    with TestClient(app) as client:
        yield client, sign_in(client, "admin")
    app.state.engine.dispose()
    backend.drop(url)


@pytest.mark.parametrize(("method", "path", "where", "name"), INT_PARAMS)
def test_a_number_no_column_holds_answers_422_naming_the_parameter(
    admin_client: tuple[TestClient, dict[str, str]], method: str, path: str, where: str, name: str
) -> None:
    client, admin = admin_client
    for value in BAD_NUMBERS:
        response = _request(client, method, path, where, name, value, admin)
        assert response.status_code == 422, (value, response.text[:300])
        assert [where, name] in [e["loc"] for e in response.json()["detail"]], (value, response.text[:300])


@pytest.mark.parametrize(("method", "path", "where", "name"), STR_PARAMS)
def test_a_nul_character_in_a_path_or_query_text_answers_422(
    admin_client: tuple[TestClient, dict[str, str]], method: str, path: str, where: str, name: str
) -> None:
    client, admin = admin_client
    response = _request(client, method, path, where, name, "32\x00", admin)
    assert response.status_code == 422, response.text[:300]
    assert [where, name] in [e["loc"] for e in response.json()["detail"]], response.text[:300]


def test_a_nul_character_in_the_caseload_search_answers_422(client: TestClient, as_user: Headers) -> None:
    response = client.get("/api/v1/households", params={"q": "Ibu\x00"}, headers=as_user("pendamping.kebonjayanti"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]
    assert "NUL" in response.json()["detail"][0]["msg"]


def test_a_nul_character_in_a_body_text_answers_422_and_nothing_is_stored(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    household = my_household(session)
    response = client.patch(
        f"/api/v1/households/{household.id}",
        json={"version": household.version, "address": "Jl. Uji\x00 No. 1"},
        headers=as_user("pendamping.kebonjayanti"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "address"]
    org = session.exec(select(Organization)).first()
    assert org is not None
    created = client.post(
        "/api/v1/programs",
        json={"organization_id": org.id, "name": "Pelatihan\x00", "kind": "training"},
        headers=as_user("admin"),
    )
    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"] == ["body", "name"]
    session.expire_all()
    assert "\x00" not in (session.get(Household, household.id).address or "")  # type: ignore[union-attr]


def deep_rule(depth: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"field": "household.prse", "op": "eq", "value": True}
    for _ in range(depth):
        rule = {"not": rule}
    return rule


def test_a_rule_nested_300_deep_answers_422_with_the_limit(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    preview = client.post(
        "/api/v1/programs/preview",
        json={"eligibility": deep_rule(300), "service_area": ["32.73"]},
        headers=as_user("dinsos.bandung"),
    )
    assert preview.status_code == 422, preview.text[:300]
    assert "deep" in preview.json()["detail"][0]["msg"]
    program = staff_program(session)
    update = client.patch(
        f"/api/v1/programs/{program.id}",
        json={"version": program.version, "eligibility": deep_rule(300)},
        headers=as_user("dinsos.bandung"),
    )
    assert update.status_code == 422, update.text[:300]
    assert update.json()["detail"][0]["loc"][:2] == ["body", "eligibility"]
    wide = {"any": [{"field": "head.age", "op": "ge", "value": n % 100} for n in range(5000)]}
    too_wide = client.post(
        "/api/v1/programs/preview", json={"eligibility": wide, "service_area": ["32.73"]}, headers=as_user("admin")
    )
    assert too_wide.status_code == 422
    assert "criteria" in too_wide.json()["detail"][0]["msg"]


def test_a_rule_of_ordinary_depth_still_saves(client: TestClient, session: Session, as_user: Headers) -> None:
    program = staff_program(session)
    update = client.patch(
        f"/api/v1/programs/{program.id}",
        json={"version": program.version, "eligibility": deep_rule(6)},
        headers=as_user("dinsos.bandung"),
    )
    assert update.status_code == 200, update.text[:300]


def test_a_capacity_no_column_holds_answers_422_through_the_api(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    org = session.exec(select(Organization)).first()
    assert org is not None
    body = {"organization_id": org.id, "name": "Pelatihan Raksasa", "kind": "training", "capacity": HUGE}
    response = client.post("/api/v1/programs", json=body, headers=as_user("admin"))
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"][0]["loc"] == ["body", "capacity"]
    program = staff_program(session)
    update = client.patch(
        f"/api/v1/programs/{program.id}",
        json={"version": program.version, "capacity_remaining": HUGE},
        headers=as_user("dinsos.bandung"),
    )
    assert update.status_code == 422
    stale = client.patch(
        f"/api/v1/programs/{program.id}", json={"version": HUGE, "name": "X"}, headers=as_user("dinsos.bandung")
    )
    assert stale.status_code == 422
    referral = client.post(
        "/api/v1/referrals",
        json={"household_id": 2**63, "program_id": 2**31},
        headers=as_user("pendamping.kebonjayanti"),
    )
    assert referral.status_code == 422
    assert {tuple(e["loc"]) for e in referral.json()["detail"]} == {("body", "household_id"), ("body", "program_id")}


def test_a_capacity_no_column_holds_shows_the_form_again_with_the_message(client: TestClient, session: Session) -> None:
    before = session.exec(select(func.count()).select_from(Program)).one()
    page_sign_in(client, "dinsos.bandung")
    fields = setting(read_form(client.get(NEW + "?lang=en").text), name="Pelatihan Raksasa", capacity=str(HUGE))
    response = post(client, NEW, fields, "draft")
    assert response.status_code == 422, response.text[:300]
    assert error_of(response.text, "capacity") == "At most 1,000,000,000,000,000."
    kept = dict(read_form(response.text))
    assert kept["name"] == "Pelatihan Raksasa"
    assert kept["capacity"] == str(HUGE)
    assert session.exec(select(func.count()).select_from(Program)).one() == before
