"""Synthetic graduation records for the demo's graduated families (issue #14.5, #14.8).

Deterministic: each graduated family's date and reason follow from the demo's seed, its PKH id and
``today``; dates spread over the last 24 months so this year's and last year's indicators both have
graduations of both types. No real person's data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

SELF_SUFFICIENT_REASONS = (
    "Omzet warung stabil di atas UMK selama enam bulan",
    "Usaha katering berkembang, keluarga menyatakan siap mandiri",
    "Anak sulung bekerja tetap, usaha keluarga berjalan",
)
NATURAL_REASONS = (
    "Tidak ada lagi komponen kepesertaan (anak lulus sekolah)",
    "Hasil verifikasi DTSEN: desil di atas batas",
    "Keluarga pindah domisili ke luar wilayah",
)


def graduation_row(seed: str, pkh_id: str, status: str, joined_year: int | None, today: date) -> dict[str, Any]:
    """The graduation record of a graduated demo family (``status``: its ``pkh_status``)."""
    rng = random.Random(f"{seed}:graduation:{pkh_id}")
    on = today - timedelta(days=rng.randint(20, 720))
    if joined_year is not None and on.year < joined_year:
        on = max(date(joined_year, 1, 1), min(today, date(joined_year, 12, 31)))
    reasons = SELF_SUFFICIENT_REASONS if status == "graduated_self_sufficient" else NATURAL_REASONS
    return {"graduated_on": on, "type": status, "reason": rng.choice(reasons)}
