"""Over-long text is refused where it is written (422 naming the field), so every read of the
record keeps working: the response models' limits are the write schemas' limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.organizations import Organization, Program
from models.users import User
from tests.web.test_agency_pages import error_of, post, read_form, setting
from tests.web.test_agency_pages import sign_in as page_sign_in

Headers = Callable[[str], dict[str, str]]
FACILITATOR = "pendamping.kebonjayanti"
STAFF = "dinsos.bandung"
LONG = "8" * 5000


def my_household(session: Session) -> Household:
    user = session.exec(select(User).where(User.username == FACILITATOR)).one()
    return session.exec(
        select(Household).where(Household.facilitator_id == user.facilitator_id).order_by(Household.id)
    ).first()  # type: ignore[return-value]


def staff_program(session: Session) -> Program:
    org = session.exec(select(Organization).where(Organization.name == "Dinas Sosial Kota Bandung")).one()
    return session.exec(select(Program).where(Program.organization_id == org.id).order_by(Program.id)).first()  # type: ignore[return-value]


def test_an_over_long_phone_is_refused_and_the_household_still_reads(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    household = my_household(session)
    me = as_user(FACILITATOR)
    url = f"/api/v1/households/{household.id}"
    response = client.patch(url, json={"version": household.version, "phone": LONG}, headers=me)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "phone"]
    assert "40" in error["msg"]
    assert client.get(url, headers=me).status_code == 200
    assert client.get("/api/v1/households", headers=me).status_code == 200
    page_sign_in(client, FACILITATOR)
    assert client.get(f"/kpm/{household.id}").status_code == 200
    assert client.get("/kpm").status_code == 200
    session.expire_all()
    assert session.get(Household, household.id).phone != LONG  # type: ignore[union-attr]


def test_a_phone_at_the_limit_is_stored_and_read_back(client: TestClient, session: Session, as_user: Headers) -> None:
    household = my_household(session)
    me = as_user(FACILITATOR)
    url = f"/api/v1/households/{household.id}"
    response = client.patch(url, json={"version": household.version, "phone": "8" * 40}, headers=me)
    assert response.status_code == 200, response.text
    assert client.get(url, headers=me).json()["phone"] == "8" * 40
    assert client.get("/api/v1/households", headers=me).status_code == 200


@pytest.mark.parametrize("username", ["admin", FACILITATOR, STAFF, "forum.bandung"])
def test_an_over_long_programme_description_is_refused_and_the_catalogue_still_reads(
    client: TestClient, session: Session, as_user: Headers, username: str
) -> None:
    program = staff_program(session)
    response = client.patch(
        f"/api/v1/programs/{program.id}",
        json={"version": program.version, "description": LONG},
        headers=as_user(STAFF),
    )
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "description"]]
    listed = client.get("/api/v1/programs", params={"limit": 500}, headers=as_user(username))
    assert listed.status_code == 200, listed.text


def test_an_over_long_description_on_the_programme_form_is_named_and_the_form_kept(
    client: TestClient, session: Session
) -> None:
    program = staff_program(session)
    page_sign_in(client, STAFF)
    url = f"/lembaga/program/{program.id}"
    fields = setting(read_form(client.get(url + "?lang=en").text), description=LONG, name="Nama Baru Uji")
    response = post(client, url, fields, "draft")
    assert response.status_code == 422, response.text[:500]
    assert error_of(response.text, "description") == "At most 4,000 characters."
    kept = dict(read_form(response.text))
    assert kept["name"] == "Nama Baru Uji"
    assert kept["description"].strip() == LONG
    session.expire_all()
    assert session.get(Program, program.id).description != LONG  # type: ignore[union-attr]
    assert client.get("/lembaga/program").status_code == 200


def test_a_web_address_that_outgrows_its_column_once_written_out_is_refused(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    """Found by schemathesis: 500 characters as sent, 501 once pydantic adds the path's ``/``."""
    org = session.exec(select(Organization)).first()
    assert org is not None
    url = "https://" + ".".join(["a" * 60] * 7) + "." + "b" * (500 - 8 - 61 * 7)
    assert len(url) == 500
    body = {"organization_id": org.id, "name": "Pelatihan", "kind": "training", "source_url": url}
    response = client.post("/api/v1/programs", json=body, headers=as_user("admin"))
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"][0]["loc"] == ["body", "source_url"]
    assert client.get("/api/v1/programs", headers=as_user("admin")).status_code == 200
