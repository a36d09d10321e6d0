"""The network at two dates, compared: ties added and ended, demand newly within reach, isolated
stakeholders no longer isolated, unmet demand (pure, on hand-built records)."""

from __future__ import annotations

from datetime import date

from mapping import changes as ch
from mapping.network import (
    DemandCount,
    FacilitatorRecord,
    ForumRecord,
    NetworkRecords,
    OrgRecord,
    PartnershipRecord,
    ProgramRecord,
    build_graph,
)

V1, V2 = "32.73.16.1002", "32.73.16.1003"


def records(*, ties: list[PartnershipRecord], members: tuple[tuple[str, int], ...] = ()) -> NetworkRecords:
    """Dinsos (1) and CSR (2) offer a programme each (10, 20); facilitator 7 serves V1, facilitator
    8 serves V2; both villages want both programmes; forum 3 holds ``members``."""
    return NetworkRecords(
        organizations=[OrgRecord(1, "Dinas Sosial"), OrgRecord(2, "Forum CSR")],
        programs=[ProgramRecord(10, "Modal Usaha", 1), ProgramRecord(20, "Hibah Peralatan", 2)],
        facilitators=[FacilitatorRecord(7, "Pendamping A", (V1,)), FacilitatorRecord(8, "Pendamping B", (V2,))],
        forums=[ForumRecord(3, "Forum Sinergi", "32.73", members)],
        partnerships=ties,
        demand=[DemandCount(V1, 10, 12), DemandCount(V1, 20, 9), DemandCount(V2, 10, 3), DemandCount(V2, 20, 6)],
        village_names={V1: "Kebon Jayanti", V2: "Babakan Sari"},
    )


FAC7_DINSOS = PartnershipRecord(1, "facilitator", 7, "organization", 1, "mou", date(2026, 1, 1))
DINSOS_CSR = PartnershipRecord(2, "organization", 1, "organization", 2, "mou", date(2026, 12, 8))


def test_a_new_partnership_reaches_the_demand_behind_it() -> None:
    before = build_graph(records(ties=[FAC7_DINSOS]))
    after = build_graph(records(ties=[FAC7_DINSOS, DINSOS_CSR]))
    found = ch.compare(before, after)
    assert [(t.type, t.key, t.source, t.target) for t in found.ties_added] == [
        ("partners", "partners:2", "org:1", "org:2")
    ]
    assert found.ties_ended == []
    # Facilitator 7 (village V1) now reaches CSR's programme through Dinas Sosial.
    assert [(d.village, d.program, d.organization, d.households) for d in found.newly_reached] == [
        (f"village:{V1}", "program:20", "org:2", 9)
    ]
    assert sorted(found.before.unmet) == sorted(
        [(f"village:{V1}", "program:20"), (f"village:{V2}", "program:10"), (f"village:{V2}", "program:20")]
    )
    assert sorted(found.after.unmet_households) == [3, 6]
    # Neither organisation is tied to a facilitator anew except through Dinas Sosial: CSR stays isolated.
    assert found.no_longer_isolated == []


def test_an_ended_tie_and_a_forum_membership() -> None:
    before = build_graph(records(ties=[FAC7_DINSOS, DINSOS_CSR]))
    after = build_graph(records(ties=[FAC7_DINSOS], members=(("facilitator", 8), ("organization", 2))))
    found = ch.compare(before, after)
    assert [t.key for t in found.ties_ended] == ["partners:2"]
    assert sorted((t.source, t.target) for t in found.ties_added) == [
        ("facilitator:8", "forum:3"),
        ("org:2", "forum:3"),
    ]
    # Facilitator 8 now shares a forum with CSR: V2's demand for CSR's programme is reached, V1's is lost.
    assert [(d.village, d.program) for d in found.newly_reached] == [(f"village:{V2}", "program:20")]
    assert (f"village:{V1}", "program:20") in found.after.unmet
    # CSR shares a forum with a facilitator: no longer isolated; facilitator 8 still has no partnership.
    assert found.no_longer_isolated == ["org:2"]


def test_nothing_changes_between_equal_networks() -> None:
    g = build_graph(records(ties=[FAC7_DINSOS]))
    found = ch.compare(g, g)
    assert (found.ties_added, found.ties_ended, found.newly_reached, found.no_longer_isolated) == ([], [], [], [])
    assert ch.figures(g, found.after) == {
        "stakeholders": 5,
        "partnerships": 1,
        "memberships": 0,
        "isolated": 2,  # CSR (no facilitator tie) and facilitator 8 (no partnership)
        "unmet_pairs": 3,
        "reached_pairs": 1,
    }


def test_a_village_without_a_facilitator_is_never_reached() -> None:
    r = records(ties=[FAC7_DINSOS])
    r.demand.append(DemandCount("32.73.16.1004", 10, 20))
    found = ch.reach(build_graph(r))
    assert ("village:32.73.16.1004", "program:10") in found.unmet
