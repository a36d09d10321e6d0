"""Graduation benchmark: readiness for a province's caseload in one columnar pass, against a
per-family loop on a sample (scaled).

Run from the repository root::

    .venv/bin/python -m bench.graduation                          # 500,000 families
    .venv/bin/python -m bench.graduation --families 50000 --sample 2000

Synthetic and deterministic: N families, 25 % with one business checked monthly for 24 months
(the check-ins of the last 90 days are what readiness reads, as ``service.graduation.queries``
loads them). It times ``revenue_windows`` + ``readiness`` + ``ranked`` over the whole caseload,
then the same rules family by family in plain Python on ``--sample`` families, checks both agree
on the sample, and prints the table. No database: the SQL side is one indexed range scan per
caseload (``recent_checkins``) and one aggregate per level (``indicator_counts``).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd

from mapping.graduation import DEFAULT_RULES, FamilyFacts, ranked, readiness, revenue_windows

TODAY = date(2026, 12, 8)


def synthetic(n: int, seed: int = 14) -> tuple[FamilyFacts, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1, dtype=np.int64)
    owners = ids[rng.random(n) < 0.25]
    months = 24
    hh = np.repeat(owners, months)
    back = np.tile(np.arange(months), len(owners))
    day = rng.integers(0, 28, len(hh))
    checked = pd.to_datetime(TODAY) - pd.to_timedelta(back * 30 + day, unit="D")
    revenue = rng.lognormal(14.5, 0.6, len(hh)).round(-3)
    checkins = pd.DataFrame(
        {"household_id": hh, "business_id": hh, "checked_on": checked.date, "monthly_revenue": revenue}
    )
    business_months = np.full(n, np.nan)
    business_months[owners - 1] = rng.integers(3, 120, len(owners))
    facts = FamilyFacts(
        household_id=ids,
        revenue_windows=np.empty((0, 3)),
        business_months=business_months,
        school_age_children=rng.choice([0.0, 1.0, 2.0, 3.0, np.nan], n),
        agreed=rng.choice([1.0, 0.0, np.nan], n),
        joined_year=rng.integers(2012, 2026, n).astype(np.float64),
    )
    return facts, checkins


def columnar(facts: FamilyFacts, checkins: pd.DataFrame) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    recent = checkins[checkins["checked_on"] >= TODAY - timedelta(days=89)]
    windows = revenue_windows(recent, facts.household_id, TODAY)
    full = FamilyFacts(
        household_id=facts.household_id,
        revenue_windows=windows,
        business_months=facts.business_months,
        school_age_children=facts.school_age_children,
        agreed=facts.agreed,
        joined_year=facts.joined_year,
    )
    result = readiness(full, [DEFAULT_RULES], np.zeros(len(facts.household_id), dtype=np.int64), TODAY)
    ranked(result)
    return result.score, time.perf_counter() - start


def loop(facts: FamilyFacts, checkins: pd.DataFrame, sample: int) -> tuple[list[int], float]:
    start = time.perf_counter()
    wanted = set(facts.household_id[:sample].tolist())
    by_family: dict[int, list[tuple[date, float]]] = {}  # as one query per family would return them
    for hid, day, revenue in checkins[["household_id", "checked_on", "monthly_revenue"]].itertuples(index=False):
        if int(hid) in wanted:
            by_family.setdefault(int(hid), []).append((day, float(revenue)))
    scores = []
    for i in range(sample):
        hid = int(facts.household_id[i])
        windows: list[float | None] = []
        for w in range(3):
            inside = [(d, r) for d, r in by_family.get(hid, []) if w * 30 <= (TODAY - d).days < (w + 1) * 30]
            windows.append(max(inside)[1] if inside else None)
        met = {
            "revenue_3m": all(v is not None and v >= 2_000_000 for v in windows),
            "business_age": bool(facts.business_months[i] >= 24),
            "children_covered": bool(facts.school_age_children[i] <= 0),
            "agreed": bool(facts.agreed[i] == 1),
            "years_in_pkh": bool(TODAY.year - facts.joined_year[i] >= 4),
        }
        scores.append(round(sum(r.weight for r in DEFAULT_RULES if met[r.indicator])))
    return scores, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=500_000)
    parser.add_argument("--sample", type=int, default=5_000)
    args = parser.parse_args()
    facts, checkins = synthetic(args.families)
    scores, seconds = columnar(facts, checkins)
    sample = min(args.sample, args.families)
    looped, loop_seconds = loop(facts, checkins, sample)
    agree = scores[:sample].tolist() == looped
    scaled = loop_seconds * args.families / sample  # the scan of the rows is paid per sample, as per-family reads would
    print(f"families {args.families:,}, check-in rows {len(checkins):,}")
    print("| what | seconds |")
    print("|---|---|")
    print(f"| columnar readiness + ranking, all families | {seconds:.2f} |")
    print(f"| per-family loop on {sample:,}, scaled to {args.families:,} | {scaled:.1f} |")
    print(f"| speed-up | {scaled / seconds:.0f}x |")
    print(f"agree on the sample: {agree}")
    raise SystemExit(0 if agree else 1)


if __name__ == "__main__":
    main()
