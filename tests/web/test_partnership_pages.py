"""The partnerships page (``/kemitraan``) and the forum dashboard's "since the last meeting",
through the TestClient with a cookie sign-in."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.network import Partnership
from models.organizations import Organization
from models.users import Role
from tests import factories
from tests.conftest import DEMO_PASSWORDS, login_form

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
FORUM_CSR = "Forum CSR Kota Bandung"


def sign_in(client: TestClient, username: str, password: str | None = None) -> None:
    r = client.post(
        "/login",
        data={"username": username, "password": password or DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found
    return found.group(1)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_propose_confirm_and_see_it_since_the_last_meeting(client: TestClient, session: Session, app: FastAPI) -> None:
    csr = session.exec(select(Organization).where(Organization.name == FORUM_CSR)).one()
    staff = factories.user(session, Role.agency_staff, organization=csr)
    session.commit()

    # Dinas Sosial finds Forum CSR by name and proposes an MoU.
    sign_in(client, "dinsos.bandung")
    page = client.get("/kemitraan", params={"cari": "forum csr"})
    assert page.status_code == 200 and len(page.content) < 200_000
    words = text_of(page.text)
    assert "Kemitraan" in words and "Pendanaan bersama" in words  # the demo's co-funding tie, as a label
    assert "co_funding" not in words and "confirmed" not in words
    assert f'value="organization:{csr.id}"' in page.text
    r = client.post(
        "/kemitraan",
        data={"csrf": csrf_of(page.text), "party": f"organization:{csr.id}", "kind": "mou",
              "reference": "400/12/MoU/2026", "cari": "forum csr"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/kemitraan?ok=proposed", r.text
    tie = session.exec(select(Partnership).where(Partnership.reference == "400/12/MoU/2026")).one()
    page = client.get("/kemitraan?ok=proposed")
    waiting = page.text.split('id="menunggu"')[1]
    assert f'data-partnership="{tie.id}"' in waiting and "Diusulkan" in text_of(waiting)
    # Answering one's own proposal is not offered; posting it anyway is refused.
    r = client.post(f"/kemitraan/{tie.id}", data={"csrf": csrf_of(page.text), "status": "confirmed"})
    assert r.status_code == 409
    # A post without the form's token changes nothing.
    assert client.post(f"/kemitraan/{tie.id}", data={"csrf": "x", "status": "confirmed"}).status_code == 403

    # Forum CSR's staff confirm it.
    with TestClient(app) as other:
        sign_in(other, staff.username, factories.PASSWORD)
        page = other.get("/kemitraan")
        answer = page.text.split('id="jawab"')[1].split("</section>")[0]
        assert f'action="/kemitraan/{tie.id}"' in answer and "Konfirmasi" in answer
        r = other.post(
            f"/kemitraan/{tie.id}", data={"csrf": csrf_of(page.text), "status": "confirmed"}, follow_redirects=False
        )
        assert r.status_code == 303, r.text
        agreed = other.get(r.headers["location"]).text.split('id="aktif"')[1].split("</section>")[0]
        assert f'data-partnership="{tie.id}"' in agreed and "Nota kesepahaman (MoU)" in text_of(agreed)
        english = other.get("/kemitraan", params={"lang": "en"}).text
        assert "Partnerships in force" in english and "Memorandum of understanding (MoU)" in english

    # The organiser's dashboard, since yesterday: the new tie and the demand it newly reaches.
    session.refresh(tie)
    assert tie.status == "confirmed" and tie.confirmed_on is not None
    since = (tie.confirmed_on - timedelta(days=1)).isoformat()
    with TestClient(app) as organiser:
        sign_in(organiser, "forum.bandung")
        page = organiser.get("/forum", params={"since": since})
        assert page.status_code == 200
        section = page.text.split('id="sejak"')[1].split("</section>")[0]
        assert "Sejak pertemuan terakhir" in text_of(page.text)
        added = section.split('class="ch-ties_added"')[1].split("</ul>")[0]
        assert FORUM_CSR in added and "Dinas Sosial Kota Bandung" in added
        reached = section.split('id="changes-reached"')[1].split("</table>")[0]
        assert FORUM_CSR in reached
        assert f'data-date="{since}"' in section
        assert organiser.get("/forum", params={"since": "kemarin"}).status_code == 422


def test_the_page_is_for_parties_and_admins(client: TestClient) -> None:
    assert client.get("/kemitraan", follow_redirects=False).status_code == 303
    sign_in(client, "admin")
    page = client.get("/kemitraan")
    assert page.status_code == 200 and 'id="usul"' not in page.text  # admins propose through the API
