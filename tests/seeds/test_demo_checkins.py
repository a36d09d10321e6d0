"""The demo's check-in histories: monthly, at most 24, none before the business started or in the
future, the latest equal to the business's current facts, some businesses due; the same every run."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, select

from mapping.monitoring import is_due
from models.households import Business
from models.monitoring import BusinessCheckin
from models.organizations import Program, ProgramKind
from models.referrals import Referral, ReferralStatus
from seeds.checkins import BusinessNow, history
from service.settings import Settings


def test_demo_businesses_have_monthly_histories_ending_in_their_facts(session: Session) -> None:
    today = Settings().today()
    by_business: dict[int, list[BusinessCheckin]] = defaultdict(list)
    for c in session.exec(select(BusinessCheckin).order_by(BusinessCheckin.checked_on)):
        by_business[c.business_id].append(c)
    businesses = {b.id: b for b in session.exec(select(Business))}
    assert len(by_business) > 300
    assert max(len(v) for v in by_business.values()) == 24
    due = 0
    for bid, checkins in by_business.items():
        b = businesses[bid]
        last = checkins[-1]
        assert last.monthly_revenue == b.monthly_revenue and last.workers == b.workers
        assert last.sales_channels == b.sales_channels
        assert ("halal" in last.certifications) == bool(b.has_halal)
        assert all(c.checked_on <= today for c in checkins)
        assert len({c.checked_on for c in checkins}) == len(checkins)  # one a month, the facts' one last
        assert b.started_on is None or checkins[0].checked_on >= b.started_on
        assert all(c.monthly_revenue > 0 for c in checkins)
        due += is_due(last.checked_on, today)
    assert 0 < due < len(by_business) / 2
    repaying = {c.household_id for v in by_business.values() for c in v if c.loan_status is not None}
    loans = set(
        session.exec(
            select(Referral.household_id)
            .join(Program, Program.id == Referral.program_id)
            .where(Referral.status == ReferralStatus.completed, Program.kind == ProgramKind.loan)
        )
    )
    assert repaying and repaying <= loans  # only where a loan programme was completed


def test_a_history_is_the_same_every_run_and_starts_no_earlier_than_the_business() -> None:
    now = BusinessNow("KJ-1:Warung", date(2026, 5, 20), 2_000_000, 1, ["whatsapp"], ["nib"])
    first = history("seed", now, date(2026, 12, 8))
    assert first == history("seed", now, date(2026, 12, 8))
    assert 1 <= len(first) <= 8 and first[0]["checked_on"] >= date(2026, 5, 20)
    assert first[-1]["monthly_revenue"] == 2_000_000 and first[-1]["certifications"] == ["nib"]
    assert history("seed", BusinessNow("x", None, None, None, [], []), date(2026, 12, 8)) == []
