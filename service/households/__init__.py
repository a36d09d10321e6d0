"""Households (KPM) and their businesses: the caseload a facilitator keeps, and its KPM groups."""

from service.households.checkins import (
    BusinessMonitor,
    CheckinForm,
    business_monitors,
    checkin_form,
    checkin_history,
    households_due,
    record_checkin,
)
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
    "BusinessMonitor",
    "CheckinForm",
    "GroupPage",
    "GroupsOverview",
    "business_monitors",
    "checkin_form",
    "checkin_history",
    "create_group",
    "get_group",
    "group_for_name",
    "group_page",
    "groups_overview",
    "households_due",
    "list_groups",
    "move_households",
    "normalized_name",
    "record_checkin",
    "remove_from_group",
    "update_group",
]
