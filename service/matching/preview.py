"""How many households in a service area a draft rule would admit: counts only, no identities."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from mapping import privacy
from mapping.matching import ProgramFacts
from mapping.screening import ELIGIBLE, UNKNOWN, screen
from models.eligibility import region_codes_in
from models.households import Household
from models.users import Role
from service.core.regions import require_regions
from service.core.scope import Scope, within
from service.errors import Forbidden, InvalidInput
from service.matching.queries import count_households, load_columns
from service.matching.schemas import Preview, PreviewRequest

MAX_PREVIEW = 500_000


def preview_counts(session: Session, scope: Scope, body: PreviewRequest, *, today: date) -> Preview:
    """Households of ``body.service_area`` that ``body.eligibility`` would admit, may admit or
    refuse (agencies, forum organisers and admins; small counts withheld for all but admins)."""
    if scope.role is Role.facilitator:
        raise Forbidden("Rule previews are for agencies, forum organisers and administrators")
    require_regions(session, body.service_area, loc=("body", "service_area"))
    if body.eligibility:
        require_regions(session, region_codes_in(body.eligibility), loc=("body", "eligibility"))
    area = sa.or_(*[within(Household.village_code, code) for code in body.service_area])
    in_area = count_households(session, [area])
    if in_area > MAX_PREVIEW:
        raise InvalidInput(
            f"a preview covers at most {MAX_PREVIEW} households; choose a smaller area", loc=("body", "service_area")
        )
    program = ProgramFacts(
        program_id=0,
        name="preview",
        organization_name="",
        kind="training",
        status="active",
        eligibility=body.eligibility,
        service_area=tuple(body.service_area),
    )
    codes = screen(load_columns(session, [area], today=today), [program], today=today)[0]
    eligible, unknown = int((codes == ELIGIBLE).sum()), int((codes == UNKNOWN).sum())
    counts = {"eligible": eligible, "unknown": unknown, "ineligible": in_area - eligible - unknown}
    exact = scope.role is Role.admin
    shown = privacy.withhold_complementary(counts, exact=exact)
    return Preview(
        households_in_area=in_area,
        withheld_below=None if exact else privacy.MIN_HOUSEHOLDS,
        eligible=shown["eligible"],
        unknown=shown["unknown"],
        ineligible=shown["ineligible"],
    )
