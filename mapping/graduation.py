"""Graduation: a family's readiness to leave PKH, and the graduation indicators of villages and
facilitators.

Pure, columnar functions of plain arrays: the service loads a caseload's facts in a few queries
and scores every family in one pass (no per-family loop over the database).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

INDICATORS = ("revenue_3m", "business_age", "children_covered", "agreed", "years_in_pkh")
"""The indicators a readiness assessment may weigh, in the order they are shown."""

WINDOW_DAYS = 30
REVENUE_WINDOWS = 3
"""``revenue_3m`` looks at the last three 30-day windows up to today: each needs a check-in."""
FIVE_YEARS = 5
NEAR_FIVE_YEARS = 4
"""A family in PKH for this many years or more is near the 5-year mark."""
FOLLOW_UP_MONTHS = 12
"""Check-ins continue for this many months after a family graduates."""
CASELOAD_MARK = 200
"""The caseload a facilitator should not pass (Permensos: about 200 families per pendamping)."""
TARGET_PER_MONTH = 2.0
"""Graduations a month a facilitator is asked for (paper 002)."""


@dataclass(frozen=True)
class Rule:
    """One weighted indicator; ``threshold`` in rupiah, months, children or years by indicator."""

    indicator: str
    weight: float
    threshold: float | None = None


DEFAULT_THRESHOLDS: dict[str, float | None] = {
    "revenue_3m": 2_000_000.0,  # rupiah a month, every month of the last three
    "business_age": 24.0,  # months the oldest business has run
    "children_covered": 0.0,  # school-age children still relying on PKH's education component
    "agreed": None,
    "years_in_pkh": 4.0,  # years since joining PKH
}
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("revenue_3m", 35.0, DEFAULT_THRESHOLDS["revenue_3m"]),
    Rule("business_age", 15.0, DEFAULT_THRESHOLDS["business_age"]),
    Rule("children_covered", 15.0, DEFAULT_THRESHOLDS["children_covered"]),
    Rule("agreed", 20.0, None),
    Rule("years_in_pkh", 15.0, DEFAULT_THRESHOLDS["years_in_pkh"]),
)
"""The national default when no rule set is stored."""


def rules_for_region(
    village_code: str, rule_sets: Mapping[str | None, Sequence[Rule]]
) -> tuple[str | None, Sequence[Rule]]:
    """The rule set that assesses a family of ``village_code``: the most specific region holding it.

    Parameters
    ----------
    village_code : str
        The family's village (``32.73.01.1001``).
    rule_sets : mapping of str or None to sequences of Rule
        Each region's rules; ``None`` holds the national default (else ``DEFAULT_RULES``).

    Returns
    -------
    (str or None, sequence of Rule)
        The region whose rules apply (``None``: national) and the rules.
    """
    best: str | None = None
    for code in rule_sets:
        inside = code is not None and (village_code == code or village_code.startswith(code + "."))
        if inside and code is not None and (best is None or len(code) > len(best)):
            best = code
    if best is not None:
        return best, rule_sets[best]
    return None, rule_sets.get(None) or DEFAULT_RULES


@dataclass(frozen=True)
class FamilyFacts:
    """A caseload's facts, one row per family (arrays of equal length; NaN: unknown).

    ``revenue_windows`` is (families x 3): the family's revenue in each of the last three 30-day
    windows (the sum over its businesses of each one's latest check-in in the window; NaN: no check-in).
    """

    household_id: NDArray[np.int64]
    revenue_windows: NDArray[np.float64]
    business_months: NDArray[np.float64]  # the oldest business's age in months
    school_age_children: NDArray[np.float64]
    agreed: NDArray[np.float64]  # 1, 0 or NaN
    joined_year: NDArray[np.float64]


@dataclass(frozen=True)
class Readiness:
    """Each family's indicators (families x indicators of ``names``) and its score (0-100)."""

    household_id: NDArray[np.int64]
    names: tuple[str, ...]
    value: NDArray[np.float64]  # NaN: unknown
    met: NDArray[np.bool_]
    applies: NDArray[np.bool_]  # the indicator is in the family's rule set
    score: NDArray[np.int64]

    def missing(self, row: int) -> list[str]:
        """The indicators of the family at ``row`` that count and are not met."""
        return [n for j, n in enumerate(self.names) if self.applies[row, j] and not self.met[row, j]]


def revenue_windows(
    checkins: pd.DataFrame, household_ids: NDArray[np.int64], today: date, *, windows: int = REVENUE_WINDOWS
) -> NDArray[np.float64]:
    """Each family's revenue in each of the last ``windows`` 30-day windows.

    Parameters
    ----------
    checkins : DataFrame
        Columns ``household_id``, ``business_id``, ``checked_on`` (date) and ``monthly_revenue``.
    household_ids : array of int
        The families, in the order of the result's rows.
    today : date
        The last day of the newest window.
    windows : int
        How many windows (the newest first in the result's columns).

    Returns
    -------
    array (families x windows)
        The sum over a family's businesses of each one's latest revenue in the window; NaN when the
        family has no check-in in it.
    """
    out = np.full((len(household_ids), windows), np.nan)
    if checkins.empty or len(household_ids) == 0:
        return out
    age = (pd.Timestamp(today) - pd.to_datetime(checkins["checked_on"])).dt.days.to_numpy()
    keep = (age >= 0) & (age < windows * WINDOW_DAYS)
    frame = checkins.loc[keep, ["household_id", "business_id", "checked_on", "monthly_revenue"]].copy()
    frame["window"] = age[keep] // WINDOW_DAYS
    latest = frame.sort_values("checked_on").groupby(["household_id", "business_id", "window"]).tail(1)
    sums = latest.groupby(["household_id", "window"])["monthly_revenue"].sum()
    rows = pd.Index(household_ids).get_indexer(sums.index.get_level_values(0))
    cols = sums.index.get_level_values(1).to_numpy()
    found = rows >= 0
    out[rows[found], cols[found]] = sums.to_numpy(dtype=np.float64)[found]
    return out


def readiness(
    facts: FamilyFacts, rule_sets: Sequence[Sequence[Rule]], rule_index: NDArray[np.int64], today: date
) -> Readiness:
    """Score every family by its region's rules, in one columnar pass.

    Parameters
    ----------
    facts : FamilyFacts
        The families' facts.
    rule_sets : sequence of rule sequences
        The distinct rule sets in use.
    rule_index : array of int
        For each family, the index in ``rule_sets`` of its rules.
    today : date
        The day of the assessment.

    Returns
    -------
    Readiness
        Unknown facts count as not met; the score is the met share of the weights, 0-100.
    """
    n, k = len(facts.household_id), len(INDICATORS)
    weights = np.zeros((n, k))
    thresholds = np.full((n, k), np.nan)
    for s, rules in enumerate(rule_sets):
        rows = rule_index == s
        for rule in rules:
            j = INDICATORS.index(rule.indicator)
            weights[rows, j] = rule.weight
            default = DEFAULT_THRESHOLDS[rule.indicator]
            threshold = rule.threshold if rule.threshold is not None else default
            thresholds[rows, j] = np.nan if threshold is None else threshold
    revenue = facts.revenue_windows
    complete = ~np.isnan(revenue).any(axis=1)
    low = np.where(complete, np.nanmin(np.where(np.isnan(revenue), np.inf, revenue), axis=1), np.nan)
    years = today.year - facts.joined_year
    value = np.column_stack([low, facts.business_months, facts.school_age_children, facts.agreed, years]).astype(
        np.float64
    )
    with np.errstate(invalid="ignore"):
        met = np.column_stack(
            [
                value[:, 0] >= thresholds[:, 0],
                value[:, 1] >= thresholds[:, 1],
                value[:, 2] <= thresholds[:, 2],
                value[:, 3] == 1,
                value[:, 4] >= thresholds[:, 4],
            ]
        )
    met &= ~np.isnan(value)
    applies = weights > 0
    total = weights.sum(axis=1)
    score = np.where(total > 0, np.round(100 * (weights * met).sum(axis=1) / np.where(total > 0, total, 1)), 0)
    return Readiness(
        household_id=facts.household_id,
        names=INDICATORS,
        value=value,
        met=met & applies,
        applies=applies,
        score=score.astype(np.int64),
    )


def ranked(result: Readiness) -> NDArray[np.int64]:
    """Row order of the families, readiest first (ties: fewer missing indicators, then the id)."""
    missing = (result.applies & ~result.met).sum(axis=1)
    order: NDArray[np.int64] = np.lexsort((result.household_id, missing, -result.score)).astype(np.int64)
    return order


def near_five_years(joined_year: NDArray[np.float64], today: date) -> NDArray[np.bool_]:
    """The families in PKH for ``NEAR_FIVE_YEARS`` years or more (unknown: no)."""
    with np.errstate(invalid="ignore"):
        near: NDArray[np.bool_] = (today.year - joined_year) >= NEAR_FIVE_YEARS
    return near


def in_follow_up(exited_on: date | None, today: date, *, months: int = FOLLOW_UP_MONTHS) -> bool:
    """Whether a graduated family is still followed with check-ins (within ``months`` of leaving)."""
    if exited_on is None:
        return True
    elapsed = (today.year - exited_on.year) * 12 + today.month - exited_on.month - (today.day < exited_on.day)
    return elapsed < months


def months_of_year(year: int, today: date) -> int:
    """The months of ``year`` elapsed by ``today`` (12 for a past year, 0 for a future one)."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def per_month(count: int | None, months: int) -> float | None:
    """Graduations a month (``None`` when the count is withheld or no month elapsed)."""
    if count is None or months <= 0:
        return None
    return round(count / months, 2)


def share(part: int | None, whole: int | None) -> float | None:
    """``part`` of ``whole`` (0-1, two decimals); ``None`` when either is withheld or the whole is 0."""
    if part is None or not whole:
        return None
    return round(part / whole, 2)
