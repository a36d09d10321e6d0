"""Keeping a family current from its page: the household's and a business's forms, a new
business, and a programme's open question answered in place, through the TestClient with a
cookie sign-in, on a world built from factories.

Forms are posted the way a browser without JavaScript posts them: every field read back from the
page, with the ones the test is about changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from mapping.labels import QUESTIONS
from models.households import Business, BusinessUpdate, Household, HouseholdUpdate
from models.users import AuditEvent, Role
from service.web.facilitator.family_form import ANSWERS
from tests.conftest import login_form, sign_in
from tests.factories import PASSWORD, business, facilitator, group, household, organization, program, user

Fields = list[tuple[str, str]]

CHILDREN = {"field": "household.school_age_children", "op": "ge", "value": 1}
RUNNING_6_MONTHS = {"field": "business.age_months", "op": "ge", "value": 6}
DISABILITY = {"field": "household.disability", "op": "eq", "value": True}


@dataclass
class World:
    family: Household
    shop: Business
    scholarship: int
    capital: int
    inclusion: int
    username: str
    family_version: int
    shop_version: int
    head_name: str


def build(session: Session) -> World:
    """A facilitator's family with one business, and three programmes each unknown on one question."""
    pendamping = facilitator(session)
    family = household(session, facilitator=pendamping, head_birth_date=date(1985, 6, 1), group_id=None)
    shop = business(session, family, sector="culinary", needs=["capital"])
    org = organization(session)
    scholarship = program(session, org, name="Beasiswa Anak PKH", eligibility=CHILDREN)
    capital = program(session, org, name="Modal Usaha Berjalan", kind="capital_grant", eligibility=RUNNING_6_MONTHS)
    inclusion = program(session, org, name="Usaha Inklusif", eligibility=DISABILITY)
    account = user(session, Role.facilitator, facilitator=pendamping)
    session.commit()
    assert scholarship.id and capital.id and inclusion.id
    return World(
        family,
        shop,
        scholarship.id,
        capital.id,
        inclusion.id,
        account.username,
        family.version,
        shop.version,
        family.head_name,
    )


def page_sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/login", data={"username": username, "password": password, **login_form(client)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


class FormReader(HTMLParser):
    """What a browser sends from the form with ``form_id``: inputs, checked boxes, selected options."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: Fields = []
        self.inside = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            else:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            self.fields.extend((self.select, v) for v in chosen[:1])
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text))
            self.textarea = None


def read_form(html: str, form_id: str = "family-form") -> Fields:
    reader = FormReader(form_id)
    reader.feed(html)
    assert reader.fields, f"no form #{form_id} on the page"
    return reader.fields


def setting(fields: Fields, **values: str | list[str]) -> Fields:
    """The fields with ``name=value`` replaced (a list: the ticked checkboxes, after the empty marker)."""
    out = list(fields)
    for name, value in values.items():
        out = [(n, v) for n, v in out if n != name or (isinstance(value, list) and v == "")]
        out.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    return out


def send(client: TestClient, url: str, fields: Fields) -> Any:
    body = urlencode(fields)
    return client.post(
        url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False
    )


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<span class="error field-err" id="err-{name}">(.*?)</span>', html, re.S)
    return unescape(found.group(1)) if found else ""


def section(html: str, name: str) -> str:
    """The match section ``eligible``, ``unknown`` or ``ineligible`` of the family page."""
    found = re.search(rf'<section class="matches" id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0)


def answer_fields(html: str, program_id: int, rule_field: str) -> Fields:
    """The hidden fields of the in-place answer form of ``rule_field`` on ``program_id``'s match."""
    article = re.search(rf'<article class="m m-unknown" id="program-{program_id}">(.*?)</article>', html, re.S)
    assert article, f"programme {program_id} is not in the unknown section"
    form = re.search(
        rf'<form method="post" action="/kpm/\d+/jawab" class="answer">((?:(?!</form>).)*?'
        rf'name="field" value="{re.escape(rule_field)}".*?)</form>',
        article.group(1),
        re.S,
    )
    assert form, f"no answer form for {rule_field}"
    return re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', form.group(1))


# --- the household's form ---------------------------------------------------------------------------


def test_edit_household_saves_and_the_family_page_shows_it(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/ubah"

    shown = bare_client.get(url)
    assert shown.status_code == 200
    fields = read_form(shown.text)
    assert ("version", str(w.family_version)) in fields
    assert ("head_birth_date", "1985-06-01") in fields
    changed = setting(
        fields, head_name="Siti Rahmawati Uji", address="Jl. Kiaracondong 12", school_age_children="2", elderly="true"
    )
    saved = send(bare_client, url, changed)

    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/kpm/{w.family.id}?ok=household"
    page = bare_client.get(saved.headers["location"])
    assert "Data keluarga tersimpan." in page.text
    assert "<h1>Siti Rahmawati Uji</h1>" in page.text
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None
    assert (stored.head_name, stored.address, stored.school_age_children, stored.elderly) == (
        "Siti Rahmawati Uji",
        "Jl. Kiaracondong 12",
        2,
        True,
    )
    assert stored.version == w.family_version + 1
    assert stored.head_birth_date == date(1985, 6, 1)  # untouched fields stay as they were
    event = bare_session.exec(
        select(AuditEvent).where(AuditEvent.entity == "household", AuditEvent.action == "update")
    ).one()
    assert event.detail == {"fields": ["address", "elderly", "head_name", "school_age_children"]}


def test_edit_household_clears_a_value_and_moves_to_a_group_of_the_same_village(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    pendamping_id = w.family.facilitator_id
    kelompok = group(bare_session, name="Kelompok Melati", facilitator_id=pendamping_id)
    bare_session.commit()
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/ubah"
    fields = read_form(bare_client.get(url).text)
    assert (kelompok.name or "") in bare_client.get(url).text

    saved = send(bare_client, url, setting(fields, head_birth_date="", group_id=str(kelompok.id)))

    assert saved.status_code == 303, saved.text
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.head_birth_date is None and stored.group_id == kelompok.id


def test_edit_household_with_a_stale_version_answers_409_with_the_current_data_and_loses_nothing(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/ubah"
    mine = read_form(bare_client.get(url).text)
    # Meanwhile someone else (the same facilitator on the API, from the phone) changes the address.
    headers = sign_in(bare_client, w.username, PASSWORD)
    other = bare_client.patch(
        f"/api/v1/households/{w.family.id}",
        json={"version": w.family_version, "address": "Jl. Dari Ponsel 3"},
        headers=headers,
    )
    assert other.status_code == 200, other.text

    stale = send(bare_client, url, setting(mine, head_name="Nama Dari Formulir", school_age_children="3"))

    assert stale.status_code == 409
    text = unescape(stale.text)
    assert "sudah diubah orang lain" in text
    again = read_form(stale.text)
    assert ("address", "Jl. Dari Ponsel 3") in again  # the other change, shown as it now stands
    assert ("version", str(w.family_version + 1)) in again
    assert ("head_name", w.head_name) in again
    assert "Isian Anda tadi: <strong>Nama Dari Formulir</strong>" in text  # what was typed is not lost
    assert "Isian Anda tadi: <strong>3</strong>" in text
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None
    assert (stored.address, stored.head_name, stored.school_age_children) == (
        "Jl. Dari Ponsel 3",
        w.head_name,
        None,
    )
    # Typed again on the fresh form, it saves on top of the other change.
    saved = send(bare_client, url, setting(again, head_name="Nama Dari Formulir"))
    assert saved.status_code == 303
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and (stored.address, stored.head_name) == ("Jl. Dari Ponsel 3", "Nama Dari Formulir")


def test_edit_household_with_invalid_values_reports_every_field_at_once_in_indonesian(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/ubah"
    fields = read_form(bare_client.get(url).text)
    bad = setting(
        fields,
        head_name="",
        head_birth_date="31-31-1985",
        dtsen_decile="11",
        school_age_children="banyak",
        pkh_joined_year="1999",
        pkh_status="lulus",
        phone="0" * 41,
        address="Jl. Ini Tetap Ada 7",
    )

    refused = send(bare_client, url, bad)

    assert refused.status_code == 422
    html = refused.text
    assert "Belum tersimpan. Periksa isian berikut:" in html
    assert error_of(html, "head_name") == "Wajib diisi."
    assert error_of(html, "head_birth_date").startswith("Isi tanggal yang benar")
    assert error_of(html, "dtsen_decile") == "Paling besar 10."
    assert error_of(html, "school_age_children").startswith("Isi bilangan bulat")
    assert error_of(html, "pkh_joined_year") == "Paling kecil 2007."
    assert error_of(html, "pkh_status") == "Pilih salah satu pilihan."
    assert error_of(html, "phone") == "Paling banyak 40 karakter."
    kept = read_form(html)
    for name, value in (("head_birth_date", "31-31-1985"), ("school_age_children", "banyak"), ("dtsen_decile", "11")):
        assert (name, value) in kept
    assert ("address", "Jl. Ini Tetap Ada 7") in kept
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.version == w.family_version and stored.address is None


def test_edit_household_form_unchanged_saves_nothing(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/ubah"

    response = send(bare_client, url, read_form(bare_client.get(url).text))

    assert response.status_code == 303
    assert response.headers["location"].endswith("?ok=unchanged")
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.version == w.family_version


# --- businesses --------------------------------------------------------------------------------------


def test_edit_business_and_add_one_show_on_the_family_page(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/usaha/{w.shop.id}/ubah"
    fields = read_form(bare_client.get(url).text)
    assert ("needs", "capital") in fields

    saved = send(
        bare_client,
        url,
        setting(
            fields,
            name="Warung Nasi Uji",
            started_on="05-01-2024",
            monthly_revenue="Rp 2.500.000",
            workers="2",
            has_pirt="true",
            sales_channels=["whatsapp", "shop"],
            needs=[],
        ),
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/kpm/{w.family.id}?ok=business"
    new_url = f"/kpm/{w.family.id}/usaha/baru"
    blank = read_form(bare_client.get(new_url).text)
    added = send(bare_client, new_url, setting(blank, sector="craft", needs=["training", "marketing"]))
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"/kpm/{w.family.id}?ok=business_new"

    page = unescape(bare_client.get(added.headers["location"]).text)
    assert "Usaha baru tercatat." in page
    assert "Warung Nasi Uji" in page
    bare_session.expire_all()
    rows = bare_session.exec(select(Business).where(Business.household_id == w.family.id).order_by(col(Business.id)))
    shop, craft = rows.all()
    assert (shop.started_on, shop.monthly_revenue, shop.workers, shop.has_pirt) == (
        date(2024, 1, 5),
        2_500_000,
        2,
        True,
    )
    assert (sorted(shop.sales_channels), shop.needs, shop.version) == (["shop", "whatsapp"], [], w.shop_version + 1)
    assert (craft.sector, sorted(craft.needs)) == ("craft", ["marketing", "training"])


def test_edit_business_invalid_and_stale(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    url = f"/kpm/{w.family.id}/usaha/{w.shop.id}/ubah"
    fields = read_form(bare_client.get(url).text)

    refused = send(bare_client, url, setting(fields, workers="-1", monthly_revenue="dua juta", sector=""))
    assert refused.status_code == 422
    assert error_of(refused.text, "workers") == "Paling kecil 0."
    assert error_of(refused.text, "monthly_revenue").startswith("Isi jumlah rupiah")
    assert error_of(refused.text, "sector") == "Wajib diisi."

    assert send(bare_client, url, setting(fields, workers="4")).status_code == 303
    stale = send(bare_client, url, setting(fields, workers="5"))
    assert stale.status_code == 409
    assert ("workers", "4") in read_form(stale.text)
    bare_session.expire_all()
    stored = bare_session.get(Business, w.shop.id)
    assert stored is not None and stored.workers == 4


# --- an open question answered in place ----------------------------------------------------------------


def test_answering_an_unknown_question_flips_the_verdict_shown(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    family_url = f"/kpm/{w.family.id}"
    page = bare_client.get(family_url).text
    unknown = unescape(section(page, "unknown"))
    for pid in (w.scholarship, w.capital, w.inclusion):
        assert f'id="program-{pid}"' in unknown
    assert "tanyakan jumlah anak usia sekolah" in unknown
    assert "tanyakan sejak kapan usaha berjalan" in unknown

    children = send(
        bare_client,
        f"{family_url}/jawab",
        [*answer_fields(page, w.scholarship, "household.school_age_children"), ("value", "2")],
    )
    assert children.status_code == 303, children.text
    assert children.headers["location"] == f"{family_url}?ok=answer#program-{w.scholarship}"
    page = bare_client.get(children.headers["location"]).text
    assert "Jawaban tersimpan" in page
    assert f'id="program-{w.scholarship}"' in section(page, "eligible")

    started = send(
        bare_client,
        f"{family_url}/jawab",
        [*answer_fields(page, w.capital, "business.age_months"), ("value", "2020-03-01")],
    )
    assert started.status_code == 303, started.text
    page = bare_client.get(family_url).text
    assert f'id="program-{w.capital}"' in section(page, "eligible")

    disability = send(
        bare_client,
        f"{family_url}/jawab",
        [*answer_fields(page, w.inclusion, "household.disability"), ("value", "false")],
    )
    assert disability.status_code == 303, disability.text
    page = bare_client.get(family_url).text
    assert f'id="program-{w.inclusion}"' in section(page, "ineligible")
    assert "program-" not in section(page, "unknown")
    bare_session.expire_all()
    family = bare_session.get(Household, w.family.id)
    shop = bare_session.get(Business, w.shop.id)
    assert family is not None and shop is not None
    assert (family.school_age_children, family.disability, shop.started_on) == (2, False, date(2020, 3, 1))


def test_answer_with_a_bad_value_or_a_stale_version_saves_nothing(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)
    family_url = f"/kpm/{w.family.id}"
    page = bare_client.get(family_url).text
    hidden = answer_fields(page, w.scholarship, "household.school_age_children")

    bad = send(bare_client, f"{family_url}/jawab", [*hidden, ("value", "31")])
    assert bad.status_code == 422
    assert "Paling besar 30." in bad.text
    assert 'value="31"' in bad.text  # kept in the field

    first = send(bare_client, f"{family_url}/jawab", [*hidden, ("value", "1")])
    assert first.status_code == 303
    again = send(bare_client, f"{family_url}/jawab", [*hidden, ("value", "2")])  # the version read before
    assert again.status_code == 409
    assert "sudah diubah orang lain" in unescape(again.text)
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.school_age_children == 1


def test_admins_see_sensitive_questions_without_an_answer_form(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    admin = user(bare_session, Role.admin)
    bare_session.commit()
    page_sign_in(bare_client, admin.username)
    family_url = f"/kpm/{w.family.id}"
    page = bare_client.get(family_url).text
    assert answer_fields(page, w.scholarship, "household.school_age_children")
    assert 'name="field" value="household.disability"' not in page
    token = re.findall(r'name="csrf" value="([^"]+)"', page)[0]

    refused = send(
        bare_client,
        f"{family_url}/jawab",
        [("csrf", token), ("field", "household.disability"), ("value", "true"), ("version", str(w.family_version))],
    )
    assert refused.status_code == 403
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.disability is None


# --- whose family ---------------------------------------------------------------------------------------


def test_another_facilitators_family_is_not_found_on_every_form(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    other = facilitator(bare_session)
    theirs = user(bare_session, Role.facilitator, facilitator=other)
    bare_session.commit()
    page_sign_in(bare_client, theirs.username)
    token = re.findall(r'name="csrf" value="([^"]+)"', bare_client.get("/kpm").text)[0]
    base = f"/kpm/{w.family.id}"
    for url in (f"{base}/ubah", f"{base}/usaha/baru", f"{base}/usaha/{w.shop.id}/ubah"):
        shown = bare_client.get(url)
        assert shown.status_code == 404, url
        assert "bukan KPM dampingan Anda" in shown.text
    posts = {
        f"{base}/ubah": [("version", str(w.family_version)), ("head_name", "Bukan Keluarga Saya")],
        f"{base}/usaha/baru": [("sector", "craft")],
        f"{base}/usaha/{w.shop.id}/ubah": [("version", str(w.shop_version)), ("workers", "9")],
        f"{base}/jawab": [("field", "household.school_age_children"), ("value", "4"), ("version", "1")],
    }
    for url, fields in posts.items():
        assert send(bare_client, url, [("csrf", token), *fields]).status_code == 404, url
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.version == w.family_version
    assert len(bare_session.exec(select(Business).where(Business.household_id == w.family.id)).all()) == 1


def test_a_post_without_the_forms_token_is_refused(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.username)

    response = send(bare_client, f"/kpm/{w.family.id}/ubah", [("version", "1"), ("head_name", "Tanpa Token")])

    assert response.status_code == 403
    bare_session.expire_all()
    stored = bare_session.get(Household, w.family.id)
    assert stored is not None and stored.head_name == w.head_name


def test_every_question_a_match_can_leave_open_is_answered_by_a_field_of_the_family_or_business() -> None:
    """The one table from rule fields to record fields covers every question the rules can ask
    about data the family may lack, and each names a field the domain's update schema takes."""
    never_unknown = {"household.pkh_status", "household.region", "business.exists", "business.sector"}
    never_unknown |= {"business.needs", "history.completed_programs"}  # sets: empty is an answer
    assert set(QUESTIONS) - never_unknown == set(ANSWERS)
    for answer in ANSWERS.values():
        schema = HouseholdUpdate if answer.record == "household" else BusinessUpdate
        assert answer.field.name in schema.model_fields
