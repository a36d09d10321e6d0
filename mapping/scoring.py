"""Match scores of many families at once, for the referral plan (pure functions, no database).

The score has the parts and weights of the one-family match score (``CompiledCatalog.scores``),
computed for every family at once: need fit from any of the family's businesses (the page of one
family uses its best business), distance from the village's centre to the programme's nearest
service point, the share of places left, and the closing date.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from datetime import date

import numpy as np
from numpy.typing import NDArray

from mapping.analysis import Screened, program_need_bits
from mapping.catalog import DISTANCE_HALF_KM, NEUTRAL, SCORE_WEIGHTS, CompiledCatalog
from mapping.geo import PointSet
from mapping.plan import Candidate
from mapping.screening import ELIGIBLE

# One referral per family per need: a programme counts against its kind's main need.
PRIMARY_NEED = {
    "training": "training",
    "capital_grant": "capital",
    "loan": "capital",
    "marketing": "marketing",
    "certification": "certification",
    "mentoring": "mentoring",
    "equipment": "equipment",
}


def plan_scores(
    compiled: CompiledCatalog,
    points: PointSet,
    s: Screened,
    centres: Mapping[str, tuple[float, float]],
    *,
    today: date,
) -> NDArray[np.float64]:
    """Match scores, programmes x households of ``s``.

    Parameters
    ----------
    compiled, points
        The published catalogue and its service points (``s.programs`` are among them).
    s
        The screened families.
    centres
        (lat, lon) of each village the families live in; a village without one scores a
        neutral distance.
    today
        The day the capacity and deadline parts are computed for.

    Returns
    -------
    numpy.ndarray
        Scores in [0, 1], rounded to 4 decimals.
    """
    n_p, n_h = len(s.programs), s.n_households
    if not n_p or not n_h:
        return np.zeros((n_p, n_h))
    index = {int(pid): i for i, pid in enumerate(compiled.ids)}
    at = np.array([index[p.program_id] for p in s.programs], dtype=np.int64)
    needs = np.zeros(n_h, dtype=np.int64)
    np.bitwise_or.at(needs, s.row_household, s.row_needs.astype(np.int64))
    sectors = np.zeros(n_h, dtype=np.int64)
    known = s.row_sectors >= 0
    np.bitwise_or.at(sectors, s.row_household[known], np.left_shift(1, s.row_sectors[known].astype(np.int64)))
    meets = program_need_bits(s.programs)[:, None]
    need = np.where(needs[None, :] == 0, NEUTRAL, ((meets & needs[None, :]) != 0).astype(np.float64))
    mask = compiled.sector_mask[at][:, None]
    sector = np.where(
        mask == 0, 1.0, np.where(sectors[None, :] == 0, NEUTRAL, ((mask & sectors[None, :]) != 0).astype(np.float64))
    )
    villages = sorted(set(s.villages))
    km_by_village = {v: points.nearest_km(centres[v])[at] if v in centres else np.full(n_p, np.nan) for v in villages}
    km = np.stack([km_by_village[v] for v in s.villages], axis=1)
    distance = np.where(np.isnan(km), NEUTRAL, 1.0 / (1.0 + km / DISTANCE_HALF_KM))
    capacity, deadline = compiled.program_parts(today)
    total = (
        SCORE_WEIGHTS["need_fit"] * (0.75 * need + 0.25 * sector)
        + SCORE_WEIGHTS["distance"] * distance
        + SCORE_WEIGHTS["capacity"] * capacity[at][:, None]
        + SCORE_WEIGHTS["deadline"] * deadline[at][:, None]
    )
    out: NDArray[np.float64] = np.round(np.clip(total, 0.0, 1.0), 4).astype(np.float64)
    return out


def plan_candidates(
    s: Screened,
    chosen: Sequence[int],
    scores: NDArray[np.float64],
    *,
    busy: Container[tuple[int, str]],
    done: Container[tuple[int, int]],
) -> list[Candidate]:
    """The eligible (family, programme) pairs a plan may use: for each chosen programme (a
    position in ``s.programs``), its eligible families, less those with a referral for the
    programme's need under way (``busy``) or the programme already completed (``done``)."""
    candidates = []
    for i in chosen:
        p = s.programs[i]
        need = PRIMARY_NEED[p.kind]
        for h in np.flatnonzero(s.codes[i] == ELIGIBLE).tolist():
            hid = int(s.household_ids[h])
            if (hid, need) not in busy and (hid, p.program_id) not in done:
                candidates.append(Candidate(hid, need, p.program_id, float(scores[i, h])))
    return candidates


def places_left(remaining: int | None, *, budget: bool, benefit_min: int | None, benefit_max: int | None) -> int | None:
    """Places a programme can still fill (``None``: no limit). A capacity kept in rupiah is a
    ``budget``: it buys ``remaining // benefit`` places at the largest benefit per family (no
    limit when no benefit is stated)."""
    if remaining is not None and budget:
        benefit = benefit_max or benefit_min
        return remaining // benefit if benefit else None
    return remaining
