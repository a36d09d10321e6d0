"""A NUL character typed or sent to a page is refused with a message, never a 500 (PostgreSQL
cannot store or compare text holding one)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from models.organizations import Program
from models.referrals import ReferralStatus
from tests.conftest import login_form
from tests.web.test_agency_pages import NEW, error_of, post, read_form, setting
from tests.web.test_agency_pages import sign_in as page_sign_in
from tests.web.test_referral_pages import DINSOS, move, refer_prse_woman, status_of


def test_a_nul_character_in_a_page_search_is_refused(client: TestClient) -> None:
    page_sign_in(client, "pendamping.kebonjayanti")
    for url in ("/kpm?q=Ibu%00", "/kpm/skrining?q=%00", "/rujukan?status=%00", "/kpm?desa=32%00"):
        response = client.get(url)
        assert response.status_code in (200, 422), (url, response.status_code)


def test_a_nul_character_in_the_sign_in_form_is_refused(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": "admin\x00", "password": "x", **login_form(client)}, follow_redirects=False
    )
    assert response.status_code in (401, 422), response.status_code


def test_a_nul_character_in_the_programme_form_is_named_at_its_field(client: TestClient, session: Session) -> None:
    before = session.exec(select(func.count()).select_from(Program)).one()
    page_sign_in(client, "dinsos.bandung")
    fields = setting(read_form(client.get(NEW + "?lang=en").text), name="Pelatihan\x00 Uji")
    response = post(client, NEW, fields, "draft")
    assert response.status_code == 422
    assert error_of(response.text, "name") == "Text cannot contain the NUL character."
    assert session.exec(select(func.count()).select_from(Program)).one() == before


def test_a_nul_character_in_the_sign_in_api_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "admin\x00", "password": "x", **login_form(client)})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "username"]


def test_a_nul_character_in_a_referral_note_is_refused_with_a_message(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    page_sign_in(client, DINSOS)
    response = move(client, rid, "accepted", note="Wawancara\x00 Senin")
    assert response.status_code == 422
    assert "NUL" in response.text
    assert status_of(session, rid) is ReferralStatus.sent
