"""Consent and the referral loop: who may refer, who may move a referral, what each side sees.

The names below are the domain's interface; its modules are free to move behind it.
"""

from service.referrals.board import BOARD, BoardColumn, ReferForm, board, list_referrals, refer_forms, status_counts
from service.referrals.consents import close_open_referrals, list_consents, record_consent, withdraw_consent
from service.referrals.loop import (
    ConsentNeeded,
    create_referral,
    get_referral,
    move_referral,
    open_referral_of,
    read_referral,
    refer_with_consent,
    side_of,
)
from service.referrals.notices import ChatLink, chat_links, notify_overdue
from service.referrals.rules import AGENCY, FACILITATOR, OPEN, TRANSITIONS, Move, Outcome, moves_for
from service.referrals.views import ConsentPublic, ReferralPublic, Withdrawal, referral_views

__all__ = [
    "AGENCY",
    "BOARD",
    "FACILITATOR",
    "OPEN",
    "TRANSITIONS",
    "BoardColumn",
    "ChatLink",
    "ConsentNeeded",
    "ConsentPublic",
    "Move",
    "Outcome",
    "ReferForm",
    "ReferralPublic",
    "Withdrawal",
    "board",
    "chat_links",
    "close_open_referrals",
    "create_referral",
    "get_referral",
    "list_consents",
    "list_referrals",
    "move_referral",
    "moves_for",
    "notify_overdue",
    "open_referral_of",
    "read_referral",
    "record_consent",
    "refer_forms",
    "refer_with_consent",
    "referral_views",
    "side_of",
    "status_counts",
    "withdraw_consent",
]
