"""Moving a caseload from one facilitator to another (a facilitator leaves, or villages are
shared out again): the households, the groups that move whole, and the referrals the leaving
facilitator holds for those households."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session

from models.households import Facilitator
from models.types import DbId
from service.core.audit import record_event
from service.core.scope import Scope
from service.errors import Forbidden, InvalidInput, NotFound
from service.people import queries

MAX_LISTED = 5000  # households named in one transfer


class CaseloadTransferRequest(BaseModel):
    to_facilitator_id: DbId = Field(description="The facilitator who takes the households over")
    household_ids: list[DbId] | None = Field(
        default=None,
        max_length=MAX_LISTED,
        description="Only these households of the facilitator's caseload (leave out to move them all)",
    )


class CaseloadTransfer(BaseModel):
    """What a transfer moved."""

    from_facilitator_id: int
    to_facilitator_id: int
    households: int = Field(description="Households now in the receiving facilitator's caseload")
    groups: int = Field(description="KPM groups that moved whole with their households")
    referrals: int = Field(description="Referrals of those households the leaving facilitator held")


def transfer_caseload(
    session: Session,
    scope: Scope,
    *,
    from_facilitator_id: int,
    to_facilitator_id: int,
    household_ids: list[int] | None = None,
    request_id: str | None,
) -> CaseloadTransfer:
    """Move all of a facilitator's households (or the listed ones) to another facilitator, with
    the groups that move whole and the referrals the source holds for them; versions move on.
    Audited with the counts (admins)."""
    if not scope.is_admin:
        raise Forbidden("Only administrators move caseloads")
    if session.get(Facilitator, from_facilitator_id) is None:
        raise NotFound(f"Facilitator {from_facilitator_id} not found")
    loc = ("body", "to_facilitator_id")
    if to_facilitator_id == from_facilitator_id:
        raise InvalidInput("choose another facilitator to take the caseload over", loc=loc, kind="same")
    if session.get(Facilitator, to_facilitator_id) is None:
        raise InvalidInput(f"facilitator {to_facilitator_id} does not exist", loc=loc, kind="unknown")
    accounts, active = queries.facilitator_accounts(session, to_facilitator_id)
    if accounts and not active:
        raise InvalidInput(
            f"facilitator {to_facilitator_id} is inactive (every account of theirs is deactivated): choose another",
            loc=loc,
            kind="inactive",
        )
    wanted: list[int] | None = None
    if household_ids is not None:
        wanted = list(dict.fromkeys(household_ids))
        if not wanted:
            raise InvalidInput(
                "name at least one household, or leave household_ids out to move the whole caseload",
                loc=("body", "household_ids"),
                kind="empty",
            )
        found = queries.in_caseload(session, from_facilitator_id, wanted)
        missing = [i for i in wanted if i not in found]
        if missing:
            shown = ", ".join(str(i) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise InvalidInput(
                f"not in facilitator {from_facilitator_id}'s caseload: household {shown}",
                loc=("body", "household_ids"),
                kind="not_in_caseload",
            )
    households, groups, referrals = queries.move_caseload(
        session, from_facilitator_id, to_facilitator_id, household_ids=wanted
    )
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="transfer_caseload",
        entity="facilitator",
        entity_id=from_facilitator_id,
        request_id=request_id,
        detail={
            "to_facilitator_id": to_facilitator_id,
            "whole_caseload": wanted is None,
            "households": households,
            "groups": groups,
            "referrals": referrals,
        },
    )
    session.commit()
    return CaseloadTransfer(
        from_facilitator_id=from_facilitator_id,
        to_facilitator_id=to_facilitator_id,
        households=households,
        groups=groups,
        referrals=referrals,
    )


class TransferChoices(BaseModel):
    """What the transfer form offers: every facilitator (id, name, caseload size) and the chosen
    source's households (id, PKH id, head's name, village)."""

    facilitators: list[tuple[int, str, int]]
    households: list[tuple[int, str, str, str]]
    households_total: int


HOUSEHOLDS_SHOWN = 1000  # households listed to pick from; beyond, the whole caseload moves


def transfer_choices(session: Session, scope: Scope, *, from_facilitator_id: int | None) -> TransferChoices:
    """The transfer form's choices (admins)."""
    if not scope.is_admin:
        raise Forbidden("Only administrators move caseloads")
    named = queries.named_choices(session, Facilitator, limit=10_000)
    sizes = queries.caseload_sizes(session, [i for i, _ in named])
    households: list[tuple[int, str, str, str]] = []
    if from_facilitator_id is not None:
        households = queries.caseload_households(session, from_facilitator_id, limit=HOUSEHOLDS_SHOWN)
    return TransferChoices(
        facilitators=[(i, name, sizes.get(i, 0)) for i, name in named],
        households=households,
        households_total=sizes.get(from_facilitator_id, 0) if from_facilitator_id is not None else 0,
    )
