"""The forum's own pages through the TestClient with a cookie sign-in: the organiser of Kota
Bandung's forum adds Forum CSR as a member, plans work, records a meeting with attendance and
Forum CSR's commitment, follows it up, prints it and exports it to XLSX."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.forums import Commitment
from models.households import Facilitator
from models.network import Forum
from models.organizations import Organization
from tests.conftest import DEMO_PASSWORDS, login_form
from tests.matrix.world import DINSOS_BANDUNG, FORUM_CSR, KEBON_JAYANTI_FACILITATOR

ORGANISER = "forum.bandung"
BANDUNG_FORUM = "Forum Sinergi Kreatif Kota Bandung"
JAKTIM_FORUM = "Forum Pemberdayaan Ekonomi KPM Jakarta Timur"
SEWING = "Forum CSR mendanai pelatihan menjahit untuk 20 perempuan PRSE di Kebon Jayanti"
KEBON_JAYANTI = "32.73.16.1002"


def sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def ids(session: Session) -> dict[str, int]:
    def one(model: type, name: str) -> int:
        return int(session.exec(select(model.id).where(model.name == name)).one())  # type: ignore[attr-defined]

    return {
        "forum": one(Forum, BANDUNG_FORUM),
        "jaktim": one(Forum, JAKTIM_FORUM),
        "csr": one(Organization, FORUM_CSR),
        "dinsos": one(Organization, DINSOS_BANDUNG),
        "facilitator": one(Facilitator, KEBON_JAYANTI_FACILITATOR),
    }


def record_sewing_meeting(client: TestClient, w: dict[str, int]) -> str:
    """As the organiser: Forum CSR joins, then the meeting with its commitment; the meeting page's path."""
    page = client.get(f"/forum/kelola/{w['forum']}")
    assert page.status_code == 200
    r = client.post(
        f"/forum/kelola/{w['forum']}/anggota",
        data={"csrf": csrf(page.text), "member": f"organization:{w['csr']}", "role": "treasurer",
              "joined_on": "2026-01-05"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    form = client.get(f"/forum/kelola/{w['forum']}/rapat/baru")
    assert form.status_code == 200 and FORUM_CSR in form.text and 'type="checkbox"' in form.text
    r = client.post(
        f"/forum/kelola/{w['forum']}/rapat/baru",
        data={
            "csrf": csrf(form.text),
            "held_on": "2026-12-07",
            "place": "Aula Kelurahan Kebon Jayanti",
            "agenda": "Pelatihan menjahit PRSE",
            "minutes": "Forum CSR menyanggupi pendanaan.\nDinas Sosial menyiapkan data PRSE.",
            "attendance": [
                f"organization:{w['csr']}",
                f"organization:{w['dinsos']}",
                f"facilitator:{w['facilitator']}",
            ],
            "c0_party": f"organization:{w['csr']}",
            "c0_text": SEWING,
            "c0_due_on": "2027-02-28",
            "c0_need": "training",
            "c0_sector": "fashion",
            "c0_village": KEBON_JAYANTI,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, text_of(r.text)
    return str(r.headers["location"])


def test_organiser_records_a_meeting_and_follows_the_commitment_up(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    home = client.get("/")
    assert f"/forum/kelola/{w['forum']}" in home.text
    where = record_sewing_meeting(client, w)
    meeting = client.get(where)
    shown = text_of(meeting.text)
    assert meeting.status_code == 200
    for name in (FORUM_CSR, DINSOS_BANDUNG, KEBON_JAYANTI_FACILITATOR, SEWING, "Kebon Jayanti", "Berjalan"):
        assert name in shown, name
    assert "Bendahara" in shown  # Forum CSR's role, as a word
    assert "treasurer" not in shown and "training" not in shown  # never a raw value

    promise = session.exec(select(Commitment).where(Commitment.text == SEWING)).one()
    r = client.post(
        f"/forum/komitmen/{promise.id}",
        data={"csrf": csrf(meeting.text), "status": "done", "note": "20 peserta lulus", "version": promise.version},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"{where}#c{promise.id}"
    after = text_of(client.get(where).text)
    assert "Selesai" in after and "20 peserta lulus" in after

    detail = text_of(client.get(f"/forum/kelola/{w['forum']}").text)
    assert FORUM_CSR in detail and "Bendahara" in detail and "1 komitmen" in detail


def test_printable_meeting_has_a_signature_column_and_a4_css(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    where = record_sewing_meeting(client, w)
    printed = client.get(f"{where}/cetak")
    assert printed.status_code == 200
    shown = text_of(printed.text)
    assert "Tanda tangan" in shown and SEWING in shown and FORUM_CSR in shown
    assert shown.count("Forum CSR menyanggupi") == 1
    css = client.get("/static/app.css").text
    assert "size:A4" in css and ".no-print" in css
    assert len(printed.content) < 200_000


def test_meeting_xlsx_holds_the_commitments(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    where = record_sewing_meeting(client, w)
    r = client.get(f"{where}/ekspor.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Rapat forum", "Daftar hadir", "Komitmen"]
    commitments = [tuple(row) for row in book["Komitmen"].iter_rows(values_only=True)]
    assert commitments[0][:3] == ("#", "Lembaga atau pendamping", "Isi komitmen")
    assert commitments[1][1:4] == (FORUM_CSR, SEWING, "2027-02-28")
    assert "Kebon Jayanti" in commitments[1][7]
    attendance = [row[1] for row in book["Daftar hadir"].iter_rows(min_row=2, values_only=True)]
    assert set(attendance) == {FORUM_CSR, DINSOS_BANDUNG, KEBON_JAYANTI_FACILITATOR}


def test_meeting_form_refusals_say_which_field(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    form = client.get(f"/forum/kelola/{w['forum']}/rapat/baru")
    base = {"csrf": csrf(form.text), "held_on": "2026-12-07"}
    # Forum CSR is not a member yet: it cannot be marked present.
    r = client.post(f"/forum/kelola/{w['forum']}/rapat/baru", data={**base, "attendance": f"organization:{w['csr']}"})
    assert r.status_code == 422 and "Daftar hadir (baris 1)" in text_of(r.text)
    r = client.post(
        f"/forum/kelola/{w['forum']}/rapat/baru",
        data={**base, "c0_party": f"organization:{w['csr']}", "c0_text": "x", "c0_village": "32.73.16.9999"},
    )
    assert r.status_code == 422 and "Kelurahan/desa atau wilayah" in text_of(r.text)
    r = client.post(f"/forum/kelola/{w['forum']}/rapat/baru", data={**base, "held_on": "kemarin"})
    assert r.status_code == 422 and "Tanggal rapat" in text_of(r.text)
    r = client.post(f"/forum/kelola/{w['forum']}/rapat/baru", data={**base, "csrf": "palsu"})
    assert r.status_code == 403


def test_member_left_before_joined_is_refused_naming_the_field(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    page = client.get(f"/forum/kelola/{w['forum']}")
    r = client.post(
        f"/forum/kelola/{w['forum']}/anggota/ubah",
        data={"csrf": csrf(page.text), "member": f"organization:{w['dinsos']}", "role": "chair",
              "joined_on": "2026-05-01", "left_on": "2026-04-01"},
    )  # fmt: skip
    assert r.status_code == 422 and "Keluar" in text_of(r.text)
    r = client.post(
        f"/forum/kelola/{w['forum']}/rencana",
        data={"csrf": csrf(page.text), "title": "Bazar produk KPM", "owner": f"organization:{w['dinsos']}",
              "due_on": "2027-03-01"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    detail = text_of(client.get(f"/forum/kelola/{w['forum']}").text)
    assert "Bazar produk KPM" in detail and "Direncanakan" in detail


def test_pages_of_another_forum_are_not_found_and_members_see_no_pages(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    assert client.get(f"/forum/kelola/{w['jaktim']}").status_code == 404
    assert client.get(f"/forum/kelola/{w['jaktim']}/rapat/baru").status_code == 404
    listed = client.get("/forum/kelola")
    assert BANDUNG_FORUM in listed.text and JAKTIM_FORUM not in listed.text
    client.cookies.clear()
    sign_in(client, "dinsos.bandung")
    assert client.get(f"/forum/kelola/{w['forum']}").status_code == 404


def test_admin_starts_a_forum_from_the_list(client: TestClient, session: Session) -> None:
    sign_in(client, "admin")
    page = client.get("/forum/kelola")
    assert BANDUNG_FORUM in page.text and JAKTIM_FORUM in page.text
    r = client.post(
        "/forum/kelola",
        data={"csrf": csrf(page.text), "name": "Forum UMKM Kiaracondong", "region_code": "32.73.16"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Forum UMKM Kiaracondong" in client.get(r.headers["location"]).text
    r = client.post("/forum/kelola", data={"csrf": csrf(page.text), "name": "Forum X", "region_code": "99.99"})
    assert r.status_code == 422 and "Wilayah" in text_of(r.text)


def test_pages_in_english(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    where = record_sewing_meeting(client, w)
    shown = text_of(client.get(where + "?lang=en").text)
    assert "Commitments" in shown and "Open" in shown and "Treasurer" in shown


def test_pages_stay_small_for_a_phone(client: TestClient, session: Session) -> None:
    w = ids(session)
    sign_in(client, ORGANISER)
    where = record_sewing_meeting(client, w)
    for path in (f"/forum/kelola/{w['forum']}", f"/forum/kelola/{w['forum']}/rapat/baru", where, f"{where}/cetak"):
        page = client.get(path)
        assert page.status_code == 200 and len(page.content) < 200_000, (path, len(page.content))
        assert 'name="viewport"' in page.text
