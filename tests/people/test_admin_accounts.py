"""Accounts in the web for administrators (#12.5): creating an account for each role, resetting a
password to a temporary one the person must replace, deactivating; the own-password page."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Facilitator, FacilitatorVillage
from models.network import Forum
from models.organizations import Organization
from models.users import AuditEvent, User
from tests.conftest import DEMO_PASSWORDS, login_form, sign_in

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
TEMPORARY = re.compile(r"<code data-temporary-password>([a-z0-9-]+)</code>")
NEW_PASSWORD = "kata-sandi-sendiri-2026"
NON_ADMINS = ("pendamping.kebonjayanti", "dinsos.bandung", "forum.bandung")


def page_sign_in(client: TestClient, username: str, password: str | None = None) -> Any:
    return client.post(
        "/login",
        data={"username": username, "password": password or DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )


def csrf_of(client: TestClient, path: str = "/") -> str:
    return CSRF.findall(client.get(path).text)[-1]


def admin_client(app: FastAPI) -> TestClient:
    client = TestClient(app)
    assert page_sign_in(client, "admin").status_code == 303
    return client


def create(admin: TestClient, **fields: str) -> Any:
    return admin.post("/admin/akun/baru", data={"csrf": csrf_of(admin, "/admin/akun/baru"), **fields})


def set_new_password(client: TestClient, current: str, new: str = NEW_PASSWORD) -> Any:
    return client.post(
        "/akun/sandi",
        data={"csrf": csrf_of(client, "/akun/sandi"), "current": current, "new": new, "confirm": new},
        follow_redirects=False,
    )


def _links(session: Session) -> dict[str, Any]:
    return {
        "facilitator_id": session.exec(select(Facilitator.id).where(Facilitator.name == "Nenden Sri Rahayu")).one(),
        "organization_id": session.exec(
            select(Organization.id).where(Organization.name == "Dinas Sosial Kota Bandung")
        ).one(),
        "forum_id": session.exec(select(Forum.id).where(Forum.region_code == "32.73")).first(),
    }


@pytest.mark.parametrize(
    ("role", "link", "home_word"),
    [
        ("admin", None, "Administrator"),
        ("facilitator", "facilitator_id", "Nenden Sri Rahayu"),
        ("agency_staff", "organization_id", "Dinas Sosial Kota Bandung"),
        ("forum_organizer", "forum_id", "KOTA BANDUNG"),
    ],
)
def test_admin_creates_an_account_that_signs_in_and_must_choose_its_password(
    app: FastAPI, session: Session, role: str, link: str | None, home_word: str, caplog: pytest.LogCaptureFixture
) -> None:
    admin = admin_client(app)
    fields = {"username": f"baru.{role}", "full_name": "Akun Uji Baru", "role": role}
    if link:
        fields[link] = str(_links(session)[link])
    with caplog.at_level(logging.DEBUG):
        created = create(admin, **fields)
    assert created.status_code == 200, created.text
    assert created.headers["cache-control"] == "no-store"
    temporary = TEMPORARY.search(created.text)
    assert temporary is not None
    password = temporary.group(1)
    assert password not in caplog.text

    person = TestClient(app)
    signed = page_sign_in(person, f"baru.{role}", password)
    assert signed.status_code == 303 and signed.headers["location"] == "/akun/sandi"
    home = person.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/akun/sandi"
    token = person.post("/api/v1/auth/token", data={"username": f"baru.{role}", "password": password})
    assert token.status_code == 403 and "new password" in token.json()["detail"]
    assert "Buat kata sandi baru" in person.get("/akun/sandi").text

    assert set_new_password(person, password).status_code == 303
    after = person.get("/")
    assert after.status_code == 200 and home_word in after.text
    assert (
        person.post("/api/v1/auth/token", data={"username": f"baru.{role}", "password": NEW_PASSWORD}).status_code
        == 200
    )

    new_id = session.exec(select(User.id).where(User.username == f"baru.{role}")).one()
    admin_id = session.exec(select(User.id).where(User.username == "admin")).one()
    created_event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity_id == str(new_id))
    ).one()
    assert created_event.actor_user_id == admin_id and created_event.detail == {"role": role}
    assert password not in str(created_event.detail) and NEW_PASSWORD not in caplog.text


def test_admin_creates_a_facilitator_account_with_a_new_facilitator_record(app: FastAPI, session: Session) -> None:
    admin = admin_client(app)
    created = create(
        admin,
        username="pendamping.baru",
        role="facilitator",
        facilitator_id="baru",
        f_name="Pendamping Baru Uji",
        f_education="social_work",
        f_region="32.73",
        f_villages="32.73.16.1002, 32.73.16.1003",
    )
    assert created.status_code == 200, created.text
    assert "Pendamping Baru Uji" in created.text
    record = session.exec(select(Facilitator).where(Facilitator.name == "Pendamping Baru Uji")).one()
    villages = session.exec(
        select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == record.id)
    )
    assert sorted(villages) == ["32.73.16.1002", "32.73.16.1003"]
    account = session.exec(select(User).where(User.username == "pendamping.baru")).one()
    assert account.facilitator_id == record.id and account.must_change_password

    bad_village = create(
        admin, username="pendamping.lain", role="facilitator", facilitator_id="baru", f_name="X", f_villages="99.99"
    )
    assert bad_village.status_code == 422 and "Data pendamping baru" in bad_village.text
    assert session.exec(select(User).where(User.username == "pendamping.lain")).first() is None


def test_create_form_says_what_to_fix(app: FastAPI, session: Session) -> None:
    admin = admin_client(app)
    taken = create(admin, username="forum.bandung", role="admin")
    assert taken.status_code == 409 and "sudah dipakai" in taken.text
    bad_name = create(admin, username="Nama Besar!", role="admin")
    assert bad_name.status_code == 422 and "Nama pengguna harus" in bad_name.text
    no_link = create(admin, username="lembaga.tanpa", role="agency_staff")
    assert no_link.status_code == 422 and "sesuai dengan peran" in no_link.text
    unknown_link = create(admin, username="lembaga.hilang", role="agency_staff", organization_id="999999")
    assert unknown_link.status_code == 422 and "sesuai dengan peran" in unknown_link.text
    assert create(admin, username="peran.aneh", role="raja").status_code == 422
    assert 'value="lembaga.hilang"' in unknown_link.text  # what was typed stays in the form
    assert session.exec(select(User).where(User.username.in_(["lembaga.tanpa", "lembaga.hilang"]))).first() is None


def _user_id(session: Session, username: str) -> int:
    return int(session.exec(select(User.id).where(User.username == username)).one())


def test_reset_ends_sessions_and_forces_a_new_password_at_next_sign_in(
    app: FastAPI, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    person = TestClient(app)
    assert page_sign_in(person, "pendamping.kebonjayanti").status_code == 303
    api = sign_in(person, "pendamping.kebonjayanti")
    uid = _user_id(session, "pendamping.kebonjayanti")
    admin = admin_client(app)

    unconfirmed = admin.post(f"/admin/akun/{uid}/reset", data={"csrf": csrf_of(admin, f"/admin/akun/{uid}")})
    assert unconfirmed.status_code == 422 and "Centang kotak konfirmasi" in unconfirmed.text
    assert person.get("/kpm").status_code == 200  # nothing happened yet

    with caplog.at_level(logging.DEBUG):
        reset = admin.post(f"/admin/akun/{uid}/reset", data={"csrf": csrf_of(admin), "confirm": "ya"})
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    match = TEMPORARY.search(reset.text)
    assert match is not None
    temporary = match.group(1)
    assert temporary not in caplog.text

    # Old sessions are dead: the API token and the page cookie.
    assert person.get("/api/v1/me", headers=api).status_code == 401
    assert person.get("/kpm", follow_redirects=False).headers["location"].startswith("/login")
    assert page_sign_in(person, "pendamping.kebonjayanti").status_code == 401  # the old password is gone

    assert page_sign_in(person, "pendamping.kebonjayanti", temporary).headers["location"] == "/akun/sandi"
    for path in ("/", "/kpm", "/rujukan", "/jejaring"):
        moved = person.get(path, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (303, "/akun/sandi"), path
    assert person.get("/maps/gaps?region=32.73&format=geojson").status_code == 403
    cookie_as_bearer = {"Authorization": f"Bearer {person.cookies.get('jejaring_session')}"}
    assert person.get("/api/v1/me", headers=cookie_as_bearer).status_code == 403

    short = set_new_password(person, temporary, new="pendek")
    assert short.status_code == 422 and "minimal 8 karakter" in short.text
    assert set_new_password(person, temporary).status_code == 303
    assert person.get("/kpm").status_code == 200
    assert person.get("/api/v1/me", headers=cookie_as_bearer).status_code == 200

    admin_id = _user_id(session, "admin")
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(uid))).all()
    reset_event = next(e for e in events if e.action == "password_reset")
    assert reset_event.actor_user_id == admin_id and reset_event.detail["sessions_revoked"] == 2
    assert any(e.action == "password_change" and e.actor_user_id == uid for e in events)
    assert any(e.action == "login_refused" for e in session.exec(select(AuditEvent)).all()) is False


def test_api_token_for_an_account_that_must_change_its_password_is_refused(app: FastAPI, session: Session) -> None:
    admin = admin_client(app)
    uid = _user_id(session, "dinsos.bandung")
    reset = admin.post(f"/admin/akun/{uid}/reset", data={"csrf": csrf_of(admin), "confirm": "ya"})
    match = TEMPORARY.search(reset.text)
    assert match is not None
    refused = admin.post("/api/v1/auth/token", data={"username": "dinsos.bandung", "password": match.group(1)})
    assert refused.status_code == 403
    assert "/akun/sandi" in refused.json()["detail"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "login_refused")).one()
    assert event.entity_id == str(uid) and event.outcome == "denied"


def test_deactivated_account_cannot_sign_in(app: FastAPI, session: Session) -> None:
    person = TestClient(app)
    api = sign_in(person, "forum.bandung")
    uid = _user_id(session, "forum.bandung")
    admin = admin_client(app)
    detail = admin.get(f"/admin/akun/{uid}")
    assert detail.status_code == 200 and "forum.bandung" in detail.text

    done = admin.post(
        f"/admin/akun/{uid}/nonaktifkan", data={"csrf": csrf_of(admin), "confirm": "ya"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "Akun dinonaktifkan" in admin.get(done.headers["location"]).text
    assert person.get("/api/v1/me", headers=api).status_code == 401
    assert page_sign_in(person, "forum.bandung").status_code == 401
    token = person.post("/api/v1/auth/token", data={"username": "forum.bandung", "password": "forum-demo-2026"})
    assert token.status_code == 401
    again = admin.post(f"/admin/akun/{uid}/nonaktifkan", data={"csrf": csrf_of(admin), "confirm": "ya"})
    assert again.status_code == 409
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "deactivate")).one()
    assert event.entity_id == str(uid) and event.actor_user_id == _user_id(session, "admin")

    inactive = admin.get("/admin/akun?role=forum_organizer")
    row = re.search(rf'<tr data-user="{uid}">.*?</tr>', inactive.text, re.S)
    assert row is not None and "Tidak" in row.group(0)


def test_admin_cannot_deactivate_or_reset_their_own_account(app: FastAPI, session: Session) -> None:
    admin = admin_client(app)
    uid = _user_id(session, "admin")
    for action in ("nonaktifkan", "reset"):
        refused = admin.post(f"/admin/akun/{uid}/{action}", data={"csrf": csrf_of(admin), "confirm": "ya"})
        assert refused.status_code == 422, action
    assert admin.get("/").status_code == 200


def test_account_list_filters_by_role_and_pages(app: FastAPI) -> None:
    admin = admin_client(app)
    everyone = admin.get("/admin/akun")
    assert everyone.status_code == 200
    for username in ("admin", "pendamping.kebonjayanti", "dinsos.bandung", "forum.bandung"):
        assert f">{username}</a>" in everyone.text
    facilitators = admin.get("/admin/akun?role=facilitator")
    assert ">pendamping.kebonjayanti</a>" in facilitators.text and ">dinsos.bandung</a>" not in facilitators.text
    assert "Nenden Sri Rahayu" in facilitators.text  # the link's name
    assert admin.get("/admin/akun?role=raja").status_code == 422
    assert admin.get("/admin/akun?hal=0").status_code == 422
    assert admin.get("/admin/akun?hal=99").status_code == 200  # past the end: the last page
    assert admin.get("/admin/akun/999999").status_code == 404
    assert 'href="/admin/akun"' in admin.get("/").text  # linked from the admin's home page


@pytest.mark.parametrize("username", NON_ADMINS)
def test_every_admin_page_refuses_other_roles(app: FastAPI, session: Session, username: str) -> None:
    client = TestClient(app)
    assert page_sign_in(client, username).status_code == 303
    uid = _user_id(session, "forum.bandung")
    for path in ("/admin/akun", "/admin/akun/baru", f"/admin/akun/{uid}", "/admin/pindah-kpm"):
        assert client.get(path).status_code == 403, path
    csrf = csrf_of(client)
    posts = {
        "/admin/akun/baru": {"username": "penyusup", "role": "admin"},
        f"/admin/akun/{uid}/reset": {"confirm": "ya"},
        f"/admin/akun/{uid}/nonaktifkan": {"confirm": "ya"},
    }
    for path, data in posts.items():
        assert client.post(path, data={"csrf": csrf, **data}).status_code == 403, path
    assert session.exec(select(User).where(User.username == "penyusup")).first() is None
    session.expire_all()
    assert session.exec(select(User.is_active).where(User.id == uid)).one() is True


def test_anyone_changes_their_own_password_with_the_current_one(app: FastAPI, session: Session) -> None:
    here, elsewhere = TestClient(app), TestClient(app)
    for client in (here, elsewhere):
        assert page_sign_in(client, "dinsos.bandung").status_code == 303
    current = DEMO_PASSWORDS["dinsos.bandung"]
    wrong = set_new_password(here, "bukan-sandi-ini")
    assert wrong.status_code == 422 and "tidak cocok" in wrong.text
    mismatch = here.post(
        "/akun/sandi",
        data={
            "csrf": csrf_of(here, "/akun/sandi"),
            "current": current,
            "new": NEW_PASSWORD,
            "confirm": "lain-lagi-123",
        },
    )
    assert mismatch.status_code == 422 and "tidak sama" in mismatch.text
    same = set_new_password(here, current, new=current)
    assert same.status_code == 422
    no_token = here.post("/akun/sandi", data={"current": current, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert no_token.status_code == 403

    changed = set_new_password(here, current)
    assert changed.status_code == 303 and changed.headers["location"] == "/"
    assert here.get("/lembaga/program").status_code == 200  # this session goes on
    assert elsewhere.get("/lembaga/program", follow_redirects=False).status_code == 303  # the other one ended
    assert page_sign_in(TestClient(app), "dinsos.bandung", NEW_PASSWORD).status_code == 303
    assert TestClient(app).get("/akun/sandi", follow_redirects=False).headers["location"].startswith("/login")


OPEN_PAGES = {"/login", "/about", "/akun/sandi", "/lang/{code}", "/healthz"}


def test_no_page_works_until_a_temporary_password_is_replaced(app: FastAPI, session: Session) -> None:
    """Every page of the app (a new page too: it is read from the routes) sends an account with a
    pending password change to /akun/sandi; the maps answer 403."""
    from fastapi.routing import iter_route_contexts

    admin = session.exec(select(User).where(User.username == "admin")).one()
    admin.must_change_password = True
    session.add(admin)
    session.commit()
    client = TestClient(app)
    assert page_sign_in(client, "admin").headers["location"] == "/akun/sandi"
    pages = sorted(
        str(context.path)
        for context in iter_route_contexts(app.routes)
        if "GET" in (context.methods or ())
        and not str(context.path).startswith(("/api/", "/hsds", "/maps/", "/docs", "/redoc", "/openapi"))
        and str(context.path) not in OPEN_PAGES
    )
    assert {"/", "/kpm", "/admin/akun", "/admin/pindah-kpm", "/forum", "/lembaga/program"} <= set(pages)
    for path in pages:
        moved = client.get(re.sub(r"\{[a-z_]+\}", "1", path), follow_redirects=False)
        assert (moved.status_code, moved.headers.get("location")) == (303, "/akun/sandi"), path
    assert client.get("/maps/stakeholders?region=32.73&format=geojson").status_code == 403
