"""Pathways: ordered programmes or programme kinds towards a goal, defined by agencies and forums;
where each family stands on them (its next step and what it lacks) and each pathway's funnel.

The names below are the domain's interface.
"""

from service.pathways.next_steps import (
    CompactStep,
    caseload_next_steps,
    household_next_steps,
    next_steps_for,
    pathway_funnels,
)
from service.pathways.pathways import (
    create_pathway,
    get_pathway,
    list_pathways,
    may_define,
    owner_forum_choices,
    step_program_choices,
    update_pathway,
)

__all__ = [
    "CompactStep",
    "caseload_next_steps",
    "create_pathway",
    "get_pathway",
    "household_next_steps",
    "list_pathways",
    "may_define",
    "next_steps_for",
    "owner_forum_choices",
    "pathway_funnels",
    "step_program_choices",
    "update_pathway",
]
