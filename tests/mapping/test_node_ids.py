"""Node ids and their inverse: every analysis reads a record's id back from its node."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapping.network import NODE_KINDS, node_id, node_key, parse_node_id


@given(kind=st.sampled_from([k for k in NODE_KINDS if k != "village"]), key=st.integers(min_value=1, max_value=10**9))
def test_parse_node_id_inverts_node_id(kind: str, key: int) -> None:
    node = node_id(kind, key)
    assert parse_node_id(node) == (kind, str(key))
    assert node_key(node) == key


def test_a_village_keeps_its_region_code() -> None:
    assert parse_node_id(node_id("village", "32.73.16.1002")) == ("village", "32.73.16.1002")
    with pytest.raises(ValueError, match="village"):
        node_key("village:32.73.16.1002")


@pytest.mark.parametrize("bad", ["", "org", "org:", "household:3", "12"])
def test_parse_node_id_refuses_what_is_not_a_node(bad: str) -> None:
    with pytest.raises(ValueError, match="not a node id"):
        parse_node_id(bad)
