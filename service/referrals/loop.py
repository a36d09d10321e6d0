"""The referral loop: facilitator -> agency -> facilitator.

A facilitator refers a family in their care to a programme the family qualifies for (or may),
after recording the family's consent to share its data with that organisation. The receiving
organisation's staff accept or decline, enrol, and complete (with an outcome) or drop; the
facilitator may withdraw before enrolment. Every change is a ``ReferralEvent``; every status
change is one ``UPDATE ... WHERE status = :from``, so two people acting at once cannot both win.
Capacity is taken on enrolment and given back on a drop.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from mapping.matching import MatchStatus, evaluate_program, reach_reasons
from models.households import Household
from models.organizations import Organization, Program
from models.referrals import ConsentPurpose, Referral, ReferralEvent
from models.types import utcnow
from models.users import Role
from service import benefits
from service.core import idempotency
from service.core.audit import audited_read, record_event
from service.core.records import require_version
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope, require_in_processing
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.matching import household_facts, program_facts, referenced_program_names
from service.referrals import notices, queries
from service.referrals.consents import record_consent, require_facilitator
from service.referrals.rules import AGENCY, FACILITATOR, TRANSITIONS, Move, S
from service.referrals.status import change_status


class ConsentNeeded(InvalidInput):
    """The referral needs the family's consent to share its data with ``organization``."""

    def __init__(self, household_id: int, organization: str) -> None:
        super().__init__(
            "the family's consent to share its data with this organisation is needed first: record it with "
            f"POST /api/v1/households/{household_id}/consents",
            loc=("body", "household_id"),
            kind="consent_required",
        )
        self.organization = organization


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

    With an ``Idempotency-Key`` the key is claimed first: a retry with the same key and content
    gets the referral the first request made (``False``), with other content 422, while the first
    is still being processed 409 with ``Retry-After``.
    """
    require_facilitator(scope, "refers a family")
    args: dict[str, Any] = {"household_id": household_id, "program_id": program_id, "note": note}
    if not idempotency_key:
        return _refer(session, scope, **args, key=None, claimed=None, today=today, request_id=request_id), True
    assert scope.user_id is not None
    outcome = idempotency.claim(
        session, user_id=scope.user_id, operation=CREATE, key=idempotency_key, content=args, now=utcnow()
    )
    if isinstance(outcome, idempotency.Replay):
        earlier = queries.referral_in_scope(session, scope, outcome.resource_id)
        if earlier is None:
            raise NotFound(f"Referral {outcome.resource_id} not found")
        return earlier, False
    try:
        referral = _refer(
            session, scope, **args, key=idempotency_key, claimed=outcome, today=today, request_id=request_id
        )
    except BaseException:
        idempotency.release(session, outcome)
        raise
    return referral, True


CREATE = "referral.create"


def _refer(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    program_id: int,
    note: str | None,
    key: str | None,
    claimed: idempotency.Claim | None,
    today: date,
    request_id: str | None,
) -> Referral:
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    require_in_processing(household)
    program = queries.published_program(session, program_id)
    if program is None:
        raise InvalidInput(f"programme {program_id} does not exist", loc=("body", "program_id"))
    program_name = program.name
    facts = household_facts(session, [household], today=today)[0]
    programs, _ = program_facts(session, [col(Program.id) == program_id])
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
        raise Conflict(f"{program_name} cannot take referrals now: " + "; ".join(r.message for r in closed))
    if evaluation.status is MatchStatus.ineligible:
        failing = [r.message for r in evaluation.reasons if r.result.value == "fail"]
        raise InvalidInput(
            "the family does not qualify for this programme: " + "; ".join(failing), loc=("body", "program_id")
        )
    consent = queries.active_consent(session, household_id, program.organization_id)
    if consent is None:
        org = session.get(Organization, program.organization_id)
        raise ConsentNeeded(household_id, org.name if org else "–")
    duplicate = queries.open_referral(session, household_id, program_id)
    if duplicate is not None:
        raise _already_open(program_name, duplicate)
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
        idempotency_key=key,
        match={"status": evaluation.status.value, "reasons": [r.as_dict() for r in evaluation.reasons]},
    )
    session.add(referral)
    try:
        session.flush()
    except IntegrityError:
        # A concurrent request referred the family first: the open-referral index refused this one.
        session.rollback()
        winner = queries.open_referral(session, household_id, program_id)
        if winner is None:
            raise
        raise _already_open(program_name, winner) from None
    assert referral.id is not None
    session.add(ReferralEvent(referral_id=referral.id, actor_user_id=scope.user_id, to_status=S.sent, note=note))
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="referral",
        entity_id=referral.id,
        request_id=request_id,
    )
    if claimed is not None:
        idempotency.finish(session, claimed, status=201, resource_id=referral.id, now=now)
    notices.tell_created(session, referral)
    session.commit()
    return referral


def _already_open(program_name: str, referral: Referral) -> Conflict:
    return Conflict(f"this family already has an open referral to {program_name} (#{referral.id}, {referral.status})")


def refer_with_consent(
    session: Session,
    scope: Scope,
    *,
    household_id: int,
    program_id: int,
    note: str | None,
    idempotency_key: str,
    consent_given: bool,
    share_phone: bool,
    today: date,
    request_id: str | None,
    share_benefits: bool = False,
) -> Referral:
    """The refer form: refer the family; when its consent is all that is missing and the family
    gave it (``consent_given``), record the consent first. ``ConsentNeeded`` otherwise."""
    args: dict[str, Any] = {
        "household_id": household_id,
        "program_id": program_id,
        "note": note,
        "idempotency_key": idempotency_key,
        "today": today,
        "request_id": request_id,
    }
    try:
        return create_referral(session, scope, **args)[0]
    except ConsentNeeded:
        if not consent_given:
            raise
    owner = queries.program_owner(session, program_id)
    assert owner is not None  # create_referral found the programme before asking for consent
    record_consent(
        session,
        scope,
        household_id=household_id,
        organization_id=owner,
        purpose=ConsentPurpose.referral,
        share_phone=share_phone,
        share_benefits=share_benefits,
        request_id=request_id,
    )
    return create_referral(session, scope, **args)[0]


def side_of(session: Session, scope: Scope, referral: Referral) -> str | None:
    """Which side of ``referral`` the caller is on: the receiving agency, the facilitator, or none."""
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        return AGENCY if queries.program_owner(session, referral.program_id) == scope.organization_id else None
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return FACILITATOR if referral.facilitator_id == scope.facilitator_id else None
    return None


def get_referral(session: Session, scope: Scope, referral_id: int) -> Referral:
    """One referral the caller may see (404 otherwise); forum organisers see counts only."""
    if scope.role is Role.forum_organizer:
        raise Forbidden("Forum organisers see referral counts, not single referrals")
    referral = queries.referral_in_scope(session, scope, referral_id)
    if referral is None:
        raise NotFound(f"Referral {referral_id} not found")
    return referral


def read_referral(session: Session, scope: Scope, referral_id: int, *, request_id: str | None = None) -> Referral:
    """``get_referral`` for showing it: the read (or its refusal) is audited."""
    with audited_read(session, scope, entity="referral", entity_id=referral_id, request_id=request_id):
        referral = get_referral(session, scope, referral_id)
    return referral


def open_referral_of(session: Session, scope: Scope, household_id: int, program_id: int) -> Referral | None:
    """The family's open referral to the programme, if the caller may see it."""
    return queries.open_referral(session, household_id, program_id, queries.referral_filter(scope))


def move_referral(
    session: Session,
    scope: Scope,
    *,
    referral_id: int,
    move: Move,
    request_id: str | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Referral:
    """Apply one status change, if the caller's side may make it from the current status (and,
    with ``expected_version``, only if the referral is still at that version). A completion
    enters the family's benefit record (received ``today``) in the same transaction."""
    referral = get_referral(session, scope, referral_id)
    if expected_version is not None:
        require_version(referral, expected_version, what="Referral")
    side = side_of(session, scope, referral)
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
    change_status(session, referral, move.status, actor_user_id=scope.user_id, note=move.note)
    if extra:
        queries.set_fields(session, referral.id, extra)
    if move.status is S.completed:
        benefits.record_completion(
            session,
            referral=referral,
            outcome=extra["outcome"],
            actor_user_id=scope.user_id,
            today=today or utcnow().date(),
            request_id=request_id,
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
    notices.tell_moved(session, referral, move.status, by=side)
    session.commit()
    session.refresh(referral)
    return referral
