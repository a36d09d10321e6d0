"""What a partnership tells its sides (the one place the partnership events leave the domain):
proposed (to party B), confirmed (to party A), expiring (to both, once, 30 days before an MoU
ends). Each runs inside the use case's transaction, before its commit."""

from __future__ import annotations

from sqlmodel import Session

from models.network import Partnership, PartyKind


def _recipients(kind: PartyKind, party_id: int) -> dict[str, int]:
    return {
        PartyKind.organization: {"to_organization": party_id},
        PartyKind.facilitator: {"to_facilitator": party_id},
        PartyKind.forum: {"to_forum": party_id},
    }[PartyKind(kind)]


def proposed(session: Session, tie: Partnership) -> None:
    """Party B is asked to confirm."""
    _tell(session, tie, "partnership.proposed", _recipients(tie.party_b_kind, tie.party_b_id))


def confirmed(session: Session, tie: Partnership) -> None:
    """Party A hears its proposal was confirmed."""
    _tell(session, tie, "partnership.confirmed", _recipients(tie.party_a_kind, tie.party_a_id))


def expiring(session: Session, tie: Partnership) -> None:
    """Both sides hear the MoU ends soon."""
    for kind, pid in ((tie.party_a_kind, tie.party_a_id), (tie.party_b_kind, tie.party_b_id)):
        _tell(session, tie, "partnership.expiring", _recipients(kind, pid))


def _tell(session: Session, tie: Partnership, event: str, to: dict[str, int]) -> None:
    """Hook for ``service.notifications.notify`` (not on this branch yet): the call is
    ``notify(session, event=event, **to, text_key="notice." + event, params=..., url=f"/kemitraan#p{tie.id}")``."""
    return None
