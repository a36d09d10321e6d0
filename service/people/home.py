"""What each role's home page shows, computed through the same scope as the API."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.households import Business, Facilitator, FacilitatorVillage, Household, KpmGroup
from models.invitations import InvitationStatus
from models.network import Forum
from models.organizations import Location, Organization, Program, ProgramStatus
from models.referrals import Referral
from models.types import utcnow
from models.users import Role, User
from service.core.regions import region_names
from service.core.scope import Scope
from service.graduation import five_year_alerts
from service.invitations import list_invitations

HOME_ALERTS = 10  # the families near the 5-year mark with no pathway a facilitator's home lists
HOME_INVITATIONS = 20  # the forum invitations an agency's home page lists (newest first)


def _count(session: Session, model: type[Any], *where: Any) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def home_summary(session: Session, user: User) -> dict[str, Any]:
    """The figures and lists of ``user``'s home page."""
    scope = Scope.for_user(session, user)
    role = Role(user.role)
    if role is Role.admin:
        return {
            "households": _count(session, Household),
            "facilitators": _count(session, Facilitator),
            "organizations": _count(session, Organization),
            "active_programs": _count(session, Program, col(Program.status) == ProgramStatus.active),
            "referrals": _count(session, Referral),
        }
    if role is Role.facilitator:
        facilitator = session.get(Facilitator, user.facilitator_id) if user.facilitator_id else None
        if facilitator is None:
            return {"linked": False}
        mine = scope.where(Household)
        with_business = _count(
            session, Household, mine, sa.exists().where(col(Business.household_id) == col(Household.id))
        )
        groups = session.exec(
            select(KpmGroup.name, KpmGroup.village_code, sa.func.count(col(Household.id)))
            .join(Household, col(Household.group_id) == col(KpmGroup.id), isouter=True)
            .where(scope.where(KpmGroup))
            .group_by(col(KpmGroup.id), col(KpmGroup.name), col(KpmGroup.village_code))
            .order_by(col(KpmGroup.name))
        ).all()
        villages = list(
            session.exec(
                select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == facilitator.id)
            )
        )
        names = region_names(session, villages + [g[1] for g in groups])
        return {
            "linked": True,
            "facilitator": facilitator,
            "caseload": _count(session, Household, mine),
            "with_business": with_business,
            "villages": [(c, names.get(c, c)) for c in villages],
            "groups": [(name, names.get(code, code), n) for name, code, n in groups],
            "catalogue": _count(session, Program, scope.where(Program), Program.status == ProgramStatus.active),
            "five_years": five_year_alerts(session, scope, today=utcnow().date())[:HOME_ALERTS],
        }
    if role is Role.agency_staff:
        org = session.get(Organization, user.organization_id) if user.organization_id else None
        if org is None:
            return {"linked": False}
        programs = session.exec(select(Program).where(Program.organization_id == org.id).order_by(Program.name)).all()
        locations = session.exec(select(Location).where(Location.organization_id == org.id)).all()
        invited = list_invitations(session, scope, limit=HOME_INVITATIONS, offset=0).items
        return {
            "linked": True,
            "organization": org,
            "programs": programs,
            "open_locations": sum(1 for loc in locations if loc.closed_on is None),
            "closed_locations": sum(1 for loc in locations if loc.closed_on is not None),
            # Waiting for an answer first, then the latest answered.
            "invitations": sorted(invited, key=lambda i: (i.status != InvitationStatus.sent, -i.id)),
        }
    forum = session.get(Forum, user.forum_id) if user.forum_id else None
    if forum is None:
        return {"linked": False}
    orgs = session.exec(select(Organization).where(scope.where(Organization)).order_by(Organization.name)).all()
    return {
        "linked": True,
        "forum": forum,
        "region_name": region_names(session, [forum.region_code]).get(forum.region_code, forum.region_code),
        "organizations": orgs,
        "programs": _count(session, Program, scope.where(Program), Program.status == ProgramStatus.active),
        "facilitators": _count(session, Facilitator, scope.where(Facilitator)),
    }
