"""Demand in an organisation's area: families whose businesses its programmes could serve, by village.

Counts only. Counts of 1 to 4 are withheld (``None``) from everyone but administrators, so no
family can be singled out from a small village.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, select

from mapping.catalog import KIND_MEETS_NEEDS
from mapping.screening import NEED_BITS, choice_codes, screen
from models.households import Household
from models.organizations import Program, ProgramStatus
from models.referrals import Referral
from service.core.regions import region_names
from service.core.scope import within
from service.matching import load_columns, program_facts

SMALL_COUNT = 5


@dataclass
class VillageDemand:
    village_code: str
    village_name: str | None
    households: int | None
    with_fitting_business: int | None
    eligible: int | None
    referred: int | None


def _withhold(value: int, exact: bool) -> int | None:
    return value if exact or value == 0 or value >= SMALL_COUNT else None


def demand_by_village(session: Session, organization_id: int, *, today: date, exact: bool) -> list[VillageDemand]:
    """Per village of the organisation's service areas: families, those with a business its
    programmes serve (sector and stated need), those eligible for at least one of its programmes,
    and those referred to one. Closed programmes are left out."""
    live = [Program.organization_id == organization_id, Program.status != ProgramStatus.closed]
    programs, _ = program_facts(session, live)
    if not programs:
        return []
    areas = sorted({code for p in programs for code in p.service_area})
    if not areas:
        return []
    cols = load_columns(session, [sa.or_(*[within(Household.village_code, code) for code in areas])], today=today)
    if cols.n_households == 0:
        return []
    # Fit: a business in a sector some programme serves (or any, when a programme names none) with
    # a stated need some programme's kind meets.
    sectors = choice_codes("business.sector")
    any_sector = any(not p.sectors for p in programs)
    wanted_sectors = np.array(sorted({sectors[s] for p in programs for s in p.sectors}), dtype=np.int16)
    sector_fit = cols.has_business & (
        np.ones(cols.n_rows, dtype=bool) if any_sector else np.isin(cols.choices["business.sector"], wanted_sectors)
    )
    need_mask = 0
    for p in programs:
        for need in KIND_MEETS_NEEDS.get(p.kind, frozenset()):
            need_mask |= NEED_BITS[need]
    fits_row = sector_fit & ((cols.needs & need_mask) != 0)
    fits = np.logical_or.reduceat(fits_row, cols.row_starts) if cols.n_rows else fits_row
    # Drafts and paused programmes count as if open: demand is what they would meet.
    as_published = [replace(p, status="active") for p in programs]
    codes = screen(cols, as_published, today=today)
    eligible = (codes == 2).any(axis=0)
    referred_ids = set(
        session.exec(
            select(Referral.household_id).where(
                Referral.program_id.in_([p.program_id for p in programs])  # type: ignore[attr-defined]
            )
        )
    )
    referred = np.isin(cols.household_ids, np.array(sorted(referred_ids), dtype=np.int64))
    code_of = {rid: code for code, rid in cols.region_ids.items()}
    village_of = [code_of[int(rid)] for rid in cols.regions[3][cols.row_starts]]
    totals: Counter[str] = Counter(village_of)
    counts: dict[str, Counter[str]] = {"fit": Counter(), "eligible": Counter(), "referred": Counter()}
    for i, code in enumerate(village_of):
        counts["fit"][code] += int(fits[i])
        counts["eligible"][code] += int(eligible[i])
        counts["referred"][code] += int(referred[i])
    names = region_names(session, list(totals))
    return [
        VillageDemand(
            village_code=code,
            village_name=names.get(code),
            households=_withhold(totals[code], exact),
            with_fitting_business=_withhold(counts["fit"][code], exact),
            eligible=_withhold(counts["eligible"][code], exact),
            referred=_withhold(counts["referred"][code], exact),
        )
        for code in sorted(totals)
    ]
