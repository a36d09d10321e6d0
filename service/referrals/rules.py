"""The referral loop's rules: which statuses are open, who may make which move, what an outcome holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, Field, model_validator

from models.referrals import OPEN_STATUSES, DeclineReason, ReferralStatus
from models.types import Note

S = ReferralStatus
OPEN: Final = OPEN_STATUSES  # the referral table's partial unique index holds one open referral per programme
AGENCY, FACILITATOR = "agency", "facilitator"
OVERDUE_DAYS: Final = 7  # a referral waiting longer in one open status is overdue (JEJARING_REFERRAL_OVERDUE_DAYS)
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
    note: Note | None = None

    @model_validator(mode="after")
    def _something(self) -> Outcome:
        if not (
            self.benefit_amount or self.training_completed or self.certificate_obtained or self.loan_granted
        ) and not (self.note and self.note.strip()):
            raise ValueError("say what the family received (benefit_amount, training_completed, ...) or add a note")
        return self


@dataclass(frozen=True)
class Move:
    """One requested status change, with what it needs (a reason to decline, an outcome to complete)."""

    status: ReferralStatus
    note: str | None = None
    reason: DeclineReason | None = None
    outcome: Outcome | None = None


def moves_for(status: ReferralStatus, side: str | None) -> list[ReferralStatus]:
    """The statuses ``side`` may move a referral in ``status`` to."""
    return [to for to, who in TRANSITIONS.get(status, {}).items() if who == side]
