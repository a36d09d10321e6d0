"""Synthetic stakeholder networks shaped like a district's and a province's (for bench/network.py).

Proportions follow the demo and the papers: about a third of the nodes are villages, a quarter
programmes, an eighth facilitators (each serving a handful of villages), a few agencies per
hundred nodes, a forum per five hundred; each facilitator refers to a few programmes, each
village has eligible families for a few programmes (and three in ten for one of a few national
programmes, which makes hubs), and partnerships are sparse. ``nodes``
sets the size; edges come out at about three per node, as in the issue's 50,000-node,
150,000-edge province.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np

from mapping.analysis import Screened
from mapping.matching import ProgramFacts
from mapping.network import (
    DemandCount,
    FacilitatorRecord,
    ForumRecord,
    NetworkRecords,
    OrgRecord,
    PartnershipRecord,
    ProgramRecord,
    ReferralCount,
)
from mapping.screening import NEED_BITS
from models.eligibility import SECTORS

ORG_KINDS = ("government", "ngo", "csr", "cooperative", "bank", "community")
PROGRAM_KINDS = ("training", "capital_grant", "loan", "marketing", "certification", "mentoring", "equipment")
STATUSES = ("sent", "accepted", "declined", "enrolled", "completed", "dropped")


def synthetic_records(nodes: int, *, seed: int = 2026) -> NetworkRecords:
    """A connected-looking, clustered network of about ``nodes`` nodes and ``3 * nodes`` edges."""
    rng = random.Random(seed)
    n_org = max(3, nodes * 6 // 100)
    n_prog = max(3, nodes * 24 // 100)
    n_fac = max(2, nodes * 12 // 100)
    n_forum = max(1, nodes // 500)
    n_village = max(2, nodes - n_org - n_prog - n_fac - n_forum)
    # villages grouped by kecamatan (about 15 each) so that facilitators serve neighbouring villages
    villages = [f"99.01.{1 + i // 15:02d}.{2001 + i % 15}" for i in range(n_village)]
    orgs = [
        OrgRecord(i, f"Lembaga {i}", ORG_KINDS[i % len(ORG_KINDS)], f"99.01.{1 + rng.randrange(n_village) // 15:02d}")
        for i in range(1, n_org + 1)
    ]
    programs = []
    for i in range(1, n_prog + 1):
        owner = 1 + min(int(rng.paretovariate(1.2)) - 1, n_org - 1)  # a few agencies run many programmes
        owner = (owner * 7919 + i % 3) % n_org + 1
        area = tuple(sorted({villages[rng.randrange(n_village)][:8] for _ in range(rng.randint(1, 4))}))
        programs.append(ProgramRecord(i, f"Program {i}", owner, PROGRAM_KINDS[i % len(PROGRAM_KINDS)], "active", area))
    facilitators = []
    for i in range(1, n_fac + 1):
        start = rng.randrange(n_village)
        facilitators.append(
            FacilitatorRecord(i, f"Pendamping {i}", tuple(villages[(start + k) % n_village] for k in range(5)))
        )
    forums = []
    for i in range(1, n_forum + 1):
        members = {("organization", rng.randint(1, n_org)) for _ in range(15)}
        members |= {("facilitator", rng.randint(1, n_fac)) for _ in range(15)}
        forums.append(ForumRecord(i, f"Forum {i}", "99.01", tuple(sorted(members))))
    partnerships = []
    for i in range(1, nodes // 6 + 1):
        a = ("facilitator", rng.randint(1, n_fac)) if rng.random() < 0.5 else ("organization", rng.randint(1, n_org))
        b = ("organization", rng.randint(1, n_org))
        partnerships.append(PartnershipRecord(i, *a, *b, "mou", date(2025, 1, 1), None))
    referrals = []
    for f in range(1, n_fac + 1):
        for _ in range(rng.randint(1, 8)):
            referrals.append(ReferralCount(f, rng.randint(1, n_prog), rng.choice(STATUSES), rng.randint(1, 6)))
    demand = []
    wide = max(1, n_prog // 100)  # national programmes (PENA-like): eligible families in many villages
    for v in villages:
        for _ in range(rng.randint(1, 4)):
            demand.append(DemandCount(v, rng.randint(1, n_prog), rng.randint(1, 40)))
        if rng.random() < 0.3:
            demand.append(DemandCount(v, rng.randint(1, wide), rng.randint(1, 40)))
    return NetworkRecords(
        organizations=orgs,
        programs=programs,
        facilitators=facilitators,
        forums=forums,
        partnerships=partnerships,
        referrals=referrals,
        demand=demand,
        village_names={v: f"Desa {v[-4:]}" for v in villages},
    )


def synthetic_screened(
    records: NetworkRecords,
    *,
    households_per_village: int = 20,
    seed: int = 2026,
    villages: list[str] | None = None,
    first_id: int = 1,
) -> Screened:
    """Households of ``records``' villages (or of ``villages``) screened against the programmes
    with demand there, as the gaps and suggestions receive them: each village's families are
    eligible (code 2) for about half of the programmes its demand edges name, possibly eligible
    (code 1) for a few more, and have 0-2 businesses with one or two stated needs."""
    rng = np.random.default_rng(seed)
    villages = sorted(records.village_names) if villages is None else villages
    chosen = set(villages)
    demand = [d for d in records.demand if d.village_code in chosen]
    n_h = len(villages) * households_per_village
    village_of = np.repeat(np.arange(len(villages)), households_per_village)
    facilitator_of = np.full(n_h, -1, dtype=np.int64)
    serving = {v: f.id for f in records.facilitators for v in f.villages}
    for i, v in enumerate(villages):
        facilitator_of[village_of == i] = serving.get(v, -1)
    wanted = {d.program_id for d in demand}
    kept = [p for p in records.programs if p.id in wanted]
    programs = [
        ProgramFacts(p.id, p.name, f"Lembaga {p.organization_id}", p.kind, "active", service_area=p.service_area)
        for p in kept
    ]
    row_of = {p.id: i for i, p in enumerate(kept)}
    codes = np.zeros((len(programs), n_h), dtype=np.int8)
    start = {v: i * households_per_village for i, v in enumerate(villages)}
    for d in demand:
        lo = start[d.village_code]
        draw = rng.random(households_per_village)
        codes[row_of[d.program_id], lo : lo + households_per_village] = np.where(
            draw < 0.5, 2, np.where(draw < 0.6, 1, 0)
        )
    businesses = rng.integers(0, 3, n_h)
    row_household = np.repeat(np.arange(n_h, dtype=np.int64), businesses)
    n_rows = row_household.shape[0]
    need_bits = np.array(list(NEED_BITS.values()), dtype=np.int16)
    row_needs = need_bits[rng.integers(0, len(need_bits), n_rows)] | np.where(
        rng.random(n_rows) < 0.4, need_bits[rng.integers(0, len(need_bits), n_rows)], 0
    ).astype(np.int16)
    return Screened(
        household_ids=np.arange(first_id, first_id + n_h, dtype=np.int64),
        villages=[villages[i] for i in village_of],
        facilitators=facilitator_of,
        programs=programs,
        program_orgs=[p.organization_id for p in kept],
        codes=codes,
        row_household=row_household,
        row_needs=row_needs,
        row_sectors=rng.integers(-1, len(SECTORS), n_rows).astype(np.int16),
    )


def synthetic_chunks(
    records: NetworkRecords, *, households_per_village: int = 20, villages_per_regency: int = 300, seed: int = 2026
) -> list[Screened]:
    """``synthetic_screened`` regency by regency, as ``service.network.screen_chunks`` screens a
    province: each block of ``villages_per_regency`` villages against the programmes with demand
    there."""
    villages = sorted(records.village_names)
    out = []
    for k, lo in enumerate(range(0, len(villages), villages_per_regency)):
        block = villages[lo : lo + villages_per_regency]
        out.append(
            synthetic_screened(
                records,
                households_per_village=households_per_village,
                seed=seed + k,
                villages=block,
                first_id=1 + lo * households_per_village,
            )
        )
    return out
