"""Screening columns read straight from SQL equal those built from per-household facts."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlmodel import Session, select

from mapping.screening import screen
from models.households import Business, Household
from models.referrals import Referral, ReferralStatus
from service import matching as svc


def test_columns_from_sql_equal_columns_from_facts(session: Session) -> None:
    today = date.today()
    # Give one family a second business and a completed programme, so every path is covered.
    referral = session.exec(select(Referral)).first()
    assert referral is not None
    referral.status = ReferralStatus.completed
    owner = session.get(Household, referral.household_id)
    assert owner is not None and owner.id is not None
    session.add(Business(household_id=owner.id, sector="retail", needs=["capital", "marketing"], has_nib=True))
    session.add(referral)
    session.commit()

    households = session.exec(select(Household).order_by(Household.id)).all()
    expected = svc.HouseholdColumns.from_facts(svc.household_facts(session, households, today=today))
    got = svc.load_columns(session, [Household.id.is_not(None)], today=today)  # type: ignore[union-attr]
    assert got.household_ids.tolist() == expected.household_ids.tolist()
    assert got.row_starts.tolist() == expected.row_starts.tolist()
    assert got.has_business.tolist() == expected.has_business.tolist()
    assert got.needs.tolist() == expected.needs.tolist()
    for group in ("numbers", "flags", "choices"):
        mine, theirs = getattr(got, group), getattr(expected, group)
        assert mine.keys() == theirs.keys()
        for name in mine:
            np.testing.assert_array_equal(mine[name], theirs[name], err_msg=name)
    assert {k: v.tolist() for k, v in got.completed.items()} == {k: v.tolist() for k, v in expected.completed.items()}
    assert got.completed, "the completed referral is there"
    # Same regions (ids may be numbered differently): same partition of rows at every level.
    for mine, theirs in zip(got.regions, expected.regions, strict=True):
        pairs = set(zip(mine.tolist(), theirs.tolist(), strict=True))
        assert len(pairs) == len(set(mine.tolist())) == len(set(theirs.tolist()))
    programs = svc.published_catalog(session).compiled.programs
    assert (screen(got, programs, today=today) == screen(expected, programs, today=today)).all()
