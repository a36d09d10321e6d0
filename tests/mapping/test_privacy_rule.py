"""The one small-count rule every published count goes through (mapping.privacy)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mapping.privacy import MIN_HOUSEHOLDS, shown, withhold, withhold_complementary


def test_withhold_hides_one_to_four_for_all_but_exact_readers() -> None:
    assert [withhold(n) for n in (0, 1, 4, 5, 60)] == [0, None, None, 5, 60]
    assert [withhold(n, exact=True) for n in (1, 4)] == [1, 4]
    assert shown(False)(3) == f"< {MIN_HOUSEHOLDS}" and shown(True)(3) == "3"
    # Issue 15 #1: what is shown is rounded to a multiple of 5, so no two shown counts differ by 1 to 4.
    assert [withhold(n) for n in (5, 7, 8, 46, 47, 48)] == [5, 5, 10, 45, 45, 50]
    assert shown(False)(48) == "50" and shown(True)(48) == "48"
    assert withhold(9, minimum=10) is None and withhold(12, minimum=10) == 10


@given(st.dictionaries(st.sampled_from(["eligible", "unknown", "ineligible"]), st.integers(0, 60), min_size=3))
def test_a_small_count_is_never_the_only_one_withheld_beside_another_count(counts: dict[str, int]) -> None:
    published = withhold_complementary(counts)
    small = [k for k, v in counts.items() if 0 < v < MIN_HOUSEHOLDS]
    hidden = [k for k, v in published.items() if v is None]
    assert set(small) <= set(hidden)
    others = [k for k, v in counts.items() if v > 0 and k not in small]
    if len(small) == 1 and others:
        assert len(hidden) == 2  # the next smallest goes with it: the total no longer gives it away
    assert all(published[k] == withhold(counts[k]) for k in counts if k not in hidden)  # rounded (issue 15 #1)


def test_sensitive_variants_force_each_sensitive_criterion_and_leave_the_rest() -> None:
    from mapping.privacy import sensitive_groups_safe, sensitive_paths, sensitive_variants

    age = {"field": "head.age", "op": "between", "value": [20, 30]}
    disabled = {"field": "household.disability", "op": "eq", "value": True}
    decile = {"field": "household.dtsen_decile", "op": "le", "value": 3}
    tree = {"any": [age, {"all": [{"not": disabled}, decile]}]}
    assert sensitive_paths(tree) == [("any", 1, "all", 0, "not"), ("any", 1, "all", 1)]
    assert sensitive_paths({"all": [age]}) == [] and sensitive_variants(None) == []
    (t1, f1), (t2, f2) = sensitive_variants(tree)
    assert t1 == {"any": [age, {"all": [{"not": {"const": 2}}, {"const": 1}]}]}
    assert f1 == {"any": [age, {"all": [{"not": {"const": 0}}, {"const": 1}]}]}
    assert t2 == {"any": [age, {"all": [{"not": {"const": 1}}, {"const": 2}]}]}
    assert f2 == {"any": [age, {"all": [{"not": {"const": 1}}, {"const": 0}]}]}
    assert tree["any"][1]["all"][1] == decile, "the rule itself is left as it was"
    assert sensitive_groups_safe([0, 10, 300]) and not sensitive_groups_safe([0, 2]) and not sensitive_groups_safe([9])
