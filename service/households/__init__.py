"""Households (KPM) and their businesses: the caseload a facilitator keeps, and its KPM groups."""

from service.households.groups import (
    GroupPage,
    GroupsOverview,
    create_group,
    get_group,
    group_for_name,
    group_page,
    groups_overview,
    list_groups,
    move_households,
    normalized_name,
    remove_from_group,
    update_group,
)

__all__ = [
    "GroupPage",
    "GroupsOverview",
    "create_group",
    "get_group",
    "group_for_name",
    "group_page",
    "groups_overview",
    "list_groups",
    "move_households",
    "normalized_name",
    "remove_from_group",
    "update_group",
]
