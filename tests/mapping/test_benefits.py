"""The double-funding guard and the certificates a programme gives, as plain functions."""

from __future__ import annotations

from datetime import date

from mapping.benefits import PastBenefit, certificates_given, funding_warnings, months_before

TODAY = date(2026, 12, 8)


def grant(n: int, received: date, kind: str = "capital_grant", need: str = "capital", **extra: object) -> PastBenefit:
    return PastBenefit(benefit_id=n, kind=kind, need=need, received_on=received, **extra)  # type: ignore[arg-type]


def test_a_grant_last_month_warns_a_loan_for_the_same_need() -> None:
    record = [grant(1, date(2026, 11, 8), amount=2_400_000, organization_name="Kemensos")]
    (warning,) = funding_warnings(record, kind="loan", today=TODAY, months=12)
    assert (warning.code, warning.need, warning.since) == ("already_funded", "capital", date(2026, 11, 8))
    assert warning.benefits[0].organization_name == "Kemensos"


def test_the_period_counts_back_whole_months_and_the_latest_benefit_is_since() -> None:
    record = [grant(1, date(2025, 12, 8)), grant(2, date(2025, 12, 9)), grant(3, date(2026, 3, 1), kind="loan")]
    (warning,) = funding_warnings(record, kind="capital_grant", today=TODAY, months=12)
    assert warning.since == date(2026, 3, 1) and [b.benefit_id for b in warning.benefits] == [3, 2]
    assert funding_warnings(record[:1], kind="capital_grant", today=TODAY, months=12) == []
    assert [w.since for w in funding_warnings(record, kind="loan", today=TODAY, months=10)] == [date(2026, 3, 1)]
    assert funding_warnings(record, kind="loan", today=TODAY, months=2) == []


def test_other_needs_and_kinds_are_not_double_funding() -> None:
    record = [grant(1, date(2026, 11, 1)), grant(2, date(2026, 11, 1), kind="training", need="training")]
    assert funding_warnings(record, kind="equipment", today=TODAY, months=12) == []  # meets equipment first
    assert funding_warnings(record, kind="training", today=TODAY, months=12) == []
    assert funding_warnings(record, kind="certification", today=TODAY, months=12) == []
    # A completed referral is not its own double; a benefit dated after today does not count.
    own = [grant(3, date(2026, 11, 1), referral_id=7)]
    assert funding_warnings(own, kind="capital_grant", today=TODAY, months=12, excluding_referral=7) == []
    assert funding_warnings([grant(4, date(2026, 12, 9))], kind="loan", today=TODAY, months=12) == []


def test_months_before_clamps_to_the_months_last_day() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 12, 8), 12) == date(2025, 12, 8)


def test_certification_programmes_give_what_their_rule_asks_to_lack_and_their_name_states() -> None:
    halal = {"all": [{"field": "business.sector", "op": "eq", "value": "culinary"},
                     {"field": "business.has_halal", "op": "ne", "value": True}]}  # fmt: skip
    assert certificates_given("certification", halal, "Fasilitasi Label") == ["halal"]
    pirt = {"all": [{"field": "business.has_pirt", "op": "eq", "value": False}]}
    assert certificates_given("certification", pirt, "Fasilitasi Perizinan NIB dan PIRT") == ["nib", "pirt"]
    assert certificates_given("certification", None, "Sertifikasi Halal Gratis") == ["halal"]
    assert certificates_given("certification", None, "Pendampingan mutu") == []
    assert certificates_given("training", halal, "Pelatihan halal") == []
