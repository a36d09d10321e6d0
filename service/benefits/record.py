"""Use cases of the benefit record: read it, add a benefit received outside Jejaring, enter a
completed referral's benefit, confirm the certificates a programme gave the business, and the
double-funding guard's warnings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from mapping.benefits import FundingWarning, PastBenefit, certificates_given, funding_warnings, need_of
from models.benefits import Benefit, BenefitConfirm, BenefitCreate, BenefitPublic, BenefitSource
from models.households import Business, Household
from models.organizations import Need, Organization, Program
from models.referrals import Referral
from models.types import utcnow
from service.benefits import queries
from service.benefits.views import benefit_public
from service.core.audit import audited_read, record_event
from service.core.paging import Page
from service.core.records import require_row, update_versioned
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, InvalidInput, NotFound

DEFAULT_MONTHS = 12  # the guard's period (JEJARING_DOUBLE_FUNDING_MONTHS)


def _family(session: Session, scope: Scope, household_id: int) -> Household:
    """The family, if in the caller's care (its facilitator, admins); 404 for anyone else."""
    return get_in_scope(session, scope, Household, household_id, "Household")


def benefit_record(
    session: Session, scope: Scope, household_id: int, *, limit: int, offset: int, request_id: str | None
) -> Page[BenefitPublic]:
    """The family's benefits, newest first (audited as a read of the family's data)."""
    with audited_read(session, scope, entity="household", entity_id=household_id, request_id=request_id,
                      action="read_benefits"):  # fmt: skip
        _family(session, scope, household_id)
        rows, total = queries.benefit_page(session, household_id, limit=limit, offset=offset)
        items = [benefit_public(b, o, p) for b, o, p in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


def benefits_of_family(session: Session, scope: Scope, household_id: int, *, shown: int) -> Page[BenefitPublic]:
    """The family's latest ``shown`` benefits for its page (whose own read is audited already)."""
    _family(session, scope, household_id)
    rows, total = queries.benefit_page(session, household_id, limit=shown, offset=0)
    return Page(items=[benefit_public(b, o, p) for b, o, p in rows], total=total, limit=shown, offset=0)


def _business_for(session: Session, household_id: int, business_id: int | None, *, needed: bool) -> Business | None:
    """The family's business ``business_id``, or its only one; 422 naming ``business_id`` otherwise."""
    businesses = queries.businesses_of(session, household_id)
    if business_id is not None:
        found = next((b for b in businesses if b.id == business_id), None)
        if found is None:
            raise InvalidInput(f"business {business_id} is not this family's", loc=("body", "business_id"))
        return found
    if len(businesses) == 1:
        return businesses[0]
    if needed:
        raise InvalidInput(
            "say which business holds the certificate (business_id)"
            if businesses
            else "the family has no business to hold the certificate: add it first",
            loc=("body", "business_id"),
        )
    return None


def _grant_certificates(
    session: Session, business: Business, certificates: list[str], *, actor_user_id: int | None, request_id: str | None
) -> None:
    """The business now holds ``certificates`` (its version moves on; audited)."""
    changes = {f"has_{c}": True for c in certificates if getattr(business, f"has_{c}") is not True}
    if not changes:
        return
    update_versioned(session, business, changes, expected_version=business.version, what="Business")
    record_event(
        session,
        actor_user_id=actor_user_id,
        action="update",
        entity="business",
        entity_id=business.id,
        request_id=request_id,
        fields=sorted(changes),
    )


def record_benefit(
    session: Session, scope: Scope, *, household_id: int, data: BenefitCreate, today: date, request_id: str | None
) -> BenefitPublic:
    """Add a benefit the family received outside Jejaring (or before it). Certificates it gave
    reach the business at once: the facilitator records what they saw."""
    _family(session, scope, household_id)
    if data.received_on > today:
        raise InvalidInput("the date received cannot be in the future", loc=("body", "received_on"))
    require_row(session, Organization, data.organization_id, loc=("body", "organization_id"), what="organisation")
    certificates = [c.value for c in data.certificates]
    if certificates and data.kind.value != "certification":
        raise InvalidInput("certificates come with a certification benefit (kind)", loc=("body", "certificates"))
    business = _business_for(session, household_id, data.business_id, needed=False)
    now = utcnow()
    confirmed = bool(certificates) and business is not None
    benefit = Benefit(
        household_id=household_id,
        organization_id=data.organization_id,
        provider=data.provider.strip() if data.provider else None,
        program_name=data.program_name,
        kind=data.kind,
        need=data.need or Need(need_of(data.kind.value)),
        amount=data.amount,
        received_on=data.received_on,
        source=BenefitSource.manual,
        certificates=certificates,
        business_id=business.id if business is not None else None,
        confirmed_at=now if confirmed else None,
        confirmed_by_user_id=scope.user_id if confirmed else None,
        recorded_by_user_id=scope.user_id,
        note=data.note,
    )
    session.add(benefit)
    session.flush()
    record_event(
        session, actor_user_id=scope.user_id, action="create", entity="benefit", entity_id=benefit.id,
        request_id=request_id, fields=["source"],
    )  # fmt: skip
    if confirmed and business is not None:
        _grant_certificates(session, business, certificates, actor_user_id=scope.user_id, request_id=request_id)
    session.commit()
    return _public(session, benefit)


def _public(session: Session, benefit: Benefit) -> BenefitPublic:
    assert benefit.id is not None
    named = queries.named_benefit(session, benefit.id)
    assert named is not None
    return benefit_public(*named)


def record_completion(
    session: Session,
    *,
    referral: Referral,
    outcome: Mapping[str, Any],
    actor_user_id: int | None,
    today: date,
    request_id: str | None,
) -> Benefit:
    """Enter a referral that just completed into the family's record (the caller's transaction).

    A certification programme's certificates (when the outcome says one was obtained) wait for the
    family's facilitator to confirm them (``confirm_certificates``)."""
    assert referral.id is not None
    existing = queries.benefit_of_referral(session, referral.id)
    if existing is not None:
        return existing
    program = session.get(Program, referral.program_id)
    assert program is not None
    kind = str(program.kind)
    certificates = (
        certificates_given(kind, program.eligibility, program.name) if outcome.get("certificate_obtained") else []
    )
    benefit = Benefit(
        household_id=referral.household_id,
        referral_id=referral.id,
        program_id=program.id,
        organization_id=program.organization_id,
        kind=program.kind,
        need=Need(need_of(kind)),
        amount=outcome.get("benefit_amount"),
        received_on=today,
        source=BenefitSource.referral,
        certificates=certificates,
        recorded_by_user_id=actor_user_id,
    )
    session.add(benefit)
    session.flush()
    record_event(
        session, actor_user_id=actor_user_id, action="create", entity="benefit", entity_id=benefit.id,
        request_id=request_id, fields=["referral_id"],
    )  # fmt: skip
    return benefit


def confirm_certificates(
    session: Session, scope: Scope, *, household_id: int, benefit_id: int, data: BenefitConfirm, request_id: str | None
) -> BenefitPublic:
    """The family's facilitator (or an admin) confirms the certificates a completed programme gave:
    the business now holds them, and the family's matches follow."""
    _family(session, scope, household_id)
    benefit = session.get(Benefit, benefit_id)
    if benefit is None or benefit.household_id != household_id:
        raise NotFound(f"Benefit {benefit_id} not found")
    if benefit.confirmed_at is not None:
        raise Conflict(f"the certificates of benefit {benefit_id} were already confirmed")
    certificates = [c.value for c in data.certificates] if data.certificates else list(benefit.certificates or [])
    if not certificates:
        raise InvalidInput(
            "this benefit names no certificate: say which the business obtained (nib, pirt, halal)",
            loc=("body", "certificates"),
        )
    if str(benefit.kind) != "certification":
        raise InvalidInput("only a certification benefit gives certificates", loc=("body", "certificates"))
    business = _business_for(session, household_id, data.business_id, needed=True)
    assert business is not None and business.id is not None
    benefit.certificates = certificates
    benefit.business_id = business.id
    benefit.confirmed_at = utcnow()
    benefit.confirmed_by_user_id = scope.user_id
    session.add(benefit)
    session.flush()
    record_event(
        session, actor_user_id=scope.user_id, action="confirm", entity="benefit", entity_id=benefit.id,
        request_id=request_id, fields=["certificates", "business_id", "confirmed_at"],
    )  # fmt: skip
    _grant_certificates(session, business, certificates, actor_user_id=scope.user_id, request_id=request_id)
    session.commit()
    return _public(session, benefit)


def past_benefits_of(session: Session, household_ids: list[int]) -> dict[int, list[PastBenefit]]:
    """The families' records as the double-funding guard reads them (``mapping.benefits.funding_warnings``)."""
    return queries.past_benefits(session, household_ids)


def warnings_for(
    session: Session, household_id: int, *, kind: str, today: date, months: int = DEFAULT_MONTHS
) -> list[FundingWarning]:
    """The double-funding warnings a referral of the family to a programme of ``kind`` raises now."""
    record = queries.past_benefits(session, [household_id]).get(household_id, [])
    return funding_warnings(record, kind=kind, today=today, months=months)
