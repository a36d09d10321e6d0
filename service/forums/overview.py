"""What the forum pages show at once: a forum with its members, work plan and meetings, and the
choices its forms offer (parties, programmes, villages of the forum's region)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.forums import ForumDetail, ForumMemberPublic, MeetingSummary, WorkItemPublic
from models.users import Role
from service.core.scope import Scope
from service.forums import queries
from service.forums.access import forum_to_read, runs
from service.forums.forums import forum_detail, forum_details, list_members
from service.forums.meetings import list_meetings
from service.forums.plan import list_work_items

SHOWN = 500  # members, plan items and meetings a page lists
VILLAGE_CHOICES = 400  # a forum's region with more villages asks for the code instead


@dataclass(frozen=True)
class Choices:
    """What the forms of a forum's pages offer: parties as (kind, id, name), programmes as (id,
    name) and villages as (code, name) of the forum's region, as its organiser sees them."""

    parties: list[tuple[str, int, str]]
    programs: list[tuple[int, str]]
    villages: list[tuple[str, str]]


@dataclass(frozen=True)
class ForumOverview:
    forum: ForumDetail
    runs: bool
    members: list[ForumMemberPublic]
    plan: list[WorkItemPublic]
    meetings: list[MeetingSummary]


def forum_overview(session: Session, scope: Scope, forum_id: int) -> ForumOverview:
    """A forum the caller reaches, with its members, work plan and meetings (404 otherwise)."""
    forum = forum_to_read(session, scope, forum_id)
    return ForumOverview(
        forum=forum_detail(session, forum),
        runs=runs(scope, forum),
        members=list_members(session, scope, forum_id=forum_id, limit=SHOWN, offset=0).items,
        plan=list_work_items(session, scope, forum_id=forum_id, limit=SHOWN, offset=0).items,
        meetings=list_meetings(session, scope, forum_id=forum_id, limit=SHOWN, offset=0).items,
    )


def forum_choices_for_forms(session: Session, scope: Scope, forum_id: int) -> Choices:
    """The parties, programmes and villages the forum's forms offer: those of its region, as its
    organiser sees them (an admin choosing for the forum sees the same)."""
    forum = forum_to_read(session, scope, forum_id)
    as_organiser = Scope(
        user_id=scope.user_id, role=Role.forum_organizer, forum_id=forum.id, forum_region=forum.region_code
    )
    return Choices(
        parties=queries.party_choices(session, as_organiser),
        programs=queries.program_choices(session, as_organiser),
        villages=queries.villages_in(session, forum.region_code, limit=VILLAGE_CHOICES + 1),
    )


def readable_forums(session: Session, scope: Scope) -> list[ForumDetail]:
    """Every forum the caller reaches, by name (the forum list page)."""
    return forum_details(session, queries.forums_readable(session, scope))
