"""Graduation on the demo: graduated families carry a record of both types (the same every run),
the readiness of every Kebon Jayanti family equals a plain per-family computation, and the
facilitator's indicators equal a hand count of the demo's rows."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.graduation import Graduation
from models.households import Business, Facilitator, Household, PkhStatus
from models.monitoring import BusinessCheckin
from models.users import User
from seeds.demo import DEMO_CASES, SEED
from seeds.graduations import graduation_row
from service.settings import Settings

TODAY = Settings().today()
GRADUATED = (PkhStatus.graduated_self_sufficient, PkhStatus.graduated_natural)


def test_demo_graduations_have_records_of_both_types(session: Session) -> None:
    graduated = session.exec(select(Household).where(col(Household.pkh_status).in_(GRADUATED))).all()
    records = {g.household_id: g for g in session.exec(select(Graduation)).all()}
    assert graduated and {h.id for h in graduated} == set(records)
    assert Counter(str(g.type) for g in records.values()).keys() == {
        "graduated_self_sufficient",
        "graduated_natural",
    }
    for h in graduated:
        g = records[h.id or 0]
        assert str(g.type) == str(h.pkh_status) and h.exited_on == g.graduated_on <= TODAY and g.reason
    again = graduation_row(SEED, graduated[0].pkh_id, str(graduated[0].pkh_status), graduated[0].pkh_joined_year, TODAY)
    assert again["graduated_on"] == records[graduated[0].id or 0].graduated_on


def _months(started: date | None) -> int | None:
    if started is None:
        return None
    return (TODAY.year - started.year) * 12 + TODAY.month - started.month - (TODAY.day < started.day)


def _by_hand(session: Session, h: Household) -> tuple[int, list[str]]:
    """The default rules, family by family, in plain Python."""
    businesses = session.exec(select(Business).where(Business.household_id == h.id)).all()
    windows: list[int | None] = []
    for w in range(3):
        total, seen = 0, False
        for b in businesses:
            inside = [
                c
                for c in session.exec(select(BusinessCheckin).where(BusinessCheckin.business_id == b.id)).all()
                if w * 30 <= (TODAY - c.checked_on).days < (w + 1) * 30
            ]
            if inside:
                seen = True
                total += max(inside, key=lambda c: (c.checked_on, c.id or 0)).monthly_revenue
        windows.append(total if seen else None)
    starts = [b.started_on for b in businesses if b.started_on is not None]
    months = _months(min(starts)) if starts else None
    met = {
        "revenue_3m": all(v is not None and v >= 2_000_000 for v in windows),
        "business_age": months is not None and months >= 24,
        "children_covered": h.school_age_children is not None and h.school_age_children <= 0,
        "agreed": h.agreed_to_graduate is True,
        "years_in_pkh": h.pkh_joined_year is not None and TODAY.year - h.pkh_joined_year >= 4,
    }
    weights = {"revenue_3m": 35, "business_age": 15, "children_covered": 15, "agreed": 20, "years_in_pkh": 15}
    score = round(sum(weights[k] for k, ok in met.items() if ok))
    return score, [k for k, ok in met.items() if not ok]


def test_demo_readiness_equals_a_per_family_computation(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]]
) -> None:
    h = as_user("pendamping.kebonjayanti")
    listed = client.get("/api/v1/readiness?limit=500", headers=h)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert items and listed.json()["total"] == len(items)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)  # ranked
    for item in items:
        family = session.get(Household, item["household_id"])
        assert family is not None and family.pkh_status is PkhStatus.active
        assert (item["score"], item["missing"]) == _by_hand(session, family), family.pkh_id
    case = session.exec(select(Household).where(Household.pkh_id == DEMO_CASES["kebon_jayanti_age43_culinary"])).one()
    one = client.get(f"/api/v1/households/{case.id}/readiness", headers=h).json()
    met = {i["name"]: i["met"] for i in one["indicators"]}
    assert met["business_age"] and met["agreed"] and met["years_in_pkh"]  # 36 months, agreed, since 2016
    assert (one["score"], one["missing"]) == _by_hand(session, case)


def test_demo_indicators_equal_a_hand_count(
    client: TestClient, session: Session, as_user: Callable[[str], dict[str, str]]
) -> None:
    user = session.exec(select(User).where(User.username == "pendamping.kebonjayanti")).one()
    fid = user.facilitator_id
    assert fid is not None and session.get(Facilitator, fid) is not None
    families = session.exec(select(Household).where(Household.facilitator_id == fid)).all()
    owners = {b.household_id for b in session.exec(select(Business)).all()}
    recent = {
        c.household_id
        for c in session.exec(
            select(BusinessCheckin).where(col(BusinessCheckin.checked_on) > TODAY - timedelta(days=30))
        ).all()
    }
    for year in (TODAY.year, TODAY.year - 1):
        count: dict[str, int] = defaultdict(int)
        for f in families:
            if f.exited_on is not None and f.exited_on.year == year and f.pkh_status in GRADUATED:
                count[str(f.pkh_status)] += 1
            if f.pkh_status is PkhStatus.active:
                count["caseload"] += 1
                if f.id in owners:
                    count["owners"] += 1
                    count["covered"] += f.id in recent
        body = client.get("/api/v1/indicators", params={"year": year}, headers=as_user("pendamping.kebonjayanti"))
        assert body.status_code == 200, body.text
        (me,) = body.json()["facilitators"]
        assert me["graduated_self_sufficient"] == count["graduated_self_sufficient"]
        assert me["graduated_natural"] == count["graduated_natural"]
        assert me["caseload"] == count["caseload"] and me["business_families"] == count["owners"]
        assert me["checkin_coverage"] == round(count["covered"] / count["owners"], 2)
    both = client.get("/api/v1/indicators", params={"year": TODAY.year - 1}, headers=as_user("admin")).json()
    assert both["total"]["graduated_self_sufficient"] and both["total"]["graduated_natural"]


def test_demo_graduation_pages_stay_light_and_show_labels(client: TestClient, session: Session) -> None:
    from tests.web.test_facilitator_pages import sign_in as sign_in_pages

    sign_in_pages(client, "pendamping.kebonjayanti")
    case = session.exec(select(Household).where(Household.pkh_id == DEMO_CASES["kebon_jayanti_age43_culinary"])).one()
    for path in ("/kpm/potensial", f"/kpm/{case.id}/lulus", f"/kpm/{case.id}", "/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert len(page.content) < 200_000, (path, len(page.content))
        shown = re.sub(r"<[^>]*>", " ", page.text)  # the text, not the form's values
        assert "graduated_self_sufficient" not in shown and "revenue_3m" not in shown, path
    sign_in_pages(client, "forum.bandung")
    assert 'href="/laporan/kelulusan"' in client.get("/").text
    report = client.get("/laporan/kelulusan", params={"year": TODAY.year - 1})
    assert report.status_code == 200 and len(report.content) < 200_000
    assert "Graduasi sejahtera mandiri" in report.text and "graduated_natural" not in report.text
