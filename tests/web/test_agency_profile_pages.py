"""The agency's own profile and service points from the web (#13, item 6), and the forum
invitations on the forum dashboard and the agency's home page (item 3), with a cookie sign-in."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.invitations import ForumInvitation
from models.network import Forum, ForumMember, PartyKind
from models.organizations import Location, Organization
from models.users import Role
from tests import factories
from tests.conftest import login_form
from tests.factories import PASSWORD
from tests.web.test_agency_pages import FormReader, error_of, send, setting, sign_in

DINSOS = "Dinas Sosial Kota Bandung"
KUMKM = "Dinas Koperasi dan UMKM Kota Bandung"


class AnyForm(FormReader):
    """The fields of the form ``form_id`` (or of the first form) in the HTML given."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__()
        self.form_id = form_id

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form" and not self.fields and self.form_id in (None, dict(attrs).get("id")):
            self.in_form = True
        super().handle_starttag(tag, attrs)


def read_form(html: str, form_id: str | None = None) -> list[tuple[str, str]]:
    reader = AnyForm(form_id)
    reader.feed(html)
    assert reader.fields, "no form in the HTML"
    return reader.fields


def org(session: Session, name: str) -> Organization:
    return session.exec(select(Organization).where(Organization.name == name)).one()


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def sign_in_as(client: TestClient, username: str, password: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": password, **login_form(client)}, follow_redirects=False
    )
    assert response.status_code == 303


def test_the_home_page_links_everything_and_shows_labels(client: TestClient) -> None:
    sign_in(client, "dinsos.bandung")
    page = client.get("/")
    assert page.status_code == 200
    for link in ("/lembaga/profil", "/lembaga/lokasi/baru", "/lembaga/program", "/lembaga/program/baru",
                 "/lembaga/permintaan", "/rujukan"):  # fmt: skip
        assert f'href="{link}"' in page.text, link
    words = text_of(page.text)
    assert "Dinas/instansi pemerintah" in words and "government_agency" not in words
    assert "capital_grant" not in words and "active" not in re.findall(r">\s*(\w+)\s*<", page.text)


def test_staff_edit_their_profile_and_the_name_change_drops_verification(client: TestClient, session: Session) -> None:
    sign_in(client, "dinsos.bandung")
    dinsos = org(session, DINSOS)
    page = client.get("/lembaga/profil")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Dinas/instansi pemerintah" in words and "Kota Bandung" in words
    fields = read_form(page.text, "profile-form")
    saved = send(client, "/lembaga/profil", setting(fields, description="Layanan sosial dan pemberdayaan KPM.",
                                                     phone="022-4230000"))  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].endswith("ok=profile")
    session.refresh(dinsos)
    assert dinsos.description == "Layanan sosial dan pemberdayaan KPM." and dinsos.phone == "022-4230000"
    assert "Profil disimpan." in client.get(saved.headers["location"]).text
    # A bad e-mail is named at its field; the stale form answers 409.
    fresh = read_form(client.get("/lembaga/profil").text, "profile-form")
    bad = send(client, "/lembaga/profil", setting(fresh, email="bukan surel"))
    assert bad.status_code == 422 and error_of(bad.text, "email")
    stale = send(client, "/lembaga/profil", setting(fields, description="lama"))
    assert stale.status_code == 409
    # Renamed by staff: the verification mark goes until checked again.
    dinsos.verified_at, dinsos.verified_by = factories.utcnow(), 1
    session.add(dinsos)
    session.commit()
    fresh = read_form(client.get("/lembaga/profil").text, "profile-form")
    assert send(client, "/lembaga/profil", setting(fresh, name="Dinas Sosial Kota Bandung (DP3A)")).status_code == 303
    session.refresh(dinsos)
    assert dinsos.name.endswith("(DP3A)") and dinsos.verified_at is None
    assert not [n for n, _ in fresh if n in ("kind", "region_code")]  # admins' fields are not in the form


def test_staff_add_edit_and_close_a_service_point(client: TestClient, session: Session) -> None:
    sign_in(client, "dinsos.bandung")
    dinsos = org(session, DINSOS)
    form = read_form(client.get("/lembaga/lokasi/baru").text, "location-form")
    assert ("region_code", "32.73") in form
    fields = setting(form, name="Pos Layanan Sukapura", region_code="32.73.16.1002", address="Jl. Sukapura 3",
                     latitude="-6,9190", longitude="107.6470", phone="022-7300000", opens_mo="08:00",
                     closes_mo="15:00", opens_sa="09:00", closes_sa="12:00")  # fmt: skip
    added = send(client, "/lembaga/lokasi/baru", [*fields, ("action", "save")])
    assert added.status_code == 303, added.text
    loc = session.exec(select(Location).where(Location.name == "Pos Layanan Sukapura")).one()
    assert loc.organization_id == dinsos.id and loc.latitude == pytest.approx(-6.919)
    assert loc.opening_hours == [{"day": "mo", "opens": "08:00", "closes": "15:00"},
                                 {"day": "sa", "opens": "09:00", "closes": "12:00"}]  # fmt: skip
    profile = text_of(client.get("/lembaga/profil").text)
    assert "Pos Layanan Sukapura" in profile and "Sen 08:00–15:00 · Sab 09:00–12:00" in profile

    url = f"/lembaga/lokasi/{loc.id}"
    shown = read_form(client.get(url).text, "location-form")
    half = send(client, url, [*setting(shown, closes_sa=""), ("action", "save")])
    assert half.status_code == 422 and error_of(half.text, "hours_sa")
    backwards = send(client, url, [*setting(shown, opens_mo="16:00"), ("action", "save")])
    assert backwards.status_code == 422 and "Jam tutup harus setelah jam buka" in error_of(backwards.text, "hours_mo")
    unknown = send(client, url, [*setting(shown, region_code="32.73.99.9999"), ("action", "save")])
    assert unknown.status_code == 422 and error_of(unknown.text, "region_code")
    edited = send(client, url, [*setting(shown, phone="022-7300001", opens_sa="", closes_sa=""), ("action", "save")])
    assert edited.status_code == 303
    session.refresh(loc)
    assert loc.phone == "022-7300001" and [h["day"] for h in loc.opening_hours or []] == ["mo"]

    shown = read_form(client.get(url).text, "location-form")
    closed = send(client, url, [*shown, ("action", "close")])
    assert closed.status_code == 303 and closed.headers["location"].endswith("ok=closed")
    session.refresh(loc)
    assert loc.closed_on is not None
    assert "Tutup sejak" in text_of(client.get("/lembaga/profil").text)
    shown = read_form(client.get(url).text, "location-form")
    assert send(client, url, [*shown, ("action", "reopen")]).status_code == 303
    session.refresh(loc)
    assert loc.closed_on is None


def test_another_organisations_service_point_answers_404(client: TestClient, session: Session) -> None:
    sign_in(client, "dinsos.bandung")
    theirs = session.exec(
        select(Location)
        .join(Organization)
        .where(Organization.name == "Suku Dinas Sosial Kota Administrasi Jakarta Timur")
    ).first()
    assert theirs is not None
    assert client.get(f"/lembaga/lokasi/{theirs.id}").status_code == 404
    ours = session.exec(select(Location).join(Organization).where(Organization.name == DINSOS)).first()
    assert ours is not None
    form = read_form(client.get(f"/lembaga/lokasi/{ours.id}").text, "location-form")
    taken = send(
        client, f"/lembaga/lokasi/{theirs.id}", [*setting(form, version=str(theirs.version)), ("action", "close")]
    )
    assert taken.status_code == 404
    session.refresh(theirs)
    assert theirs.closed_on is None


@pytest.mark.parametrize("username", ["pendamping.kebonjayanti", "forum.bandung"])
def test_other_roles_get_a_403_page(client: TestClient, username: str) -> None:
    sign_in(client, username)
    assert client.get("/lembaga/profil").status_code == 403
    assert client.get("/lembaga/lokasi/baru").status_code == 403


def test_the_organiser_invites_from_the_dashboard_and_the_staff_accept_on_their_home_page(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "forum.bandung")
    forum = session.exec(select(Forum).where(Forum.region_code == "32.73")).one()
    kumkm = org(session, KUMKM)
    board = client.get("/forum")
    assert board.status_code == 200
    row = re.search(rf'<div class="invite" data-invite="{kumkm.id}">(.*?)</div>', board.text, re.S)
    assert row and "Undang" in row.group(1)
    fields = read_form(row.group(1))
    invited = send(client, "/forum/undangan", fields)
    assert invited.status_code == 303 and invited.headers["location"].endswith("#undangan")
    board = client.get(invited.headers["location"].split("#")[0])
    row = re.search(rf'<div class="invite" data-invite="{kumkm.id}">(.*?)</div>', board.text, re.S)
    assert row and "Undangan terkirim" in row.group(1) and "<form" not in row.group(1)
    assert send(client, "/forum/undangan", fields).status_code == 409

    staff = factories.user(session, Role.agency_staff, organization=kumkm)
    session.commit()
    client.cookies.clear()
    sign_in_as(client, staff.username, PASSWORD)
    home = client.get("/")
    assert forum.name in home.text and "Terima" in home.text
    invitation = session.exec(select(ForumInvitation)).one()
    answer = re.search(rf'<form method="post" action="/lembaga/undangan/{invitation.id}".*?</form>', home.text, re.S)
    assert answer
    csrf = dict(read_form(answer.group(0)))["csrf"]
    done = send(client, f"/lembaga/undangan/{invitation.id}", [("csrf", csrf), ("status", "accepted")])
    assert done.status_code == 303
    assert "kini anggota forum" in client.get("/?ok=invitation_accepted").text
    assert session.get(ForumMember, (forum.id, PartyKind.organization, kumkm.id)) is not None
    # Dinas Sosial's staff cannot answer it.
    client.cookies.clear()
    sign_in(client, "dinsos.bandung")
    csrf = dict(read_form(client.get("/lembaga/profil").text, "profile-form"))["csrf"]
    assert (
        send(client, f"/lembaga/undangan/{invitation.id}", [("csrf", csrf), ("status", "declined")]).status_code == 404
    )
