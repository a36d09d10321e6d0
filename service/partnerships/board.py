"""What the partnerships page works from: the caller's ties (to answer, agreed, others) and the
parties they may propose a tie to, found by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from models.network import PartnershipPublic, PartnershipStatus, PartyKind
from service.core.scope import Scope
from service.partnerships import queries
from service.partnerships.rules import acts_for, own_party
from service.partnerships.ties import list_partnerships

BOARD_SIZE = 200
SEARCH_SIZE = 20


@dataclass
class PartnershipBoard:
    """The caller's party (``None``: an admin) and their ties, sorted for the page."""

    party: tuple[PartyKind, int] | None
    party_name: str | None
    to_answer: list[PartnershipPublic] = field(default_factory=list)  # proposals to them
    waiting: list[PartnershipPublic] = field(default_factory=list)  # their proposals, not answered yet
    agreed: list[PartnershipPublic] = field(default_factory=list)  # confirmed
    past: list[PartnershipPublic] = field(default_factory=list)  # declined or ended
    total: int = 0


def partnership_board(session: Session, scope: Scope) -> PartnershipBoard:
    """The ties the caller sees (their own; an organiser also their region's agreed ones; admins all)."""
    party = own_party(scope)
    name = queries.party_names(session, [party]).get(party) if party else None
    page = list_partnerships(session, scope, limit=BOARD_SIZE, offset=0)
    board = PartnershipBoard(party, name, total=page.total)
    for tie in page.items:
        if tie.status is PartnershipStatus.proposed:
            answers = acts_for(scope, tie.party_b_kind, tie.party_b_id) and not (
                party is not None and party == (tie.party_a_kind, tie.party_a_id)
            )
            (board.to_answer if answers else board.waiting).append(tie)
        elif tie.status is PartnershipStatus.confirmed:
            board.agreed.append(tie)
        else:
            board.past.append(tie)
    return board


def party_choices(session: Session, scope: Scope, text: str) -> list[tuple[PartyKind, int, str]]:
    """The parties whose name holds ``text`` (at least 2 characters), the caller's own left out."""
    text = text.strip()
    if len(text) < 2:
        return []
    mine = own_party(scope)
    return [p for p in queries.search_parties(session, text, SEARCH_SIZE + 1) if (p[0], p[1]) != mine][:SEARCH_SIZE]
