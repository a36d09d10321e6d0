"""Pathways as plain data: the next step, its status, what a family lacks, and the funnel."""

from __future__ import annotations

from datetime import date

import pytest

from mapping.matching import BusinessFacts, HouseholdFacts, ProgramFacts, evaluate_program
from mapping.pathways import (
    COMPLETED,
    ELIGIBLE,
    IN_PROGRESS,
    INELIGIBLE,
    UNAVAILABLE,
    UNKNOWN,
    Funnel,
    Step,
    best_status,
    funnel,
    lacking_reasons,
    next_step,
    published_funnel,
    step_candidates,
    step_status,
    steps_completed,
    what_it_lacks,
)

TRAINING, GRANT, HALAL = 1, 2, 3
KINDS = {TRAINING: "training", GRANT: "capital_grant", HALAL: "certification", 9: "marketing"}
PATHWAY = [Step(program_kind="training"), Step(program_id=GRANT), Step(program_kind="certification"), Step(9)]
VILLAGE = "32.73.16.1002"


def program(pid: int, kind: str, area: tuple[str, ...] = ("32.73",), rule: dict | None = None) -> ProgramFacts:
    return ProgramFacts(pid, f"P{pid}", "Org", kind, "active", eligibility=rule, service_area=area)


def test_a_step_names_a_programme_or_a_kind_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        Step(program_id=1, program_kind="training")
    with pytest.raises(ValueError):
        Step()


def test_next_step_is_the_first_step_not_completed() -> None:
    assert next_step(PATHWAY, set(), KINDS) == 0
    assert next_step(PATHWAY, {TRAINING}, KINDS) == 1  # any training completes the kind step
    assert next_step(PATHWAY, {TRAINING, GRANT}, KINDS) == 2
    # A later step done does not skip an earlier one: the first step not completed comes next.
    assert next_step(PATHWAY, {GRANT, HALAL}, KINDS) == 0
    assert steps_completed(PATHWAY, {GRANT, HALAL}, KINDS) == 2
    assert next_step(PATHWAY, {TRAINING, GRANT, HALAL, 9}, KINDS) is None


def test_step_status_prefers_an_open_referral_then_the_best_programme() -> None:
    step = Step(program_kind="certification")
    assert step_status(step, [INELIGIBLE, ELIGIBLE], {HALAL}, KINDS) == IN_PROGRESS
    assert step_status(step, [INELIGIBLE, UNKNOWN], set(), KINDS) == UNKNOWN
    assert step_status(step, [INELIGIBLE], set(), KINDS) == INELIGIBLE
    assert step_status(step, [], set(), KINDS) == UNAVAILABLE
    assert best_status([UNKNOWN, ELIGIBLE, INELIGIBLE]) == ELIGIBLE
    assert COMPLETED not in (best_status([]),)


def test_step_candidates_of_a_kind_serve_the_village_and_a_named_programme_is_kept() -> None:
    programs = [
        program(3, "certification"),
        program(4, "certification", area=("31.75",)),  # Jakarta: not for a Bandung family
        program(5, "certification", area=()),  # everywhere
        program(6, "training"),
    ]
    kind = step_candidates(Step(program_kind="certification"), programs, VILLAGE)
    assert [p.program_id for p in kind] == [3, 5]
    named = step_candidates(Step(program_id=4), programs, VILLAGE)
    assert [p.program_id for p in named] == [4]  # out of its area: the page says so


def test_what_it_lacks_is_the_nearest_miss_with_its_failing_reasons() -> None:
    family = HouseholdFacts(
        1,
        VILLAGE,
        head_age=45,
        agreed_to_graduate=True,
        businesses=(BusinessFacts(business_id=1, sector="culinary", age_months=3, has_halal=False),),
    )
    age_rule = {"all": [{"field": "head.age", "op": "between", "value": [20, 40]}]}
    months_rule = {"all": [{"field": "business.age_months", "op": "ge", "value": 6},
                           {"field": "head.age", "op": "le", "value": 30}]}  # fmt: skip
    today = date(2026, 12, 8)
    near = evaluate_program(family, program(1, "training", rule=age_rule), today=today, lang="en")
    far = evaluate_program(family, program(2, "training", rule=months_rule), today=today, lang="en")
    chosen = what_it_lacks([far, near])
    assert chosen is near
    reasons = lacking_reasons(near)
    assert [(f, r) for f, r, _ in reasons] == [("head.age", "fail")]
    assert "45" in reasons[0][2]
    open_rule = {"all": [{"field": "household.prse", "op": "eq", "value": True}]}
    unknown = evaluate_program(family, program(3, "training", rule=open_rule), today=today, lang="en")
    assert what_it_lacks([near, unknown]) is unknown
    assert lacking_reasons(unknown)[0][:2] == ("household.prse", "unknown")
    eligible = evaluate_program(family, program(4, "training"), today=today, lang="en")
    assert what_it_lacks([near, eligible]) is None


def test_funnel_counts_families_at_each_step_and_withholds_small_ones() -> None:
    progressed = [{TRAINING}] * 7 + [{TRAINING, GRANT}] * 2 + [{TRAINING, GRANT, HALAL, 9}] * 6 + [{GRANT}]
    f = funnel(PATHWAY, 100, progressed, KINDS)
    assert f == Funnel(families=100, at_step=(84 + 1, 7, 2, 0), completed=6)
    assert sum(f.at_step) + f.completed == 100
    families, steps, done = published_funnel(f, exact=False)
    # 2 at the third step is withheld, and with it the next smallest (6 done), so neither is derivable.
    assert families == 100 and steps == [85, 5, None, 0] and done is None
    assert published_funnel(f, exact=True) == (100, [85, 7, 2, 0], 6)
