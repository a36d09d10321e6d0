"""Households as screening columns, built from plain rows read column-wise from the database.

``columns_from_rows`` gives exactly what ``HouseholdColumns.from_facts`` gives for the same
households (ordered by id), at a fraction of the cost for tens of thousands of households: no
fact objects, one numpy array per field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mapping.screening import NEED_BITS, HouseholdColumns, choice_codes

# The order of the values in a household row and in a business row.
HOUSEHOLD_FIELDS = (
    "id",
    "village_code",
    "head_birth_date",
    "head_sex",
    "pkh_status",
    "pkh_joined_year",
    "dtsen_decile",
    "school_age_children",
    "prse",
    "disability",
    "elderly",
    "agreed_to_graduate",
)
BUSINESS_FIELDS = (
    "household_id",
    "sector",
    "started_on",
    "monthly_revenue",
    "workers",
    "has_nib",
    "has_pirt",
    "has_halal",
    "needs",
)


def _date_parts(
    values: Sequence[date | None],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Year, month, day arrays and a 'known' mask of a date column."""
    known = np.array([v is not None for v in values], dtype=np.bool_)
    year = np.array([v.year if v else 0 for v in values], dtype=np.int64)
    month = np.array([v.month if v else 0 for v in values], dtype=np.int64)
    day = np.array([v.day if v else 0 for v in values], dtype=np.int64)
    return year, month, day, known


def _flags(values: Sequence[bool | None]) -> NDArray[np.int8]:
    return np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)


def _numbers(values: Sequence[float | int | None]) -> NDArray[np.float64]:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def columns_from_rows(
    h: Sequence[Sequence[Any]],
    b: Sequence[Sequence[Any]],
    done: Iterable[tuple[int, int]],
    *,
    today: date,
) -> HouseholdColumns:
    """Screening columns of households ``h`` (rows in ``HOUSEHOLD_FIELDS`` order, ascending id),
    their businesses ``b`` (rows in ``BUSINESS_FIELDS`` order, by household then business) and
    the (programme id, household id) pairs of their completed referrals ``done``.

    Parameters
    ----------
    h, b, done
        The three reads, as plain tuples.
    today
        The date ages and business months are counted to.

    Returns
    -------
    HouseholdColumns
        One row per business (or per household without one), households in the order of ``h``.
    """
    ids = np.array([r[0] for r in h], dtype=np.int64)
    n_h = len(h)
    owner = np.searchsorted(ids, np.array([r[0] for r in b], dtype=np.int64)) if b else np.zeros(0, np.int64)
    per_household = np.bincount(owner, minlength=n_h) if n_h else np.zeros(0, np.int64)
    rows_per = np.maximum(per_household, 1)
    row_starts = np.concatenate([[0], np.cumsum(rows_per)[:-1]]).astype(np.int64) if n_h else np.zeros(0, np.int64)
    n_rows = int(rows_per.sum())
    first_of_owner = np.concatenate([[0], np.cumsum(per_household)[:-1]]) if n_h else np.zeros(0, np.int64)
    business_row = row_starts[owner] + (np.arange(len(b)) - first_of_owner[owner]) if b else np.zeros(0, np.int64)
    has_business = np.zeros(n_rows, dtype=np.bool_)
    has_business[business_row] = True

    def per_row(household_values: NDArray[Any]) -> NDArray[Any]:
        return np.repeat(household_values, rows_per)

    def business_col(values: NDArray[Any], fill: float) -> NDArray[Any]:
        out = np.full(n_rows, fill, dtype=values.dtype)
        out[business_row] = values
        return out

    by, bm, bd, bknown = _date_parts([r[2] for r in h])
    before_birthday = (today.month < bm) | ((today.month == bm) & (today.day < bd))
    age = np.where(bknown, today.year - by - before_birthday, np.nan)
    joined = _numbers([r[5] for r in h])
    sy, sm, sd, sknown = _date_parts([r[2] for r in b])
    months = (today.year - sy) * 12 + (today.month - sm) - (today.day < sd)
    business_age = np.where(sknown, np.maximum(months, 0), np.nan)

    def choices(field_name: str, values: Sequence[Any]) -> NDArray[np.int16]:
        codes = choice_codes(field_name)
        return np.array([-1 if v is None else codes.get(str(v), -1) for v in values], dtype=np.int16)

    region_ids: dict[str, int] = {}
    levels: list[list[int]] = [[], [], [], []]
    for r in h:
        parts = r[1].split(".")
        for level in range(4):
            code = ".".join(parts[: level + 1]) if level < len(parts) else ""
            levels[level].append(region_ids.setdefault(code, len(region_ids)))
    completed: dict[int, list[int]] = defaultdict(list)
    for pid, hid in done:
        completed[pid].append(int(np.searchsorted(ids, hid)))
    needs = np.array([sum(NEED_BITS.get(x, 0) for x in (r[8] or ())) for r in b], dtype=np.int16)
    return HouseholdColumns(
        household_ids=ids,
        row_starts=row_starts,
        has_business=has_business,
        numbers={
            "head.age": per_row(age.astype(np.float64)),
            "household.years_in_pkh": per_row(np.maximum(today.year - joined, 0)),
            "household.dtsen_decile": per_row(_numbers([r[6] for r in h])),
            "household.school_age_children": per_row(_numbers([r[7] for r in h])),
            "business.age_months": business_col(business_age.astype(np.float64), np.nan),
            "business.monthly_revenue": business_col(_numbers([r[3] for r in b]), np.nan),
            "business.workers": business_col(_numbers([r[4] for r in b]), np.nan),
        },
        flags={
            "household.prse": per_row(_flags([r[8] for r in h])),
            "household.disability": per_row(_flags([r[9] for r in h])),
            "household.elderly": per_row(_flags([r[10] for r in h])),
            "household.agreed_to_graduate": per_row(_flags([r[11] for r in h])),
            "business.has_nib": business_col(_flags([r[5] for r in b]), -1),
            "business.has_pirt": business_col(_flags([r[6] for r in b]), -1),
            "business.has_halal": business_col(_flags([r[7] for r in b]), -1),
        },
        choices={
            "head.sex": per_row(choices("head.sex", [r[3] for r in h])),
            "household.pkh_status": per_row(choices("household.pkh_status", [r[4] for r in h])),
            "business.sector": business_col(choices("business.sector", [r[1] for r in b]), -1),
        },
        needs=business_col(needs, 0),
        regions=tuple(per_row(np.array(level, dtype=np.int32)) for level in levels),
        region_ids=region_ids,
        completed={pid: np.array(sorted(set(ix)), dtype=np.int64) for pid, ix in completed.items()},
    )
