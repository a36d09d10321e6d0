"""Graduation through the API and the pages: a family's readiness (score, indicators, the missing
ones) by its region's rules, the "KPM potensial" ranking, the graduation record (201, another
facilitator's family 404, a second one 409, pkh_status set, audited), check-ins after graduation,
the 5-year alerts, and the indicators per village and facilitator against a hand count, with the
regency report's workbook."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from models.graduation import ReadinessRule
from models.households import Facilitator, Household
from models.monitoring import BusinessCheckin
from models.notifications import Notification
from models.referrals import ReferralStatus
from models.users import AuditEvent, Role
from service.graduation.notices import notify_five_years
from service.settings import Settings
from tests.conftest import login_form, sign_in
from tests.factories import (
    KEBON_JAYANTI,
    PASSWORD,
    business,
    facilitator,
    forum,
    household,
    organization,
    program,
    referral,
    user,
)

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
TODAY = Settings().today()
OTHER_VILLAGE = "32.73.16.1001"  # another kelurahan of Kiaracondong, Kota Bandung
JAKTIM_VILLAGE = "31.75.03.1001"


@dataclass
class World:
    fac: str
    other: str
    admin: str
    agency: str
    organiser: str
    ready: int  # every indicator met
    halfway: int  # agreed and long in PKH, no check-ins, young business, two children at school age
    fresh: int  # joined this year, nothing known
    theirs: int  # another facilitator's family
    ready_business: int


def checkins(session: Session, h: Household, business_id: int, revenues: list[int]) -> None:
    """One check-in a month, the newest ``revenues[0]`` five days ago."""
    assert h.id is not None
    for i, revenue in enumerate(revenues):
        session.add(
            BusinessCheckin(
                business_id=business_id,
                household_id=h.id,
                checked_on=TODAY - timedelta(days=5 + 30 * i),
                monthly_revenue=revenue,
            )
        )


def build(session: Session) -> World:
    mine = facilitator(session, villages=(KEBON_JAYANTI, OTHER_VILLAGE))
    other = facilitator(session, villages=(JAKTIM_VILLAGE,))
    ready = household(
        session, facilitator=mine, head_name="Ibu Siap Lulus", pkh_joined_year=TODAY.year - 5,
        agreed_to_graduate=True, school_age_children=0,
    )  # fmt: skip
    b = business(session, ready, started_on=TODAY - timedelta(days=3 * 365))
    assert b.id is not None
    checkins(session, ready, b.id, [3_000_000, 2_800_000, 2_500_000])
    halfway = household(
        session, facilitator=mine, head_name="Ibu Setengah", pkh_joined_year=TODAY.year - 4,
        agreed_to_graduate=True, school_age_children=2, village_code=OTHER_VILLAGE,
    )  # fmt: skip
    business(session, halfway, started_on=TODAY - timedelta(days=200))
    fresh = household(session, facilitator=mine, head_name="Ibu Baru", pkh_joined_year=TODAY.year)
    theirs = household(session, facilitator=other, village_code=JAKTIM_VILLAGE, pkh_joined_year=TODAY.year - 6)
    agency = organization(session)
    program(session, agency)
    bandung = forum(session)
    world = World(
        fac=user(session, Role.facilitator, facilitator=mine).username,
        other=user(session, Role.facilitator, facilitator=other).username,
        admin=user(session, Role.admin).username,
        agency=user(session, Role.agency_staff, organization=agency).username,
        organiser=user(session, Role.forum_organizer, forum=bandung).username,
        ready=ready.id or 0,
        halfway=halfway.id or 0,
        fresh=fresh.id or 0,
        theirs=theirs.id or 0,
        ready_business=b.id,
    )
    session.commit()
    return world


def test_readiness_scores_the_family_and_names_what_is_missing(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    h = sign_in(bare_client, w.fac, PASSWORD)
    ready = bare_client.get(f"/api/v1/households/{w.ready}/readiness", headers=h)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["score"] == 100 and body["missing"] == [] and body["rules_region"] is None
    by_name = {i["name"]: i for i in body["indicators"]}
    assert by_name["revenue_3m"] == {
        "name": "revenue_3m", "met": True, "value": 2_500_000, "weight": 35, "threshold": 2_000_000
    }  # fmt: skip
    assert by_name["years_in_pkh"]["value"] == 5 and by_name["business_age"]["value"] >= 35

    halfway = bare_client.get(f"/api/v1/households/{w.halfway}/readiness", headers=h).json()
    # agreed (20) and 4 years in PKH (15) of 100: revenue unknown, business too young, two children
    assert halfway["score"] == 35
    assert halfway["missing"] == ["revenue_3m", "business_age", "children_covered"]
    revenue = next(i for i in halfway["indicators"] if i["name"] == "revenue_3m")
    assert revenue["met"] is False and revenue["value"] is None

    assert bare_client.get(f"/api/v1/households/{w.theirs}/readiness", headers=h).status_code == 404
    agency = sign_in(bare_client, w.agency, PASSWORD)
    assert bare_client.get(f"/api/v1/households/{w.ready}/readiness", headers=agency).status_code == 404


def test_the_most_specific_region_rules_win(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    admin = sign_in(bare_client, w.admin, PASSWORD)
    # Kota Bandung asks only for the agreement and 5 years; Kiaracondong's kelurahan 1001 only for the agreement.
    put = bare_client.put(
        "/api/v1/readiness/rules",
        json={"region_code": "32.73", "indicators": [
            {"name": "agreed", "weight": 1}, {"name": "years_in_pkh", "weight": 1, "threshold": 5}]},
        headers=admin,
    )  # fmt: skip
    assert put.status_code == 200, put.text
    assert bare_client.put(
        "/api/v1/readiness/rules",
        json={"region_code": OTHER_VILLAGE, "indicators": [{"name": "agreed", "weight": 3}]},
        headers=admin,
    ).status_code == 200  # fmt: skip
    h = sign_in(bare_client, w.fac, PASSWORD)
    halfway = bare_client.get(f"/api/v1/households/{w.halfway}/readiness", headers=h).json()
    assert halfway["rules_region"] == OTHER_VILLAGE and halfway["score"] == 100
    assert [i["name"] for i in halfway["indicators"]] == ["agreed"]
    ready = bare_client.get(f"/api/v1/households/{w.ready}/readiness", headers=h).json()
    assert ready["rules_region"] == "32.73" and ready["score"] == 100
    rules = bare_client.get("/api/v1/readiness/rules", params={"region": KEBON_JAYANTI}, headers=h).json()
    assert rules["region_code"] == "32.73" and len(rules["indicators"]) == 2
    assert bare_session.exec(select(ReadinessRule)).all()
    # bad input: an indicator twice, an unknown indicator, an unknown region, a facilitator writing
    twice = bare_client.put(
        "/api/v1/readiness/rules",
        json={"indicators": [{"name": "agreed", "weight": 1}, {"name": "agreed", "weight": 2}]},
        headers=admin,
    )
    assert twice.status_code == 422 and twice.json()["detail"][0]["loc"] == ["body", "indicators"]
    unknown = bare_client.put(
        "/api/v1/readiness/rules", json={"indicators": [{"name": "luck", "weight": 1}]}, headers=admin
    )
    assert unknown.status_code == 422
    nowhere = bare_client.put(
        "/api/v1/readiness/rules",
        json={"region_code": "99.99", "indicators": [{"name": "agreed", "weight": 1}]},
        headers=admin,
    )
    assert nowhere.status_code == 422 and "99.99" in nowhere.text
    assert bare_client.put(
        "/api/v1/readiness/rules", json={"indicators": [{"name": "agreed", "weight": 1}]}, headers=h
    ).status_code == 403  # fmt: skip


def test_potential_list_ranks_the_caseload_by_readiness(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    h = sign_in(bare_client, w.fac, PASSWORD)
    listed = bare_client.get("/api/v1/readiness", headers=h)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 3 and body["limit"] == 50 and body["offset"] == 0
    assert [i["household_id"] for i in body["items"]] == [w.ready, w.halfway, w.fresh]
    assert [i["score"] for i in body["items"]] == [100, 35, 0]
    assert body["items"][1]["near_five_years"] is True and body["items"][1]["has_pathway"] is False
    second = bare_client.get("/api/v1/readiness?limit=1&offset=1", headers=h).json()
    assert [i["household_id"] for i in second["items"]] == [w.halfway] and second["total"] == 3
    agency = sign_in(bare_client, w.agency, PASSWORD)
    assert bare_client.get("/api/v1/readiness", headers=agency).status_code == 403

    _sign_in_page(bare_client, w.fac)
    page = bare_client.get("/kpm/potensial")
    assert page.status_code == 200
    order = [page.text.index(name) for name in ("Ibu Siap Lulus", "Ibu Setengah", "Ibu Baru")]
    assert order == sorted(order)
    assert "Omzet di atas ambang 3 bulan terakhir" in page.text and "revenue_3m" not in page.text


def _sign_in_page(client: TestClient, username: str) -> None:
    """Sign ``username`` in to the pages (the session cookie stays on the client)."""
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_record_graduation_sets_the_status_and_refuses_twice(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    h = sign_in(bare_client, w.fac, PASSWORD)
    url = f"/api/v1/households/{w.ready}/graduation"
    day = (TODAY - timedelta(days=3)).isoformat()
    future = bare_client.post(
        url, json={"graduated_on": (TODAY + timedelta(days=1)).isoformat(), "type": "graduated_self_sufficient"},
        headers=h,
    )  # fmt: skip
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "graduated_on"]
    wrong = bare_client.post(url, json={"graduated_on": day, "type": "exited"}, headers=h)
    assert wrong.status_code == 422 and "type" in wrong.text
    made = bare_client.post(
        url, json={"graduated_on": day, "type": "graduated_self_sufficient", "reason": "Warung stabil"}, headers=h
    )
    assert made.status_code == 201, made.text
    assert made.json()["pkh_status"] == "graduated_self_sufficient" and made.json()["graduated_on"] == day
    family = bare_client.get(f"/api/v1/households/{w.ready}", headers=h).json()
    assert family["pkh_status"] == "graduated_self_sufficient"
    bare_session.expire_all()
    stored = bare_session.get(Household, w.ready)
    assert stored is not None and stored.exited_on == TODAY - timedelta(days=3)
    again = bare_client.post(url, json={"graduated_on": day, "type": "graduated_natural"}, headers=h)
    assert again.status_code == 409
    theirs = bare_client.post(
        f"/api/v1/households/{w.theirs}/graduation", json={"graduated_on": day, "type": "graduated_natural"}, headers=h
    )
    assert theirs.status_code == 404
    events = bare_session.exec(select(AuditEvent.action, AuditEvent.entity)).all()
    assert ("create", "graduation") in events
    # check-ins go on after graduation (12 months of follow-up)
    checkin = bare_client.post(
        f"/api/v1/households/{w.ready}/businesses/{w.ready_business}/checkins",
        json={"checked_on": TODAY.isoformat(), "monthly_revenue": 3_100_000},
        headers=h,
    )
    assert checkin.status_code == 201, checkin.text
    # the graduated family leaves the potential list
    assert w.ready not in [i["household_id"] for i in bare_client.get("/api/v1/readiness", headers=h).json()["items"]]


def test_graduation_page_records_with_labels(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    _sign_in_page(bare_client, w.fac)
    page = bare_client.get(f"/kpm/{w.halfway}/lulus")
    assert page.status_code == 200
    assert "Graduasi alamiah" in page.text and "graduated_natural<" not in page.text
    assert "35" in page.text
    token = CSRF.search(page.text)
    assert token
    form = {"csrf": token.group(1), "graduated_on": TODAY.isoformat(), "type": "graduated_natural", "reason": "Pindah"}
    saved = bare_client.post(f"/kpm/{w.halfway}/lulus", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/kpm/{w.halfway}?ok=graduated"
    family = bare_client.get(f"/kpm/{w.halfway}?ok=graduated")
    assert "Graduasi tersimpan" in family.text
    twice = bare_client.post(f"/kpm/{w.halfway}/lulus", data=form, follow_redirects=False)
    assert twice.status_code == 409 and "sudah keluar dari PKH" in twice.text
    theirs = bare_client.get(f"/kpm/{w.theirs}/lulus")
    assert theirs.status_code == 404


def test_five_year_alerts_on_home_and_notified_once(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    _sign_in_page(bare_client, w.fac)
    home = bare_client.get("/")
    assert "Hampir 5 tahun di PKH tanpa jalur" in home.text
    assert "Ibu Setengah" in home.text and "Ibu Siap Lulus" in home.text and "Ibu Baru" not in home.text
    # a completed referral stands in for a pathway: that family is no longer alerted
    ready = bare_session.get(Household, w.ready)
    assert ready is not None
    referral(bare_session, ready, program(bare_session, organization(bare_session)), status=ReferralStatus.completed)
    bare_session.commit()
    _sign_in_page(bare_client, w.fac)
    home = bare_client.get("/")
    assert "Ibu Setengah" in home.text and "Ibu Siap Lulus" not in home.text
    assert notify_five_years(bare_session, today=TODAY) == 2  # halfway, and the other facilitator's family
    assert notify_five_years(bare_session, today=TODAY) == 2  # told again, stored once (once_key)
    stored = bare_session.exec(select(Notification).where(Notification.event == "graduation.five_years")).all()
    assert len(stored) == 2


def _graduate(session: Session, h: Household, kind: str, on: date) -> None:
    h.pkh_status = kind  # type: ignore[assignment]
    h.exited_on = on
    session.add(h)


def test_indicators_match_a_hand_count(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    pendamping = bare_session.get(Household, w.ready)
    assert pendamping is not None and pendamping.facilitator_id is not None
    year = TODAY.year - 1
    mine = bare_session.get(Facilitator, pendamping.facilitator_id)
    assert mine is not None
    # last year in Kebon Jayanti: 6 self-sufficient and 2 natural graduations; 1 natural two years ago
    for kind, n, on in (
        ("graduated_self_sufficient", 6, date(year, 3, 1)),
        ("graduated_natural", 2, date(year, 7, 1)),
        ("graduated_natural", 1, date(year - 1, 7, 1)),
    ):
        for _ in range(n):
            _graduate(bare_session, household(bare_session, facilitator=mine), kind, on)
    bare_session.commit()
    h = sign_in(bare_client, w.fac, PASSWORD)
    got = bare_client.get("/api/v1/indicators", params={"year": year}, headers=h)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["exact"] is True and body["months"] == 12
    kj = next(v for v in body["villages"] if v["code"] == KEBON_JAYANTI)
    # Kebon Jayanti: 8 graduations last year (6 + 2), active: ready and fresh; one owns a business
    # checked 5 days ago (coverage 1 of 1)
    assert (kj["graduated_self_sufficient"], kj["graduated_natural"], kj["caseload"]) == (6, 2, 2)
    assert kj["self_sufficient_share"] == 0.75 and kj["business_families"] == 1 and kj["checkin_coverage"] == 1.0
    assert kj["graduations_per_month"] == round(8 / 12, 2) and kj["on_target"] is False
    other = next(v for v in body["villages"] if v["code"] == OTHER_VILLAGE)
    assert (other["caseload"], other["business_families"], other["checkin_coverage"]) == (1, 1, 0.0)
    assert [f["code"] for f in body["facilitators"]] == [str(mine.id)]  # only their own
    me = body["facilitators"][0]
    assert (me["graduated_self_sufficient"], me["graduated_natural"], me["caseload"]) == (6, 2, 3)
    assert me["over_caseload_mark"] is False and me["caseload_mark"] == 200
    assert body["total"]["graduated_self_sufficient"] == 6 and body["total"]["checkin_coverage"] == 0.5

    # the organiser sees the region's aggregates, small counts withheld and the rest rounded
    org = sign_in(bare_client, w.organiser, PASSWORD)
    seen = bare_client.get("/api/v1/indicators", params={"year": year}, headers=org).json()
    assert seen["exact"] is False and seen["region"] == "32.73"
    kj = next(v for v in seen["villages"] if v["code"] == KEBON_JAYANTI)
    assert kj["graduated_self_sufficient"] == 5 and kj["graduated_natural"] is None  # 6 -> 5, 2 withheld
    assert kj["self_sufficient_share"] is None and kj["caseload"] is None
    assert {f["code"] for f in seen["facilitators"]} == {str(mine.id)}  # Jakarta Timur's is not in Bandung
    assert bare_client.get("/api/v1/indicators", params={"region": "31.75"}, headers=org).status_code == 404
    agency = sign_in(bare_client, w.agency, PASSWORD)
    assert bare_client.get("/api/v1/indicators", headers=agency).status_code == 403
    assert bare_client.get("/api/v1/indicators", params={"year": 1900}, headers=h).status_code == 422
    assert bare_client.get("/api/v1/indicators", params={"region": "32.x"}, headers=h).status_code == 422

    # the regency report: a workbook openpyxl opens, and the printable page
    admin = sign_in(bare_client, w.admin, PASSWORD)
    xlsx = bare_client.get("/api/v1/indicators/report.xlsx", params={"region": "32.73", "year": year}, headers=admin)
    assert xlsx.status_code == 200, xlsx.text
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["desa", "pendamping"]
    rows = list(book["desa"].iter_rows(values_only=True))
    assert rows[1][:4] == ("Nama", "Kode", "Graduasi mandiri", "Graduasi alamiah")
    kj_row = next(r for r in rows if r[1] == KEBON_JAYANTI)
    assert kj_row[2:4] == (6, 2)
    assert bare_client.get("/api/v1/indicators/report.xlsx", headers=h).status_code == 403
    _sign_in_page(bare_client, w.organiser)
    printed = bare_client.get("/laporan/kelulusan", params={"region": "32.73", "year": year})
    assert printed.status_code == 200 and "Graduasi sejahtera mandiri" in printed.text and "&lt; 5" in printed.text
    assert bare_client.get("/laporan/kelulusan", params={"year": "abc"}).status_code == 422
    workbook = bare_client.get("/laporan/kelulusan.xlsx", params={"year": year})
    assert workbook.status_code == 200
    load_workbook(io.BytesIO(workbook.content))
    _sign_in_page(bare_client, w.fac)
    refused = bare_client.get("/laporan/kelulusan")
    assert refused.status_code == 403


def test_check_ins_are_due_for_twelve_months_after_graduation(bare_client: TestClient, bare_session: Session) -> None:
    w = build(bare_session)
    mine = bare_session.get(Household, w.ready)
    assert mine is not None and mine.facilitator_id is not None
    pendamping = bare_session.get(Facilitator, mine.facilitator_id)
    recent = household(bare_session, facilitator=pendamping, head_name="Ibu Lulus Baru")
    long_ago = household(bare_session, facilitator=pendamping, head_name="Ibu Lulus Lama")
    for h, days in ((recent, 60), (long_ago, 400)):
        business(bare_session, h, started_on=TODAY - timedelta(days=900))
        _graduate(bare_session, h, "graduated_self_sufficient", TODAY - timedelta(days=days))
    bare_session.commit()
    _sign_in_page(bare_client, w.fac)
    rows = {
        name: line
        for line in bare_client.get("/kpm").text.splitlines()
        for name in ("Ibu Lulus Baru", "Ibu Lulus Lama")
        if name in line
    }
    assert "Perlu kunjungan usaha" in rows["Ibu Lulus Baru"]
    assert "Perlu kunjungan usaha" not in rows["Ibu Lulus Lama"]
    page = bare_client.get(f"/kpm/{long_ago.id}/lulus")
    assert "Masa pemantauan 12 bulan setelah graduasi sudah selesai" in page.text
