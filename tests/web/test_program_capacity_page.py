"""The agency's programme form and capacity (#15.2): a form read before an enrolment is refused
when saved (409, the programme as it now stands), and a capacity below the families enrolled now
is refused at its field, in the page language, with nothing stored."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.organizations import Program
from tests.api.test_program_capacity import STAFF, enrolled, one_place_two_referrals
from tests.api.test_referrals import move
from tests.web.test_agency_pages import error_of, field_value, post, read_form, setting, sign_in

Headers = Callable[[str], dict[str, str]]


def test_a_form_read_before_an_enrolment_cannot_write_the_old_capacity_back(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid, (first, second) = one_place_two_referrals(client, session, as_user)
    sign_in(client, STAFF)
    fields = read_form(client.get(f"/lembaga/program/{pid}").text)
    assert field_value(fields, "capacity_remaining") == ["1"]

    assert move(client, as_user(STAFF), first, status="enrolled").status_code == 200
    # The form, opened before the enrolment, is saved with a new description and its old numbers.
    response = post(client, f"/lembaga/program/{pid}", setting(fields, description="Jadwal baru"), "save_status")
    assert response.status_code == 409, response.text[:2000]
    assert "Program ini diubah orang lain; muat ulang." in response.text
    session.expire_all()
    stored = session.get(Program, pid)
    assert stored is not None and stored.capacity_remaining == 0 and stored.description != "Jadwal baru"
    full = move(client, as_user(STAFF), second, status="enrolled")
    assert full.status_code == 409
    assert enrolled(session, pid) == 1


def test_the_form_refuses_fewer_places_than_families_enrolled_at_the_field(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid, (first, _) = one_place_two_referrals(client, session, as_user)
    assert move(client, as_user(STAFF), first, status="enrolled").status_code == 200
    sign_in(client, STAFF)
    fields = read_form(client.get(f"/lembaga/program/{pid}").text)
    assert field_value(fields, "capacity_remaining") == ["0"]

    response = post(client, f"/lembaga/program/{pid}", setting(fields, capacity_remaining="1"), "save_status")
    assert response.status_code == 422
    assert error_of(response.text, "capacity_remaining") == (
        "Paling banyak 0 bisa tersisa: keluarga yang terdaftar sekarang memakai 1 dari kapasitas 1."
    )
    assert field_value(read_form(response.text), "capacity_remaining") == ["1"], "what was typed is still there"

    client.cookies.set("jejaring_lang", "en")
    response = post(client, f"/lembaga/program/{pid}", setting(fields, capacity="0"), "save_status")
    assert response.status_code == 422
    assert error_of(response.text, "capacity") == (
        "The capacity cannot be less than 1: the places held by families enrolled now."
    )
    session.expire_all()
    stored = session.get(Program, pid)
    assert stored is not None and (stored.capacity, stored.capacity_remaining) == (1, 0)
