"""The catalogue compiler (one family x every programme, vectorised) says what the evaluator says."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.catalog import CompiledCatalog
from mapping.matching import HouseholdFacts, ProgramFacts, evaluate_program
from models.eligibility import SECTORS, validate_rule_tree
from tests.mapping.test_screening_agrees import STATUS_CODE, TODAY, households, maybe, rules

days = maybe(st.integers(-3, 3).map(lambda d: TODAY + timedelta(days=d)))

catalog_programs = st.builds(
    lambda rule, area, remaining, status, opens, closes, valid_from, valid_to, kind, sectors: dict(
        name="P",
        organization_name="O",
        kind=kind,
        status=status,
        eligibility=validate_rule_tree(rule),
        service_area=tuple(area),
        sectors=tuple(sectors),
        capacity=10,
        capacity_remaining=remaining,
        opens_on=opens,
        closes_on=closes,
        valid_from=valid_from,
        valid_to=valid_to,
    ),
    st.one_of(st.just({}), rules),
    st.lists(st.sampled_from(["32", "32.73.16", "31.75", "18.02.10.2002", "32.73.16.1002"]), max_size=2, unique=True),
    st.sampled_from([None, 0, 5]),
    st.sampled_from(["active", "active", "active", "paused"]),
    days,
    days,
    days,
    days,
    st.sampled_from(["training", "loan", "marketing", "capital_grant"]),
    st.lists(st.sampled_from(SECTORS), max_size=2, unique=True),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households, st.lists(catalog_programs, min_size=1, max_size=12))
def test_compiled_catalogue_agrees_with_the_evaluator(household: HouseholdFacts, specs: list[dict]) -> None:
    programs = [ProgramFacts(program_id=i + 1, **spec) for i, spec in enumerate(specs)]
    catalog = CompiledCatalog(programs)
    result = catalog.evaluate(household, today=TODAY)
    for i, program in enumerate(programs):
        evaluation = evaluate_program(household, program, today=TODAY)
        assert result.code[i] == STATUS_CODE[evaluation.status], program
        assert result.fails[i] == evaluation.fails, program
        assert result.unknowns[i] == evaluation.unknowns, program
        assert result.out_of_reach[i] == evaluation.out_of_reach, program
        if household.businesses:
            assert household.businesses[result.best_row[i]].business_id == evaluation.business_id


def test_a_programme_without_a_rule_is_open_to_all_and_a_full_one_is_out_of_reach() -> None:
    family = HouseholdFacts(household_id=1, village_code="32.73.16.1002")
    open_to_all = ProgramFacts(program_id=1, name="A", organization_name="O", kind="training", status="active")
    full = ProgramFacts(
        program_id=2, name="B", organization_name="O", kind="loan", status="active", capacity=5, capacity_remaining=0
    )
    elsewhere = ProgramFacts(
        program_id=3, name="C", organization_name="O", kind="loan", status="active", service_area=("31.75",)
    )
    result = CompiledCatalog([open_to_all, full, elsewhere]).evaluate(family, today=TODAY)
    assert result.code.tolist() == [2, 0, 0]
    assert result.out_of_reach.tolist() == [False, True, True]
    # Jakarta Timur's programme is not worth showing a family in Kota Bandung; the others are.
    assert result.candidate.tolist() == [True, True, False]
    assert np.all(result.unknowns == 0)
