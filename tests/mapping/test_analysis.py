"""Gaps and invitations on hand-made screenings: unmet demand by rule, the lazy greedy cover
against a plain greedy one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping import analysis as an
from mapping.matching import ProgramFacts
from mapping.screening import NEED_BITS
from models.eligibility import NEEDS, SECTORS

KINDS = ("training", "capital_grant", "marketing", "certification", "mentoring")


def screened(
    codes: list[list[int]], kinds: list[str], orgs: list[int], rows: list[tuple[int, int, int]]
) -> an.Screened:
    """``rows``: (household, need bits, sector index) per business."""
    n_h = len(codes[0]) if codes else 0
    return an.Screened(
        household_ids=np.arange(1, n_h + 1, dtype=np.int64),
        villages=["32.73.16.1002" if h % 2 == 0 else "32.73.16.1003" for h in range(n_h)],
        facilitators=np.full(n_h, 1, dtype=np.int64),
        programs=[
            ProgramFacts(i + 1, f"P{i + 1}", f"Org {o}", k, "active")
            for i, (k, o) in enumerate(zip(kinds, orgs, strict=True))
        ],
        program_orgs=orgs,
        codes=np.array(codes, dtype=np.int8).reshape(len(kinds), n_h),
        row_household=np.array([r[0] for r in rows], dtype=np.int64),
        row_needs=np.array([r[1] for r in rows], dtype=np.int16),
        row_sectors=np.array([r[2] for r in rows], dtype=np.int16),
    )


def test_unmet_demand_counts_households_whose_need_no_programme_covers() -> None:
    training, capital, marketing = NEED_BITS["training"], NEED_BITS["capital"], NEED_BITS["marketing"]
    s = screened(
        # households 0..3; P1 training (org 1), P2 capital grant (org 2)
        codes=[[2, 0, 1, 0], [0, 0, 0, 2]],
        kinds=["training", "capital_grant"],
        orgs=[1, 2],
        rows=[
            (0, training, 0),  # covered (eligible)
            (1, training | capital, 0),  # neither covered
            (2, training, 1),  # covered (possibly eligible)
            (2, marketing, 1),  # no marketing programme at all
            (3, capital, 2),  # covered
            (3, capital, 2),  # a second business with the same need and sector counts once
        ],
    )
    got = {(u.village_code, u.need, u.sector): u.households for u in an.unmet_demand(s)}
    assert got == {
        ("32.73.16.1003", "training", SECTORS[0]): 1,
        ("32.73.16.1003", "capital", SECTORS[0]): 1,
        ("32.73.16.1002", "marketing", SECTORS[1]): 1,
    }


def naive_greedy(s: an.Screened, members: set[int]) -> list[tuple[str, int]]:
    """Recompute every organisation's gain at every step (the definition the lazy one must meet)."""
    bits = an.program_need_bits(s.programs)
    unmet = set()
    covered = an.covered_by_need(s, np.array([o in members for o in s.program_orgs], dtype=bool))
    for r in range(s.row_household.shape[0]):
        h = int(s.row_household[r])
        for need in NEEDS:
            if s.row_needs[r] & NEED_BITS[need] and not covered[need][h]:
                unmet.add((h, need))
    cover: dict[int, set[tuple[int, str]]] = {}
    for org in set(s.program_orgs) - members:
        units = set()
        for i, o in enumerate(s.program_orgs):
            if o == org:
                for need in NEEDS:
                    if bits[i] & NEED_BITS[need]:
                        units |= {(h, need) for h in np.flatnonzero(s.codes[i] >= 1).tolist()}
        cover[org] = units & unmet
    out, taken = [], set()
    while True:
        gains = {org: len(units - taken) for org, units in cover.items()}
        if not gains or max(gains.values()) == 0:
            return out
        best = max(gains.values())
        org = min(o for o, g in gains.items() if g == best)
        out.append((f"org:{org}", best))
        taken |= cover[org]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda n_h: st.tuples(
            st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 4)), min_size=1, max_size=6).flatmap(
                lambda progs: st.tuples(
                    st.just(progs),
                    st.lists(
                        st.lists(st.integers(0, 2), min_size=n_h, max_size=n_h),
                        min_size=len(progs),
                        max_size=len(progs),
                    ),
                )
            ),
            st.lists(
                st.tuples(st.integers(0, n_h - 1), st.integers(1, (1 << len(NEEDS)) - 1), st.integers(-1, 3)),
                max_size=12,
            ),
            st.sets(st.integers(1, 4), max_size=2),
        )
    )
)
def test_lazy_greedy_equals_plain_greedy(case: tuple) -> None:  # type: ignore[type-arg]
    (progs, codes), rows, members = case
    s = screened(codes, [k for k, _ in progs], [o for _, o in progs], rows)
    unmet_units, invitations = an.forum_invitations(s, members, {}, limit=10)
    expected = naive_greedy(s, members)
    assert [(i.organization, i.marginal_units) for i in invitations] == expected[:10]
    assert not {i.organization for i in invitations} & {f"org:{m}" for m in members}
    assert sum(i.marginal_units for i in invitations) <= unmet_units
    # Screened in two chunks (as a province is, regency by regency), the answers are the same.
    odd = np.arange(s.n_households) % 2 == 1
    halves = [s.subset(~odd), s.subset(odd)]
    assert an.forum_invitations(halves, members, {}, limit=10) == (unmet_units, invitations)
    assert an.unmet_demand(halves) == an.unmet_demand(s)
    referred = {1: 1}
    assert an.unused_supply(halves, referred) == an.unused_supply(s, referred)


def test_isolated_stakeholders_by_each_kind_of_tie() -> None:
    from mapping.network import (
        FacilitatorRecord,
        ForumRecord,
        NetworkRecords,
        OrgRecord,
        PartnershipRecord,
        ProgramRecord,
        ReferralCount,
        build_graph,
    )

    g = build_graph(
        NetworkRecords(
            organizations=[OrgRecord(i, f"Org {i}") for i in range(1, 6)],
            programs=[ProgramRecord(10, "P", 2), ProgramRecord(11, "Q", 5)],
            facilitators=[FacilitatorRecord(1, "F1"), FacilitatorRecord(2, "F2")],
            forums=[ForumRecord(1, "Forum", None, (("facilitator", 2), ("organization", 3)))],
            partnerships=[
                PartnershipRecord(1, "facilitator", 1, "organization", 1, "mou"),  # org 1: partnership
                PartnershipRecord(2, "organization", 4, "organization", 5, "mou"),  # org to org: no facilitator
            ],
            referrals=[ReferralCount(2, 10, "sent", 1)],  # org 2: a referral to its programme
        )
    )  # org 3: a shared forum; orgs 4 and 5: no tie to a facilitator
    got = {(i.node, i.reason) for i in an.isolated_stakeholders(g)}
    assert got == {
        ("org:4", "no_facilitator_tie"),
        ("org:5", "no_facilitator_tie"),
        ("facilitator:2", "no_partnership"),
    }
