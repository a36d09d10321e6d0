"""Business check-ins through the API and the phone page: a history, the business's current facts
from the latest check-in, the refusals (a date in the future or before the business started, a
negative revenue, a jump asked to be confirmed), the reach (another facilitator's family: 404), the
paged history newest first, and the family page's chart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Business, Household
from models.monitoring import BusinessCheckin
from models.users import AuditEvent, Role
from service.core.records import StaleVersion
from service.settings import Settings
from tests.conftest import login_form, sign_in
from tests.factories import PASSWORD, business, facilitator, household, organization, program, referral, user

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
TODAY = Settings().today()


@dataclass
class World:
    fac: str
    other: str
    admin: str
    agency: str
    hid: int
    bid: int
    other_bid: int  # a second business of the same family
    theirs_hid: int  # the other facilitator's family
    theirs_bid: int
    stranger_bid: int  # a business of another family of the facilitator


def build(session: Session) -> World:
    pendamping = facilitator(session)
    other = facilitator(session)
    mine = household(session, facilitator=pendamping, head_name="Ibu Sari Uji")
    second = household(session, facilitator=pendamping)
    theirs = household(session, facilitator=other)
    started = TODAY - timedelta(days=400)
    b = business(
        session, mine, name="Warung Uji", started_on=started, monthly_revenue=1_000_000, workers=0,
        sales_channels=["whatsapp"], has_nib=False, has_pirt=False, has_halal=False,
    )  # fmt: skip
    b2 = business(session, mine, sector="fashion", started_on=started)
    tb = business(session, theirs, started_on=started)
    sb = business(session, second, started_on=started)
    agency = organization(session)
    program(session, agency)  # the family page matches against the catalogue
    world = World(
        fac=user(session, Role.facilitator, facilitator=pendamping).username,
        other=user(session, Role.facilitator, facilitator=other).username,
        admin=user(session, Role.admin).username,
        agency=user(session, Role.agency_staff, organization=agency).username,
        hid=mine.id or 0,
        bid=b.id or 0,
        other_bid=b2.id or 0,
        theirs_hid=theirs.id or 0,
        theirs_bid=tb.id or 0,
        stranger_bid=sb.id or 0,
    )
    session.commit()
    return world


def url(w: World, hid: int | None = None, bid: int | None = None) -> str:
    return f"/api/v1/households/{hid or w.hid}/businesses/{bid or w.bid}/checkins"


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def test_checkins_build_a_history_and_the_business_current_facts(
    bare_client: TestClient, bare_session: Session
) -> None:
    w = build(bare_session)
    h = sign_in(bare_client, w.fac, PASSWORD)
    first = bare_client.post(
        url(w),
        json={"checked_on": day(60), "monthly_revenue": 1_500_000, "monthly_costs": 900_000, "workers": 1,
              "sales_channels": ["whatsapp", "bazaar"], "certifications": ["nib"], "note": "Ramai menjelang Lebaran"},
        headers=h,
    )  # fmt: skip
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["monthly_revenue"] == 1_500_000 and body["certifications"] == ["nib"]
    assert body["business_id"] == w.bid and body["household_id"] == w.hid
    latest = bare_client.post(
        url(w), json={"checked_on": day(5), "monthly_revenue": 2_000_000, "workers": 2,
                      "certifications": ["nib", "pirt"]}, headers=h
    )  # fmt: skip
    assert latest.status_code == 201, latest.text
    assert latest.json()["sales_channels"] == ["whatsapp", "bazaar"]  # left out: the business's own
    older = bare_client.post(url(w), json={"checked_on": day(30), "monthly_revenue": 1_700_000}, headers=h)
    assert older.status_code == 201, older.text

    facts = bare_client.get(f"/api/v1/households/{w.hid}", headers=h).json()["businesses"][0]
    assert facts["monthly_revenue"] == 2_000_000  # the latest by date, not the last recorded
    assert facts["workers"] == 2
    assert facts["has_nib"] is True and facts["has_pirt"] is True and facts["has_halal"] is False
    assert facts["sales_channels"] == ["whatsapp", "bazaar"]

    listed = bare_client.get(url(w), headers=h).json()
    assert listed["total"] == 3 and listed["limit"] == 50 and listed["offset"] == 0
    assert [c["checked_on"] for c in listed["items"]] == [day(5), day(30), day(60)]
    paged = bare_client.get(url(w) + "?limit=1&offset=1", headers=h).json()
    assert [c["monthly_revenue"] for c in paged["items"]] == [1_700_000] and paged["total"] == 3
    actions = bare_session.exec(select(AuditEvent.action, AuditEvent.entity)).all()
    assert actions.count(("create", "business_checkin")) == 3
    assert ("update", "business") in actions and ("read", "business_checkin") in actions


def test_record_checkin_refuses_what_cannot_be_true(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    h = sign_in(bare_client, w.fac, PASSWORD)

    def post(**body: object) -> dict[str, object]:
        response = bare_client.post(
            url(w), json={"checked_on": day(1), "monthly_revenue": 1_000_000, **body}, headers=h
        )
        assert response.status_code == 422, response.text
        detail = response.json()["detail"][0]
        assert isinstance(detail, dict)
        return detail

    future = post(checked_on=(TODAY + timedelta(days=1)).isoformat())
    assert future["loc"] == ["body", "checked_on"] and "future" in str(future["msg"])
    early = post(checked_on=day(401))
    assert early["loc"] == ["body", "checked_on"] and "before the business started" in str(early["msg"])
    negative = post(monthly_revenue=-5)
    assert negative["loc"] == ["body", "monthly_revenue"] and "tidak boleh negatif" in str(negative["msg"])
    assert "tidak boleh negatif" in str(post(monthly_costs=-1)["msg"])
    jump = post(monthly_revenue=100_000_001)  # the business's last revenue is 1,000,000
    assert jump["loc"] == ["body", "monthly_revenue"] and "confirm_jump" in str(jump["msg"])
    assert "loan" in str(post(loan_status="current")["msg"])  # no completed loan programme
    assert bare_session.exec(select(BusinessCheckin)).all() == []

    confirmed = bare_client.post(
        url(w), json={"checked_on": day(1), "monthly_revenue": 100_000_001, "confirm_jump": True}, headers=h
    )
    assert confirmed.status_code == 201, confirmed.text
    assert bare_client.post(url(w), json={"checked_on": day(0), "monthly_revenue": 100}, headers=h).status_code == 201


def test_loan_status_is_taken_where_a_loan_programme_was_completed(
    bare_client: TestClient, bare_session: Session
) -> None:
    w = build(bare_session)
    owner = bare_session.get(Household, w.hid)
    assert owner is not None
    loan = program(bare_session, organization(bare_session), kind="loan")
    referral(bare_session, owner, loan, status="completed")
    bare_session.commit()
    h = sign_in(bare_client, w.fac, PASSWORD)
    ok = bare_client.post(
        url(w), json={"checked_on": day(1), "monthly_revenue": 900_000, "loan_status": "late"}, headers=h
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["loan_status"] == "late"


def test_checkins_outside_your_care_are_not_found(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    body = {"checked_on": day(1), "monthly_revenue": 1_000}
    fac = sign_in(bare_client, w.fac, PASSWORD)
    assert bare_client.post(url(w, w.theirs_hid, w.theirs_bid), json=body, headers=fac).status_code == 404
    assert bare_client.get(url(w, w.theirs_hid, w.theirs_bid), headers=fac).status_code == 404
    assert (
        bare_client.post(url(w, w.hid, w.stranger_bid), json=body, headers=fac).status_code == 404
    )  # not this family's
    assert bare_client.post(url(w, w.hid, w.theirs_bid), json=body, headers=fac).status_code == 404
    agency = sign_in(bare_client, w.agency, PASSWORD)
    assert bare_client.post(url(w), json=body, headers=agency).status_code == 404
    assert bare_client.get(url(w), headers=agency).status_code == 404
    other = sign_in(bare_client, w.other, PASSWORD)
    assert bare_client.post(url(w), json=body, headers=other).status_code == 404
    admin = sign_in(bare_client, w.admin, PASSWORD)
    assert bare_client.post(url(w, w.theirs_hid, w.theirs_bid), json=body, headers=admin).status_code == 201
    assert bare_session.exec(select(BusinessCheckin.business_id)).all() == [w.theirs_bid]
    denied = bare_session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert any(e.entity == "business_checkin" for e in denied)


# --- the page ------------------------------------------------------------------------------------


def page_sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def form_url(w: World, bid: int | None = None, hid: int | None = None) -> str:
    return f"/kpm/{hid or w.hid}/usaha/{bid or w.bid}/checkin"


def test_checkin_page_prefills_saves_and_the_family_page_charts_it(
    bare_client: TestClient, bare_session: Session
) -> None:
    w = build(bare_session)
    h = sign_in(bare_client, w.fac, PASSWORD)
    for days_ago, revenue in ((90, 1_100_000), (60, 1_250_000), (40, 1_400_000)):
        sent = {"checked_on": day(days_ago), "monthly_revenue": revenue, "workers": 1,
                "sales_channels": ["shop"], "certifications": ["halal"]}  # fmt: skip
        r = bare_client.post(url(w), json=sent, headers=h)
        assert r.status_code == 201, r.text
    page_sign_in(bare_client, w.fac)
    family = bare_client.get(f"/kpm/{w.hid}")
    assert family.status_code == 200
    assert "Catat kunjungan usaha" in family.text and form_url(w) in family.text
    assert "Perlu kunjungan" in family.text  # none in the last 30 days
    assert family.text.count("<circle") == 3 and '<path d="M' in family.text

    form = bare_client.get(form_url(w))
    assert form.status_code == 200
    html = form.text
    assert 'value="1400000"' in html and 'name="workers" type="number"' in html
    assert re.search(r'value="shop" checked', html) and re.search(r'value="halal" checked', html)
    assert f'value="{TODAY.isoformat()}"' in html
    assert "<script" not in html
    token = CSRF.search(html)
    assert token
    saved = bare_client.post(
        form_url(w),
        data={"csrf": token.group(1), "checked_on": TODAY.isoformat(), "monthly_revenue": "1.600.000",
              "monthly_costs": "", "workers": "2", "sales_channels": ["shop", "whatsapp"], "certifications": ["halal"],
              "note": "Tambah etalase"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/kpm/{w.hid}?ok=checkin#usaha-{w.bid}"
    after = bare_client.get(saved.headers["location"])
    assert "Kunjungan usaha tercatat" in after.text
    assert after.text.count("<circle") == 4 and "Rp 1.600.000" in after.text
    section = after.text.split(f'id="usaha-{w.bid}"')[1].split("</section>")[0]
    assert "Perlu kunjungan" not in section
    b = bare_session.get(Business, w.bid)
    bare_session.refresh(b)
    assert b is not None and b.monthly_revenue == 1_600_000 and b.workers == 2
    assert b.sales_channels == ["shop", "whatsapp"]


def test_checkin_page_says_what_to_fix(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.fac)
    caseload = bare_client.get("/kpm").text
    assert caseload.count("Perlu kunjungan usaha") == 2  # both families' businesses: never checked
    token = CSRF.search(bare_client.get(form_url(w)).text)
    assert token
    base = {"csrf": token.group(1), "checked_on": TODAY.isoformat(), "monthly_revenue": "1000000"}

    def refused(**fields: str) -> str:
        response = bare_client.post(form_url(w), data={**base, **fields})
        assert response.status_code == 422, response.text
        return response.text

    assert "Tidak boleh negatif" in refused(monthly_revenue="-100")
    assert "masa depan" in refused(checked_on=(TODAY + timedelta(days=3)).isoformat())
    assert "sebelum usaha dimulai" in refused(checked_on=day(500))
    jump = refused(monthly_revenue="500000000")
    assert "lebih dari 100 kali" in jump and 'name="confirm_jump"' in jump
    assert 'value="500000000"' in jump  # what was typed stays
    ok = bare_client.post(form_url(w), data={**base, "monthly_revenue": "500000000", "confirm_jump": "ya"},
                          follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    assert bare_client.post(form_url(w), data={k: v for k, v in base.items() if k != "csrf"}).status_code == 403
    assert bare_client.get(form_url(w, w.theirs_bid, w.theirs_hid)).status_code == 404
    assert bare_client.get(form_url(w, w.stranger_bid)).status_code == 404
    english = bare_client.get(form_url(w) + "?lang=en").text
    assert "Record a business check-in" in english and "Behind on payments" not in english  # no loan: no field


def test_checkin_page_says_so_when_the_business_changed_meanwhile(
    bare_client: TestClient, bare_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = build(bare_session)
    page_sign_in(bare_client, w.fac)
    token = CSRF.search(bare_client.get(form_url(w)).text)
    assert token

    def changed(session: Session, obj: object, *args: object, **kwargs: object) -> None:
        session.rollback()
        raise StaleVersion("changed", what="Business", record_id=w.bid, current=None)

    monkeypatch.setattr("service.households.checkins.update_versioned", changed)
    sent = {"csrf": token.group(1), "checked_on": TODAY.isoformat(), "monthly_revenue": "1200000"}
    response = bare_client.post(form_url(w), data=sent)
    assert response.status_code == 409
    assert "kunjungan belum tersimpan" in response.text and 'value="1200000"' in response.text
    assert bare_session.exec(select(BusinessCheckin)).all() == []
