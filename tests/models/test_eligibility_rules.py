"""Rule trees are validated on write, with the path of the first fault."""

from __future__ import annotations

import pytest

from models.eligibility import RuleError, region_codes_in, rule_fields_in, validate_rule_tree

PENA_RULE = {
    "all": [
        {"field": "head.age", "op": "between", "value": [20, 40]},
        {"field": "household.agreed_to_graduate", "op": "eq", "value": True},
        {
            "any": [
                {"field": "business.age_months", "op": "ge", "value": 6},
                {"field": "household.pkh_status", "op": "eq", "value": "graduated_self_sufficient"},
            ]
        },
    ]
}


def test_validate_accepts_the_issue_example_unchanged() -> None:
    assert validate_rule_tree(PENA_RULE) == PENA_RULE


def test_validate_treats_empty_rule_as_open_to_all() -> None:
    assert validate_rule_tree({}) is None
    assert validate_rule_tree(None) is None


@pytest.mark.parametrize(
    ("tree", "path", "words"),
    [
        ({"field": "head.shoe_size", "op": "eq", "value": 1}, "eligibility.field", "unknown field"),
        ({"field": "household.prse", "op": "gt", "value": 1}, "eligibility.op", "does not fit household.prse"),
        ({"field": "head.age", "op": "contains", "value": 1}, "eligibility.op", "does not fit head.age"),
        ({"all": [{"field": "head.age", "op": "between", "value": [20]}]}, "eligibility.all[0].value", "two numbers"),
        (
            {"all": [{"field": "head.age", "op": "between", "value": [40, 20]}]},
            "eligibility.all[0].value",
            "low <= high",
        ),
        ({"all": []}, "eligibility.all", "non-empty"),
        (
            {"any": [PENA_RULE, {"not": {"field": "head.sex", "op": "eq", "value": "X"}}]},
            "eligibility.any[1].not.value",
            "one of F, M",
        ),
        ({"field": "business.needs", "op": "contains", "value": "money"}, "eligibility.value", "capital"),
        ({"field": "household.region", "op": "within", "value": ["32-73"]}, "eligibility.value[0]", "region code"),
        ({"field": "household.dtsen_decile", "op": "in", "value": [1, 11]}, "eligibility.value[1]", "above 10"),
        ({"all": [{"field": "head.age"}], "any": []}, "eligibility", "one key"),
        ([1, 2], "eligibility", "a rule is an object"),
    ],
)
def test_validate_rejects_bad_trees_naming_the_path(tree: object, path: str, words: str) -> None:
    with pytest.raises(RuleError) as info:
        validate_rule_tree(tree)  # type: ignore[arg-type]
    assert info.value.path == path
    assert words in str(info.value)


def test_rule_helpers_list_fields_and_region_codes() -> None:
    tree = {"all": [PENA_RULE, {"field": "household.region", "op": "within", "value": ["32.73", "31.75"]}]}
    assert rule_fields_in(tree) == [
        "head.age",
        "household.agreed_to_graduate",
        "business.age_months",
        "household.pkh_status",
        "household.region",
    ]
    assert region_codes_in(tree) == ["32.73", "31.75"]
