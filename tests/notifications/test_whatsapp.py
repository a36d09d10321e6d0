"""WhatsApp click-to-chat links on the referral page: to the agency's contact phone for the
facilitator, to the family's phone only while its consent to share it holds."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.referrals import Consent
from service.notifications import wa_link, wa_number
from tests.conftest import login_form
from tests.factories import PASSWORD, referral
from tests.notifications.world import FAMILY_ADDRESS, FAMILY_NIK, build

WA = re.compile(r'href="(https://wa\.me/[^"]+)"')


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("62812.3456.7890", "6281234567890"),
        ("812 3456 7890", "6281234567890"),
        ("(022) 7271234", "62227271234"),
        ("0812", None),
        ("bukan nomor", None),
        ("", None),
        (None, None),
    ],
)
def test_indonesian_numbers_become_whatsapps_international_form(phone: str | None, number: str | None) -> None:
    assert wa_number(phone) == number


def test_link_carries_the_text_encoded() -> None:
    link = wa_link("0812-3456-7890", "Halo & selamat pagi? #12")
    assert link == "https://wa.me/6281234567890?text=Halo%20%26%20selamat%20pagi%3F%20%2312"
    assert wa_link("123", "x") is None


def page_sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert answer.status_code == 303


def links(client: TestClient, referral_id: int) -> list[tuple[str, str]]:
    html = client.get(f"/rujukan/{referral_id}").text
    out = []
    for href in WA.findall(html):
        parts = urlsplit(unescape(href))
        out.append((parts.path.strip("/"), parse_qs(parts.query)["text"][0]))
    return out


def test_facilitator_gets_the_agencys_whatsapp_and_the_familys_only_with_its_consent(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    r = referral(bare_session, w.family, w.prog, with_consent=False)
    consent = bare_session.exec(select(Consent).where(Consent.household_id == w.family.id)).one()
    r.consent_id = consent.id
    bare_session.add(r)
    bare_session.commit()

    page_sign_in(bare_client, w.own.username)
    [(number, text)] = links(bare_client, r.id)  # the family's consent does not share its phone
    assert number == "62227271234"
    assert w.prog.name in text and f"#{r.id}" in text and f"/rujukan/{r.id}" in text
    assert w.family.head_name not in text and FAMILY_NIK not in text and FAMILY_ADDRESS not in text

    page_sign_in(bare_client, w.staff.username)
    assert links(bare_client, r.id) == []  # the agency has no family phone to use

    consent.share_phone = True
    bare_session.add(consent)
    bare_session.commit()
    agency = links(bare_client, r.id)
    assert [n for n, _ in agency] == ["6281234567890"]
    assert w.prog.name in agency[0][1] and w.family.head_name not in agency[0][1]
    page_sign_in(bare_client, w.own.username)
    assert [n for n, _ in links(bare_client, r.id)] == ["62227271234", "6281234567890"]

    consent.withdrawn_at = consent.recorded_at
    bare_session.add(consent)
    bare_session.commit()
    assert [n for n, _ in links(bare_client, r.id)] == ["62227271234"]
