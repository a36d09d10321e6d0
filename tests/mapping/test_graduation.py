"""The readiness computation on plain arrays: the revenue windows, the score and missing indicators,
the most specific region's rules, the ranking, the follow-up window and the indicator ratios."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from mapping.graduation import (
    DEFAULT_RULES,
    FamilyFacts,
    Rule,
    in_follow_up,
    months_of_year,
    near_five_years,
    per_month,
    ranked,
    readiness,
    revenue_windows,
    rules_for_region,
    share,
)

TODAY = date(2026, 12, 8)


def test_revenue_windows_sum_each_business_latest_check_in() -> None:
    checkins = pd.DataFrame(
        [
            (1, 10, date(2026, 12, 1), 1_000_000),
            (1, 10, date(2026, 11, 20), 900_000),  # same window, older: not counted
            (1, 11, date(2026, 11, 25), 1_500_000),  # a second business of the family
            (1, 10, date(2026, 10, 30), 2_000_000),
            (1, 10, date(2026, 9, 1), 5_000_000),  # 98 days ago: outside the three windows
            (2, 20, date(2026, 12, 9), 7_000_000),  # tomorrow: ignored
        ],
        columns=["household_id", "business_id", "checked_on", "monthly_revenue"],
    )
    got = revenue_windows(checkins, np.array([1, 2, 3], dtype=np.int64), TODAY)
    assert got[0, 0] == 2_500_000 and got[0, 1] == 2_000_000 and np.isnan(got[0, 2])
    assert np.isnan(got[1:]).all()


def test_readiness_scores_weights_of_met_indicators_and_lists_the_rest() -> None:
    facts = FamilyFacts(
        household_id=np.array([7, 8], dtype=np.int64),
        revenue_windows=np.array([[3e6, 2.5e6, 2e6], [3e6, np.nan, 3e6]]),
        business_months=np.array([30.0, np.nan]),
        school_age_children=np.array([0.0, 1.0]),
        agreed=np.array([1.0, np.nan]),
        joined_year=np.array([2020.0, 2025.0]),
    )
    result = readiness(facts, [DEFAULT_RULES], np.zeros(2, dtype=np.int64), TODAY)
    assert result.score.tolist() == [100, 0]
    assert result.missing(0) == [] and result.missing(1) == list(result.names)
    assert result.value[0, 0] == 2e6 and np.isnan(result.value[1, 0])  # the lowest month; a gap: unknown
    assert ranked(result).tolist() == [0, 1]
    custom = readiness(facts, [(Rule("agreed", 1.0), Rule("children_covered", 1.0, 1))], np.zeros(2, np.int64), TODAY)
    assert custom.score.tolist() == [100, 50] and custom.missing(1) == ["agreed"]


def test_the_most_specific_region_rules_win() -> None:
    sets = {None: [Rule("agreed", 1)], "32.73": [Rule("years_in_pkh", 1)], "32.73.16": [Rule("business_age", 1)]}
    assert rules_for_region("32.73.16.1002", sets)[0] == "32.73.16"
    assert rules_for_region("32.73.01.1001", sets)[0] == "32.73"
    assert rules_for_region("31.75.03.1001", sets) == (None, [Rule("agreed", 1)])
    assert rules_for_region("31.75.03.1001", {}) == (None, DEFAULT_RULES)
    assert rules_for_region("32.731.01", {"32.73": []})[0] is None  # a prefix of digits is not a region


def test_follow_up_five_years_and_ratios() -> None:
    assert in_follow_up(date(2026, 1, 9), TODAY) and not in_follow_up(date(2025, 12, 8), TODAY)
    assert near_five_years(np.array([2022.0, 2023.0, np.nan]), TODAY).tolist() == [True, False, False]
    assert months_of_year(2025, TODAY) == 12 and months_of_year(2026, TODAY) == 12 and months_of_year(2027, TODAY) == 0
    assert months_of_year(2026, date(2026, 3, 1)) == 3
    assert per_month(8, 12) == 0.67 and per_month(None, 12) is None and per_month(3, 0) is None
    assert share(3, 4) == 0.75 and share(None, 4) is None and share(0, 0) is None
