"""How many households in a service area a draft rule would admit: counts only, no identities.

Small counts and differencing (``mapping.privacy``): for everyone but administrators a preview
covers only the caller's reach, shows nothing for an area under ``MIN_AREA_HOUSEHOLDS``, rounds
what it shows to multiples of ``ROUND_TO``, withholds counts resting on a sensitive field when
that field decides fewer than ``SENSITIVE_MIN_GROUP`` households (or the count is under it), is
audited, and counts against the caller's daily budget (429 once spent).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from mapping import privacy
from mapping.matching import ProgramFacts
from mapping.screening import ELIGIBLE, UNKNOWN, screen
from models.eligibility import region_codes_in, rule_fields_in
from models.households import Household
from models.organizations import Organization
from models.types import code_within, utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.regions import require_regions
from service.core.scope import Scope, reach_of, within
from service.errors import Forbidden, InvalidInput, TooManyRequests
from service.matching.queries import audit_times, count_households, load_columns
from service.matching.schemas import Preview, PreviewRequest

MAX_PREVIEW = 500_000
BUDGET_WINDOW = timedelta(hours=24)


def preview_reach(session: Session, scope: Scope) -> list[str] | None:
    """Where the caller may preview (``None``: everywhere, admins): an organiser their forum's
    region; agency staff their organisation's own region and its reach (published programmes'
    approved service areas, ``reach_of``). Facilitators do not preview (403)."""
    if scope.is_admin:
        return None
    if scope.role is Role.forum_organizer:
        return [scope.forum_region] if scope.forum_region else []
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        org = session.get(Organization, scope.organization_id)
        home = [org.region_code] if org is not None and org.region_code else []
        return home + (reach_of(session, scope) or [])
    raise Forbidden("Rule previews are for agencies, forum organisers and administrators")


def _spend_budget(session: Session, scope: Scope, budget: int | None) -> None:
    """429 when the caller ran ``budget`` previews in the last 24 hours (admins are not counted)."""
    if budget is None or scope.is_admin or scope.user_id is None:
        return
    now = utcnow()
    times = audit_times(session, actor_user_id=scope.user_id, action="preview", since=now - BUDGET_WINDOW)
    if len(times) >= budget:
        wait = times[len(times) - budget] + BUDGET_WINDOW - now
        raise TooManyRequests(
            f"You have used your {budget} rule previews of the last 24 hours; "
            f"try again in {int(wait.total_seconds() // 60) + 1} minutes",
            retry_after=int(wait.total_seconds()) + 1,
        )


def preview_counts(
    session: Session,
    scope: Scope,
    body: PreviewRequest,
    *,
    today: date,
    budget: int | None = None,
    request_id: str | None = None,
) -> Preview:
    """Households of ``body.service_area`` that ``body.eligibility`` would admit, may admit or
    refuse (agencies and forum organisers inside their reach, admins anywhere; ``budget``
    previews a day for all but admins)."""
    reach = preview_reach(session, scope)
    require_regions(session, body.service_area, loc=("body", "service_area"))
    if body.eligibility:
        require_regions(session, region_codes_in(body.eligibility), loc=("body", "eligibility"))
    if reach is not None:
        outside = [c for c in body.service_area if not any(code_within(c, r) for r in reach)]
        if outside:
            raise Forbidden(
                f"A preview covers only your reach ({', '.join(sorted(reach)) or 'nothing yet'}); "
                f"outside it: {', '.join(outside)}"
            )
    _spend_budget(session, scope, budget)
    area = sa.or_(*[within(Household.village_code, code) for code in body.service_area])
    in_area = count_households(session, [area])
    if in_area > MAX_PREVIEW:
        raise InvalidInput(
            f"a preview covers at most {MAX_PREVIEW} households; choose a smaller area", loc=("body", "service_area")
        )
    exact = scope.is_admin
    variants = privacy.sensitive_variants(body.eligibility)
    rules = [body.eligibility] + [tree for pair in variants for tree in pair]
    programs = [
        ProgramFacts(
            program_id=i,
            name="preview",
            organization_name="",
            kind="training",
            status="active",
            eligibility=rule,
            service_area=tuple(body.service_area),
        )
        for i, rule in enumerate(rules)
    ]
    codes = screen(load_columns(session, [area], today=today), programs, today=today)
    eligible, unknown = int((codes[0] == ELIGIBLE).sum()), int((codes[0] == UNKNOWN).sum())
    counts = {"eligible": eligible, "unknown": unknown, "ineligible": in_area - eligible - unknown}
    decided = [privacy.decided(codes[1 + 2 * i], codes[2 + 2 * i]) for i in range(len(variants))]
    minimum = privacy.SENSITIVE_MIN_GROUP if variants else privacy.MIN_HOUSEHOLDS
    reason = None
    if not exact and in_area < privacy.MIN_AREA_HOUSEHOLDS:
        reason = "small_area"
    elif not exact and not privacy.sensitive_groups_safe(decided):
        reason = "sensitive_group"
    shown = privacy.withhold_complementary(counts, exact=exact, minimum=minimum)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="preview",
        entity="program_preview",
        request_id=request_id,
        fields=[*dict.fromkeys(body.service_area), *sorted(set(rule_fields_in(body.eligibility)))],
    )
    session.commit()
    if reason is not None:
        return Preview(
            households_in_area=None,
            eligible=None,
            unknown=None,
            ineligible=None,
            withheld_below=minimum,
            rounded_to=privacy.ROUND_TO,
            withheld_reason=reason,
        )
    return Preview(
        households_in_area=privacy.withhold(in_area, exact=exact),
        withheld_below=None if exact else minimum,
        rounded_to=None if exact else privacy.ROUND_TO,
        eligible=shown["eligible"],
        unknown=shown["unknown"],
        ineligible=shown["ineligible"],
    )
