"""Forums kept by their users: forums and their organisers, members with roles and dates, the work
plan, meetings with attendance and minutes, and the commitments made there, followed up to the end.

Who reaches what is in ``service.forums.access``. The names below are the domain's interface.
"""

from service.forums.access import runs
from service.forums.due import DUE_WITHIN_DAYS, DueCommitment, commitments_due
from service.forums.forums import (
    add_member,
    create_forum,
    get_forum,
    list_forums,
    list_members,
    organiser_choices,
    update_forum,
    update_member,
)
from service.forums.meetings import (
    add_commitment,
    commitments_followed_by,
    create_meeting,
    get_commitment,
    get_meeting,
    list_meetings,
    may_run_meeting,
    record_meeting_export,
    update_commitment,
)
from service.forums.notices import notify_commitments_due, tell_meeting_scheduled
from service.forums.overview import (
    VILLAGE_CHOICES,
    Choices,
    ForumOverview,
    forum_choices_for_forms,
    forum_overview,
    readable_forums,
)
from service.forums.plan import add_work_item, delete_work_item, list_work_items, update_work_item

__all__ = [
    "DUE_WITHIN_DAYS",
    "VILLAGE_CHOICES",
    "Choices",
    "DueCommitment",
    "ForumOverview",
    "add_commitment",
    "add_member",
    "add_work_item",
    "commitments_due",
    "commitments_followed_by",
    "create_forum",
    "create_meeting",
    "delete_work_item",
    "forum_choices_for_forms",
    "forum_overview",
    "get_commitment",
    "get_forum",
    "get_meeting",
    "list_forums",
    "list_meetings",
    "list_members",
    "list_work_items",
    "may_run_meeting",
    "notify_commitments_due",
    "organiser_choices",
    "readable_forums",
    "record_meeting_export",
    "runs",
    "tell_meeting_scheduled",
    "update_commitment",
    "update_forum",
    "update_member",
    "update_work_item",
]
