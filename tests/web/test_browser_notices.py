"""Notifications in headless Chromium at phone size: a referral Dinas Sosial left waiting eight
days shows as overdue; its staff see the count in the header, open the notice from the inbox and
land on the referral; the facilitator sees it overdue on the board with a WhatsApp link to the
agency."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.households import Facilitator
from models.organizations import Organization, Program
from models.referrals import Referral
from models.types import utcnow
from service.db import make_engine
from service.referrals import notify_overdue
from tests.conftest import settings_for
from tests.web.conftest import ARTIFACTS, sign_in_form
from tests.web.test_browser_referral import fits_the_phone, sign_out

pytestmark = pytest.mark.browser


def shoot(page: object, name: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.screenshot(path=str(ARTIFACTS / f"notices-{name}.png"), full_page=True)


def leave_waiting(db_url: str) -> int:
    """A demo referral of the Kebon Jayanti facilitator to Dinas Sosial, sent 8 days ago, told overdue."""
    engine = make_engine(settings_for(db_url))
    with Session(engine, expire_on_commit=False) as s:
        org = s.exec(select(Organization).where(Organization.name == "Dinas Sosial Kota Bandung")).one()
        kj = s.exec(select(Facilitator).where(Facilitator.name == "Nenden Sri Rahayu")).one()
        r = s.exec(
            select(Referral)
            .join(Program, col(Program.id) == col(Referral.program_id))
            .where(Program.organization_id == org.id, Referral.facilitator_id == kj.id, Referral.status == "sent")
            .order_by(col(Referral.id))
        ).first()
        assert r is not None and r.id is not None
        s.execute(
            sa.update(Referral).where(col(Referral.id) == r.id).values(status_changed_at=utcnow() - timedelta(days=8))
        )
        s.execute(sa.update(Organization).where(col(Organization.id) == org.id).values(phone="022-4206565"))
        s.commit()
        assert notify_overdue(s, days=7) >= 1
        referral_id = r.id
    engine.dispose()
    return referral_id


def test_an_overdue_referral_reaches_both_sides_on_a_phone(page: object, db_url: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    referral_id = leave_waiting(db_url)

    page.goto("/")
    sign_in_form(page, "dinsos.bandung")
    nav = page.get_by_role("navigation")
    expect(nav.locator(".ncount")).to_have_text(re.compile(r"^\d+$"))
    nav.get_by_role("link", name=re.compile("^Pemberitahuan")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pemberitahuan")
    notice = page.locator(".notices li").filter(has_text=f"Rujukan #{referral_id}").filter(has_text="8 hari")
    expect(notice).to_have_count(1)
    fits_the_phone(page)
    shoot(page, "1-agency-inbox")
    notice.get_by_role("button", name="Buka").click()
    expect(page).to_have_url(re.compile(rf"/rujukan/{referral_id}$"))
    expect(page.locator(".status-line .b-overdue")).to_have_text("Terlambat")
    fits_the_phone(page)
    shoot(page, "2-agency-referral")
    page.goto("/rujukan")
    expect(
        page.locator(".rc").filter(has=page.locator(f'a[href="/rujukan/{referral_id}"]')).locator(".b-overdue")
    ).to_have_count(1)
    sign_out(page)

    sign_in_form(page, "pendamping.kebonjayanti")
    page.goto("/rujukan")
    card = page.locator(".col-sent .rc").filter(has=page.locator(f'a[href="/rujukan/{referral_id}"]'))
    expect(card.locator(".b-overdue")).to_have_text("Terlambat")
    fits_the_phone(page)
    shoot(page, "3-facilitator-board")
    card.locator(f'a[href="/rujukan/{referral_id}"]').click()
    wa = page.get_by_role("link", name="WhatsApp ke Dinas Sosial Kota Bandung")
    expect(wa).to_have_attribute("href", re.compile(r"^https://wa\.me/62224206565\?text="))
    fits_the_phone(page)
    shoot(page, "4-facilitator-referral")
