"""Server-rendered pages: sign-in, a home per role, language, weight on the wire."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_PASSWORDS, login_form


def page_sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_home_redirects_to_sign_in_when_signed_out(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_sign_in_page_speaks_indonesian_by_default_and_english_on_request(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text and "Kata sandi" in page.text
    english = client.get("/login?lang=en")
    assert '<html lang="en">' in english.text and "Password" in english.text
    # The choice sticks (cookie) for the next page.
    assert '<html lang="en">' in client.get("/about").text
    switched = client.get("/lang/id?next=/about", follow_redirects=True)
    assert '<html lang="id">' in switched.text


def test_language_switch_never_redirects_off_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_wrong_password_shows_an_error_without_saying_which_part(client: TestClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": "salah-sekali", **login_form(client)})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert "jejaring_session" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("admin", ["Administrator", "KPM"]),
        ("pendamping.kebonjayanti", ["Pendamping sosial", "KPM dampingan", "Kebon Jayanti", "Kelompok"]),
        ("dinsos.bandung", ["Dinas Sosial Kota Bandung", "Program"]),
        ("forum.bandung", ["Pengelola forum", "KOTA BANDUNG", "Dinas Koperasi dan UMKM Kota Bandung"]),
    ],
)
def test_each_role_gets_its_home_page(client: TestClient, username: str, words: list[str]) -> None:
    page_sign_in(client, username)
    page = client.get("/")
    assert page.status_code == 200
    for word in words:
        assert word in page.text, word


def test_facilitator_home_counts_the_caseload(client: TestClient) -> None:
    page_sign_in(client, "pendamping.kebonjayanti")
    page = client.get("/").text
    assert 'data-figure="caseload">350<' in page


def test_pages_stay_light_for_weak_signal(client: TestClient) -> None:
    page_sign_in(client, "pendamping.kebonjayanti")
    for path in ("/", "/about", "/static/app.css"):
        raw = client.get(path).content
        assert len(gzip.compress(raw)) < 200_000, path
        assert len(raw) < 200_000, path


def test_sign_out_needs_the_form_token(client: TestClient) -> None:
    page_sign_in(client, "admin")
    for forged in ("forged", "tokén-à-la-main"):
        refused = client.post("/logout", data={"csrf": forged}, follow_redirects=False)
        assert refused.status_code == 403, forged
    assert client.get("/", follow_redirects=False).status_code == 200
    home = client.get("/").text
    token = home.split('name="csrf" value="')[1].split('"')[0]
    done = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_about_page_attributes_the_region_data(client: TestClient) -> None:
    page = client.get("/about").text
    assert "idn-area-data" in page and "ODbL" in page


def test_agency_home_speaks_words_not_codes_and_links_the_agency_pages(client: TestClient) -> None:
    page_sign_in(client, "dinsos.bandung")
    home = client.get("/").text
    assert '<span class="sbadge s-active">Aktif</span>' in home
    for code in (">active<", ">capital_grant<", ">training<", ">draft<"):
        assert code not in home, code
    for link in ('href="/lembaga/program"', 'href="/lembaga/permintaan"', 'href="/rujukan"'):
        assert link in home
