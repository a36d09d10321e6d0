"""Synthetic check-in histories for the demo's businesses (issue #14.1, #14.8).

Deterministic: each business's history follows from the demo's seed, its key and ``today``. Up to
24 monthly visits ending in the business's current facts (its latest check-in equals them), none
before the business started; about one business in five was last visited over a month ago, so the
family page and the caseload have check-ins due to show. No real person's data.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

MONTHS = 24
CERTIFICATES = ("nib", "pirt", "halal")


@dataclass(frozen=True)
class BusinessNow:
    """A business's current facts, as the demo stored them."""

    key: str  # stable across runs: the household's PKH id and the business's name
    started_on: date | None
    monthly_revenue: int | None
    workers: int | None
    sales_channels: Sequence[str]
    certificates: Sequence[str]  # of CERTIFICATES, those it holds now


def _months_back(today: date, months: int, day: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def _round(amount: float) -> int:
    return max(100_000, round(amount / 25_000) * 25_000)


def history(seed: str, business: BusinessNow, today: date) -> list[dict[str, Any]]:
    """The check-ins of one business, oldest first, as column values (without ids)."""
    if business.monthly_revenue is None:
        return []  # nothing ever recorded: the business is due a first check-in
    rng = random.Random(f"{seed}:checkins:{business.key}")
    lag = rng.choices((0, 1, 2, 4), weights=(80, 10, 6, 4))[0]  # months since the last visit
    visit_day = rng.randint(1, 28)
    days: list[date] = []
    for back in range(lag, lag + MONTHS):
        day = _months_back(today, back, visit_day)
        if back == 0 and day >= today:  # this month's visit is due later: it came a few days ago
            previous = _months_back(today, 1, visit_day)
            day = min(today, max(previous + timedelta(days=1), today - timedelta(days=rng.randint(1, 6))))
        if business.started_on is not None and day < business.started_on:
            break
        days.append(day)
    days.reverse()
    if not days:
        return []
    trend = rng.uniform(-0.01, 0.035)  # the month-on-month drift, backwards from today's revenue
    revenues = [business.monthly_revenue]
    for _ in days[1:]:
        step = 1 + trend + rng.gauss(0, 0.06)
        revenues.append(_round(revenues[-1] / max(0.7, step)))
    revenues.reverse()
    revenues[-1] = business.monthly_revenue
    gained = {c: rng.randrange(len(days)) for c in business.certificates}  # when each certificate came
    rows = []
    for i, (day, revenue) in enumerate(zip(days, revenues, strict=True)):
        workers = business.workers
        if workers and i < len(days) // 2 and rng.random() < 0.5:
            workers -= 1
        rows.append(
            {
                "checked_on": day,
                "monthly_revenue": revenue,
                "monthly_costs": _round(revenue * rng.uniform(0.45, 0.8)) if rng.random() < 0.7 else None,
                "workers": workers,
                "sales_channels": list(business.sales_channels),
                "certifications": [c for c in CERTIFICATES if c in gained and gained[c] <= i],
                "loan_status": None,
                "note": None,
            }
        )
    return rows
