"""Forum invitations (issue #13, item 3): from the forum dashboard's invitation list the organiser
invites an organisation; its staff accept or decline; acceptance makes it a member.

The names below are the domain's interface; its modules are free to move behind it.
"""

from service.invitations.use_cases import (
    InvitationState,
    answer_invitation,
    get_invitation,
    invitation_states,
    invite,
    list_invitations,
    runs_forum,
)

__all__ = [
    "InvitationState",
    "answer_invitation",
    "get_invitation",
    "invitation_states",
    "invite",
    "list_invitations",
    "runs_forum",
]
