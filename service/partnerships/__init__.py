"""Partnerships between organisations, facilitators and forums: proposed by one side, confirmed
by the other before they count in the network (``service.network``), ended by either side, and
MoUs told to both sides 30 days before they expire.

The names below are the domain's interface; its modules are free to move behind it.
"""

from service.partnerships.board import PartnershipBoard, partnership_board, party_choices
from service.partnerships.expiry import NOTICE_DAYS, expiring_partnerships, notice_expiring
from service.partnerships.rules import acts_for, own_party
from service.partnerships.ties import (
    get_partnership,
    list_partnerships,
    propose_partnership,
    update_partnership,
)

__all__ = [
    "NOTICE_DAYS",
    "PartnershipBoard",
    "acts_for",
    "expiring_partnerships",
    "get_partnership",
    "list_partnerships",
    "notice_expiring",
    "own_party",
    "partnership_board",
    "party_choices",
    "propose_partnership",
    "update_partnership",
]
