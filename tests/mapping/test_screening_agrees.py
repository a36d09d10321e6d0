"""The vectorised screener and the single-household evaluator agree on random data (Hypothesis)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.matching import BusinessFacts, HouseholdFacts, MatchStatus, ProgramFacts, evaluate_program
from mapping.screening import HouseholdColumns, screen
from models.eligibility import NEEDS, PKH_STATUSES, SECTORS, validate_rule_tree

TODAY = date(2026, 11, 26)
VILLAGES = ("32.73.16.1002", "32.73.16.1001", "31.75.03.1001", "18.02.10.2002")
STATUS_CODE = {MatchStatus.eligible: 2, MatchStatus.unknown: 1, MatchStatus.ineligible: 0}


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


businesses = st.builds(
    BusinessFacts,
    sector=maybe(st.sampled_from(SECTORS)),
    age_months=maybe(st.integers(0, 60)),
    monthly_revenue=maybe(st.integers(0, 5_000_000)),
    workers=maybe(st.integers(0, 4)),
    has_nib=maybe(st.booleans()),
    has_pirt=maybe(st.booleans()),
    has_halal=maybe(st.booleans()),
    needs=st.frozensets(st.sampled_from(NEEDS)),
)

households = st.builds(
    HouseholdFacts,
    household_id=st.integers(1, 10**6),
    village_code=st.sampled_from(VILLAGES),
    head_age=maybe(st.integers(18, 80)),
    head_sex=maybe(st.sampled_from(["F", "M"])),
    pkh_status=maybe(st.sampled_from(PKH_STATUSES)),
    years_in_pkh=maybe(st.integers(0, 15)),
    dtsen_decile=maybe(st.integers(1, 10)),
    prse=maybe(st.booleans()),
    disability=maybe(st.booleans()),
    elderly=maybe(st.booleans()),
    agreed_to_graduate=maybe(st.booleans()),
    school_age_children=maybe(st.integers(0, 4)),
    completed_programs=st.frozensets(st.integers(1, 4), max_size=2),
    businesses=st.lists(businesses, max_size=3).map(tuple),
)


def criteria() -> st.SearchStrategy[dict[str, Any]]:
    number = st.sampled_from(
        [
            "head.age",
            "household.years_in_pkh",
            "household.dtsen_decile",
            "business.age_months",
            "business.monthly_revenue",
            "business.workers",
            "household.school_age_children",
        ]
    )
    flag = st.sampled_from(
        [
            "household.prse",
            "household.disability",
            "household.elderly",
            "household.agreed_to_graduate",
            "business.has_nib",
            "business.has_pirt",
            "business.has_halal",
            "business.exists",
        ]
    )
    small = st.integers(1, 10)
    return st.one_of(
        st.builds(
            lambda f, op, v: {"field": f, "op": op, "value": v},
            number,
            st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
            st.integers(1, 10),
        ),
        st.builds(lambda f, a, b: {"field": f, "op": "between", "value": [min(a, b), max(a, b)]}, number, small, small),
        st.builds(
            lambda f, v: {"field": f, "op": "in", "value": v},
            number,
            st.lists(st.integers(1, 10), min_size=1, max_size=3),
        ),
        st.builds(
            lambda f, op, v: {"field": f, "op": op, "value": v}, flag, st.sampled_from(["eq", "ne"]), st.booleans()
        ),
        st.builds(
            lambda f, v: {"field": f, "op": "exists", "value": v},
            st.one_of(number, flag, st.just("business.sector")),
            st.booleans(),
        ),
        st.builds(
            lambda op, v: {"field": "business.sector", "op": op, "value": v},
            st.sampled_from(["eq", "ne"]),
            st.sampled_from(SECTORS),
        ),
        st.builds(
            lambda op, v: {"field": "household.pkh_status", "op": op, "value": v},
            st.sampled_from(["in", "not_in"]),
            st.lists(st.sampled_from(PKH_STATUSES), min_size=1, max_size=2),
        ),
        st.builds(lambda v: {"field": "head.sex", "op": "eq", "value": v}, st.sampled_from(["F", "M"])),
        st.builds(lambda v: {"field": "business.needs", "op": "contains", "value": v}, st.sampled_from(NEEDS)),
        st.builds(lambda v: {"field": "history.completed_programs", "op": "contains", "value": v}, st.integers(1, 4)),
        st.builds(
            lambda v: {"field": "household.region", "op": "within", "value": v},
            st.lists(st.sampled_from(["32", "32.73", "32.73.16", "31.75.03.1001", "18"]), min_size=1, max_size=2),
        ),
    )


rules = st.recursive(
    criteria(),
    lambda children: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, children),
    ),
    max_leaves=8,
)

programs = st.builds(
    lambda pid, rule, area, remaining, status: ProgramFacts(
        program_id=pid,
        name=f"P{pid}",
        organization_name="O",
        kind="training",
        status=status,
        eligibility=validate_rule_tree(rule),
        service_area=tuple(area),
        capacity=10,
        capacity_remaining=remaining,
    ),
    st.integers(1, 100),
    st.one_of(st.just({}), rules),
    st.lists(st.sampled_from(["32", "32.73.16", "31.75", "18.02.10.2002"]), max_size=2),
    st.sampled_from([None, 0, 5]),
    st.sampled_from(["active", "active", "active", "paused"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(households, min_size=1, max_size=12), st.lists(programs, min_size=1, max_size=4), st.integers(1, 64))
def test_screener_agrees_with_the_evaluator(hh: list[HouseholdFacts], progs: list[ProgramFacts], chunk: int) -> None:
    cols = HouseholdColumns.from_facts(hh)
    codes = screen(cols, progs, today=TODAY, chunk_rows=chunk)
    for i, program in enumerate(progs):
        for j, household in enumerate(hh):
            expected = STATUS_CODE[evaluate_program(household, program, today=TODAY).status]
            assert codes[i, j] == expected, (program, household)
