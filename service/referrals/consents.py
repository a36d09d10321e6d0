"""The family's consent to share its data with an organisation, and its withdrawal."""

from __future__ import annotations

from sqlmodel import Session

from models.households import Household
from models.organizations import Organization
from models.referrals import Consent, ConsentPurpose, Referral
from models.types import utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.referrals import queries
from service.referrals.notices import tell_moved
from service.referrals.rules import FACILITATOR, S
from service.referrals.status import change_status
from service.referrals.views import ConsentPublic, Withdrawal, consent_public


def require_facilitator(scope: Scope, what: str) -> None:
    """Only a facilitator (linked to their record) passes."""
    if scope.role is not Role.facilitator or scope.facilitator_id is None:
        raise Forbidden(f"Only the family's facilitator {what}")


def record_consent(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    organization_id: int,
    purpose: ConsentPurpose,
    share_phone: bool,
    request_id: str | None,
    share_benefits: bool = False,
) -> ConsentPublic:
    """Record the family's consent to share its data with one organisation for one purpose."""
    require_facilitator(scope, "records consent")
    get_in_scope(session, scope, Household, household_id, "Household")
    if session.get(Organization, organization_id) is None:
        raise InvalidInput(f"organisation {organization_id} does not exist", loc=("body", "organization_id"))
    consent = Consent(
        household_id=household_id,
        organization_id=organization_id,
        purpose=purpose,
        share_phone=share_phone,
        share_benefits=share_benefits,
        recorded_by_user_id=scope.user_id,
    )
    session.add(consent)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="consent",
        entity="consent",
        entity_id=consent.id,
        request_id=request_id,
    )
    session.commit()
    return consent_public(consent)


def list_consents(session: Session, scope: Scope, household_id: int) -> list[ConsentPublic]:
    """The family's consents, withdrawn ones included."""
    get_in_scope(session, scope, Household, household_id, "Household")
    return [consent_public(c) for c in queries.consents_of(session, household_id)]


def withdraw_consent(
    session: Session, scope: Scope, *, household_id: int, consent_id: int, request_id: str | None
) -> Withdrawal:
    """Withdraw a consent; the family's open referrals to that organisation close with it."""
    require_facilitator(scope, "withdraws consent")
    get_in_scope(session, scope, Household, household_id, "Household")
    consent = session.get(Consent, consent_id)
    if consent is None or consent.household_id != household_id:
        raise NotFound(f"Consent {consent_id} not found")
    if consent.withdrawn_at is not None:
        raise Conflict(f"Consent {consent_id} was already withdrawn")
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_user_id = scope.user_id
    session.add(consent)
    closed: list[Referral] = []
    for referral in queries.open_referrals_to(session, household_id, consent.organization_id):
        to = S.dropped if referral.status is S.enrolled else S.withdrawn
        change_status(session, referral, to, actor_user_id=scope.user_id, note="consent withdrawn")
        tell_moved(session, referral, to, by=FACILITATOR)
        closed.append(referral)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="withdraw",
        entity="consent",
        entity_id=consent_id,
        request_id=request_id,
    )
    session.commit()
    return Withdrawal(consent=consent_public(consent), closed_referral_ids=[r.id for r in closed if r.id is not None])


def close_open_referrals(session: Session, household_id: int, *, actor_user_id: int | None, note: str) -> list[int]:
    """Close every open referral of the family (withdrawn; dropped once enrolled); the caller commits."""
    closed: list[int] = []
    for referral in queries.open_referrals_of(session, household_id):
        to = S.dropped if referral.status is S.enrolled else S.withdrawn
        change_status(session, referral, to, actor_user_id=actor_user_id, note=note)
        tell_moved(session, referral, to, by=None)
        if referral.id is not None:
            closed.append(referral.id)
    return closed
