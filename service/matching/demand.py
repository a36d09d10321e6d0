"""Demand in an organisation's area: families whose businesses its programmes could serve, by village.

Counts only; counts of 1 to 4 are withheld (``None``) from everyone but administrators
(``mapping.privacy``), so no family can be singled out from a small village.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from mapping import privacy
from mapping.analysis import demand_per_village
from mapping.screening import screen
from models.households import Household
from models.organizations import Organization, Program, ProgramStatus
from models.users import Role
from service.core.regions import region_names
from service.core.scope import Scope, clip_to_reach, get_in_scope, reach_of, within
from service.errors import Forbidden
from service.matching.queries import load_columns, program_facts, referred_household_ids
from service.matching.schemas import Demand, VillageDemandPublic


def demand_by_village(
    session: Session, organization_id: int, *, today: date, exact: bool, reach: list[str] | None = None
) -> list[VillageDemandPublic]:
    """Per village of the organisation's service areas: families, those with a business its
    programmes serve (sector and stated need), those eligible for at least one of its programmes,
    and those referred to one. Closed programmes are left out. Only the villages inside ``reach``
    (``None``: everywhere), so a draft's far service area shows nothing of that place."""
    live = [col(Program.organization_id) == organization_id, col(Program.status) != ProgramStatus.closed]
    programs, _ = program_facts(session, live)
    areas = clip_to_reach(sorted({code for p in programs for code in p.service_area}), reach)
    if not areas:
        return []
    cols = load_columns(session, [sa.or_(*[within(Household.village_code, code) for code in areas])], today=today)
    if cols.n_households == 0:
        return []
    # Drafts and paused programmes count as if open: demand is what they would meet.
    codes = screen(cols, [replace(p, status="active") for p in programs], today=today)
    referred = referred_household_ids(session, [p.program_id for p in programs])
    per_village = demand_per_village(cols, programs, codes, sorted(referred))
    names = region_names(session, list(per_village))
    return [
        VillageDemandPublic(
            village_code=code,
            village_name=names.get(code),
            households=privacy.withhold(c.households, exact=exact),
            with_fitting_business=privacy.withhold(c.fitting, exact=exact),
            eligible=privacy.withhold(c.eligible, exact=exact),
            referred=privacy.withhold(c.referred, exact=exact),
        )
        for code, c in sorted(per_village.items())
    ]


def organization_demand(session: Session, scope: Scope, organization_id: int, *, today: date) -> Demand:
    """The organisation's demand by village: its own staff, forum organisers of its region and admins."""
    org: Organization = get_in_scope(session, scope, Organization, organization_id, "Organization")
    if scope.role is Role.facilitator:
        raise Forbidden("Demand figures are for the organisation, forum organisers and administrators")
    assert org.id is not None
    reach = [scope.forum_region or ""] if scope.role is Role.forum_organizer else reach_of(session, scope)
    return Demand(
        organization_id=organization_id,
        withheld_below=None if scope.is_admin else privacy.MIN_HOUSEHOLDS,
        villages=demand_by_village(session, org.id, today=today, exact=scope.is_admin, reach=reach),
    )
