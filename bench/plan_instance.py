"""Synthetic referral-plan instances for timing ``mapping.plan.referral_plan``.

Shaped like a district forum's request: every programme answers exactly one need, each family
is eligible for about ``density`` of the programmes (≈10 of 200 by default, so about 2–3 per
need), match scores are uniform in [0.2, 1], and capacities are 5–60 places with about a tenth
of the programmes unlimited. With the defaults each programme is listed by roughly
``families * density`` units (≈250 at 5,000 families) against at most 60 places, so demand
exceeds capacity for every need and the solver has real choices to make.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from mapping.plan import Candidate

NEEDS = ("capital", "training", "marketing", "certification")


def synthetic_instance(
    families: int,
    programs: int,
    *,
    seed: int,
    density: float = 0.05,
    needs: Sequence[str] = NEEDS,
    unlimited_share: float = 0.1,
    capacity_range: tuple[int, int] = (5, 60),
) -> tuple[list[Candidate], dict[int, int | None]]:
    """Candidates and capacities for ``families`` families and ``programs`` programmes.

    Families are keyed 1..families and programmes 1..programs; programme ``p`` serves
    ``needs[(p - 1) % len(needs)]``, so the needs get (almost) equal numbers of programmes.
    The same arguments always give the same instance.
    """
    if not needs:
        raise ValueError("needs must not be empty")
    rng = random.Random(seed)
    need_of = {p: needs[(p - 1) % len(needs)] for p in range(1, programs + 1)}
    low, high = capacity_range
    capacity: dict[int, int | None] = {
        p: None if rng.random() < unlimited_share else rng.randint(low, high) for p in range(1, programs + 1)
    }
    candidates: list[Candidate] = []
    for h in range(1, families + 1):
        for p in range(1, programs + 1):
            if rng.random() < density:
                candidates.append(Candidate(h, need_of[p], p, rng.uniform(0.2, 1.0)))
    return candidates, capacity
