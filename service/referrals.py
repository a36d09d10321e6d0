"""Consent and the referral loop: facilitator -> agency -> facilitator.

A facilitator refers a family in their care to a programme the family qualifies for (or may),
after recording the family's consent to share its data with that organisation. The receiving
organisation's staff accept or decline, enrol, and complete (with an outcome) or drop; the
facilitator may withdraw before enrolment. Every change is a ``ReferralEvent``; every status
change is one ``UPDATE ... WHERE status = :from``, so two people acting at once cannot both win.
Capacity is taken on enrolment and given back on a drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import sqlalchemy as sa
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mapping.matching import MatchStatus, evaluate_program, reach_reasons
from models.households import Household
from models.organizations import Organization, Program, ProgramStatus
from models.referrals import Consent, ConsentPurpose, DeclineReason, Referral, ReferralEvent, ReferralStatus
from models.types import utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.matching import household_facts, program_facts, referenced_program_names

S = ReferralStatus
OPEN: Final = (S.sent, S.accepted, S.enrolled)
AGENCY, FACILITATOR = "agency", "facilitator"
# from -> {to: who may make that move}
TRANSITIONS: Final[dict[ReferralStatus, dict[ReferralStatus, str]]] = {
    S.sent: {S.accepted: AGENCY, S.declined: AGENCY, S.withdrawn: FACILITATOR},
    S.accepted: {S.enrolled: AGENCY, S.declined: AGENCY, S.withdrawn: FACILITATOR},
    S.enrolled: {S.completed: AGENCY, S.dropped: AGENCY},
}


class Outcome(BaseModel):
    """What the family got, recorded by the agency when the referral completes."""

    benefit_amount: int | None = Field(default=None, ge=0, le=10_000_000_000, description="Rupiah received")
    training_completed: bool = False
    certificate_obtained: bool = False
    loan_granted: bool = False
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _something(self) -> Outcome:
        if not (
            self.benefit_amount or self.training_completed or self.certificate_obtained or self.loan_granted
        ) and not (self.note and self.note.strip()):
            raise ValueError("say what the family received (benefit_amount, training_completed, ...) or add a note")
        return self


# --- consent --------------------------------------------------------------------------------------


def _require_facilitator(scope: Scope, what: str) -> None:
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
) -> Consent:
    """Record the family's consent to share its data with one organisation for one purpose."""
    _require_facilitator(scope, "records consent")
    get_in_scope(session, scope, Household, household_id, "Household")
    if session.get(Organization, organization_id) is None:
        raise InvalidInput(f"organisation {organization_id} does not exist", loc=("body", "organization_id"))
    consent = Consent(
        household_id=household_id,
        organization_id=organization_id,
        purpose=purpose,
        share_phone=share_phone,
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
    return consent


def list_consents(session: Session, scope: Scope, household_id: int) -> list[Consent]:
    get_in_scope(session, scope, Household, household_id, "Household")
    return list(session.exec(select(Consent).where(Consent.household_id == household_id).order_by(Consent.id)))


def withdraw_consent(
    session: Session, scope: Scope, *, household_id: int, consent_id: int, request_id: str | None
) -> list[Referral]:
    """Withdraw a consent; the family's open referrals to that organisation close with it."""
    _require_facilitator(scope, "withdraws consent")
    get_in_scope(session, scope, Household, household_id, "Household")
    consent = session.get(Consent, consent_id)
    if consent is None or consent.household_id != household_id:
        raise NotFound(f"Consent {consent_id} not found")
    if consent.withdrawn_at is not None:
        raise Conflict(f"Consent {consent_id} was already withdrawn")
    now = utcnow()
    consent.withdrawn_at = now
    consent.withdrawn_by_user_id = scope.user_id
    session.add(consent)
    open_referrals = session.exec(
        select(Referral)
        .join(Program, Program.id == Referral.program_id)
        .where(
            Referral.household_id == household_id,
            Program.organization_id == consent.organization_id,
            Referral.status.in_(OPEN),  # type: ignore[attr-defined]
        )
    ).all()
    closed = []
    for referral in open_referrals:
        to = S.dropped if referral.status is S.enrolled else S.withdrawn
        _move(session, referral, to, actor_user_id=scope.user_id, note="consent withdrawn")
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
    return closed


def _active_consent(session: Session, household_id: int, organization_id: int) -> Consent | None:
    return session.exec(
        select(Consent)
        .where(
            Consent.household_id == household_id,
            Consent.organization_id == organization_id,
            Consent.purpose == ConsentPurpose.referral,  # type: ignore[arg-type]
            Consent.withdrawn_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Consent.id.desc())  # type: ignore[union-attr]
    ).first()


# --- creating a referral --------------------------------------------------------------------------


def create_referral(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    program_id: int,
    note: str | None,
    idempotency_key: str | None,
    today: date,
    request_id: str | None,
) -> tuple[Referral, bool]:
    """Refer a family in the caller's care; returns the referral and whether it was created now.

    A retry with the same ``Idempotency-Key`` returns the referral the first request made.
    """
    _require_facilitator(scope, "refers a family")
    if idempotency_key:
        earlier = _by_key(session, scope.user_id, idempotency_key)
        if earlier is not None:
            return _same_request(earlier, household_id, program_id), False
    household = get_in_scope(session, scope, Household, household_id, "Household")
    program = session.exec(
        select(Program).where(Program.id == program_id, Program.status != ProgramStatus.draft)
    ).first()
    if program is None:
        raise InvalidInput(f"programme {program_id} does not exist", loc=("body", "program_id"))
    facts = household_facts(session, [household], today=today)[0]
    programs, _ = program_facts(session, [Program.id == program_id])
    names = region_names(session, [household.village_code, *programs[0].service_area])
    evaluation = evaluate_program(
        facts,
        programs[0],
        today=today,
        region_names=names,
        program_names=referenced_program_names(session, programs),
    )
    closed = [
        r for r in reach_reasons(programs[0], household.village_code, today, "en") if r.field != "program.service_area"
    ]
    if closed:
        raise Conflict(f"{program.name} cannot take referrals now: " + "; ".join(r.message for r in closed))
    if evaluation.status is MatchStatus.ineligible:
        failing = [r.message for r in evaluation.reasons if r.result.value == "fail"]
        raise InvalidInput(
            "the family does not qualify for this programme: " + "; ".join(failing), loc=("body", "program_id")
        )
    consent = _active_consent(session, household_id, program.organization_id)
    if consent is None:
        raise InvalidInput(
            "the family's consent to share its data with this organisation is needed first: record it with "
            f"POST /api/v1/households/{household_id}/consents",
            loc=("body", "household_id"),
            kind="consent_required",
        )
    duplicate = session.exec(
        select(Referral).where(
            Referral.household_id == household_id,
            Referral.program_id == program_id,
            Referral.status.in_(OPEN),  # type: ignore[attr-defined]
        )
    ).first()
    if duplicate is not None:
        raise Conflict(
            f"this family already has an open referral to {program.name} (#{duplicate.id}, {duplicate.status})"
        )
    now = utcnow()
    referral = Referral(
        household_id=household_id,
        program_id=program_id,
        facilitator_id=scope.facilitator_id,
        status=S.sent,
        note=note,
        sent_at=now,
        status_changed_at=now,
        consent_id=consent.id,
        created_by_user_id=scope.user_id,
        idempotency_key=idempotency_key,
        match={"status": evaluation.status.value, "reasons": [r.as_dict() for r in evaluation.reasons]},
    )
    session.add(referral)
    try:
        session.flush()
    except IntegrityError:
        # The same Idempotency-Key committed by a concurrent retry: answer with that referral.
        session.rollback()
        earlier = _by_key(session, scope.user_id, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return _same_request(earlier, household_id, program_id), False
    session.add(ReferralEvent(referral_id=referral.id, actor_user_id=scope.user_id, to_status=S.sent, note=note))
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="referral",
        entity_id=referral.id,
        request_id=request_id,
    )
    session.commit()
    return referral, True


def _by_key(session: Session, user_id: int, key: str) -> Referral | None:
    return session.exec(
        select(Referral).where(Referral.created_by_user_id == user_id, Referral.idempotency_key == key)
    ).first()


def _same_request(earlier: Referral, household_id: int, program_id: int) -> Referral:
    if (earlier.household_id, earlier.program_id) != (household_id, program_id):
        raise InvalidInput(
            "this Idempotency-Key was already used for a different referral; send a new key",
            loc=("header", "Idempotency-Key"),
        )
    return earlier


# --- moving a referral ----------------------------------------------------------------------------


def _role_in(session: Session, scope: Scope, referral: Referral) -> str | None:
    """Which side of ``referral`` the caller is on: the receiving agency, the facilitator, or none."""
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        owner = session.exec(select(Program.organization_id).where(Program.id == referral.program_id)).one()
        return AGENCY if owner == scope.organization_id else None
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return FACILITATOR if referral.facilitator_id == scope.facilitator_id else None
    return None


def referral_filter(scope: Scope) -> Any:
    """SQL: the referrals the caller may see (their own as facilitator, their organisation's as agency)."""
    if scope.is_admin:
        return sa.true()
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return Referral.facilitator_id == scope.facilitator_id
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        return Referral.program_id.in_(  # type: ignore[attr-defined]
            select(Program.id).where(Program.organization_id == scope.organization_id)
        )
    return sa.false()


def get_referral(session: Session, scope: Scope, referral_id: int) -> Referral:
    if scope.role is Role.forum_organizer:
        raise Forbidden("Forum organisers see referral counts, not single referrals")
    referral = session.exec(select(Referral).where(Referral.id == referral_id, referral_filter(scope))).first()
    if referral is None:
        raise NotFound(f"Referral {referral_id} not found")
    return referral


def _move(session: Session, referral: Referral, to: ReferralStatus, *, actor_user_id: int, note: str | None) -> None:
    """Change status once, atomically; record the event. Capacity follows enrolment and drops."""
    current = referral.status
    now = utcnow()
    result = session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id, Referral.status == current)  # type: ignore[arg-type]
        .values(status=to, status_changed_at=now, updated_at=now, version=Referral.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        fresh = session.get(Referral, referral.id)
        raise Conflict(
            f"Referral {referral.id} was just changed by someone else; it is now {fresh.status if fresh else 'gone'}"
        )
    if to is S.enrolled:
        taken = session.execute(
            sa.update(Program)
            .where(
                Program.id == referral.program_id,
                sa.or_(Program.capacity_remaining.is_(None), Program.capacity_remaining > 0),  # type: ignore[union-attr, operator]
            )
            .values(
                capacity_remaining=sa.case(
                    (Program.capacity_remaining.is_(None), None),  # type: ignore[union-attr]
                    else_=Program.capacity_remaining - 1,  # type: ignore[operator]
                ),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise Conflict("The programme has no capacity left; decline with reason no_capacity or wait for a place")
    if to is S.dropped:
        session.execute(
            sa.update(Program)
            .where(Program.id == referral.program_id, Program.capacity_remaining.is_not(None))  # type: ignore[union-attr]
            .values(
                capacity_remaining=sa.case(
                    (
                        sa.and_(Program.capacity.is_not(None), Program.capacity_remaining >= Program.capacity),  # type: ignore[union-attr, operator]
                        Program.capacity_remaining,
                    ),
                    else_=Program.capacity_remaining + 1,  # type: ignore[operator]
                ),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    session.add(
        ReferralEvent(
            referral_id=referral.id, actor_user_id=actor_user_id, from_status=current, to_status=to, note=note, at=now
        )
    )


@dataclass(frozen=True)
class Move:
    status: ReferralStatus
    note: str | None = None
    reason: DeclineReason | None = None
    outcome: Outcome | None = None


def move_referral(session: Session, scope: Scope, *, referral_id: int, move: Move, request_id: str | None) -> Referral:
    """Apply one status change, if the caller's side may make it from the current status."""
    referral = get_referral(session, scope, referral_id)
    side = _role_in(session, scope, referral)
    current = referral.status
    allowed = TRANSITIONS.get(current, {})
    if move.status not in allowed:
        raise Conflict(
            f"Referral {referral_id} is {current.value}; it cannot become {move.status.value}"
            + (f" (from {current.value} it can become {', '.join(s.value for s in allowed)})" if allowed else "")
        )
    if allowed[move.status] != side:
        who = "the receiving organisation's staff" if allowed[move.status] == AGENCY else "the family's facilitator"
        raise Forbidden(f"Only {who} may make a referral {move.status.value}")
    extra: dict[str, Any] = {}
    if move.status is S.declined:
        if move.reason is None:
            raise InvalidInput("say why the referral is declined", loc=("body", "reason"))
        extra["decline_reason"] = move.reason
    elif move.reason is not None:
        raise InvalidInput("a reason is only given when declining", loc=("body", "reason"))
    if move.status is S.completed:
        if move.outcome is None:
            raise InvalidInput("record the outcome: what the family received", loc=("body", "outcome"))
        extra["outcome"] = move.outcome.model_dump(exclude_none=True)
    elif move.outcome is not None:
        raise InvalidInput("an outcome is only recorded on completion", loc=("body", "outcome"))
    _move(session, referral, move.status, actor_user_id=scope.user_id, note=move.note)
    if extra:
        session.execute(
            sa.update(Referral)
            .where(Referral.id == referral.id)
            .values(**extra)
            .execution_options(synchronize_session=False)  # type: ignore[arg-type]
        )
    record_event(
        session,
        actor_user_id=scope.user_id,
        action=move.status.value,
        entity="referral",
        entity_id=referral.id,
        request_id=request_id,
        fields=["status", *extra],
    )
    session.commit()
    session.refresh(referral)
    return referral


def events_of(session: Session, referral_id: int) -> list[ReferralEvent]:
    return list(
        session.exec(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.id))
    )
