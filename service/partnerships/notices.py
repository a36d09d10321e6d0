"""What a partnership tells its sides (the one place partnership events leave the domain):
proposed (to party B), confirmed (to party A), expiring (to both, once, before an MoU ends).
Each runs inside the use case's transaction, before its commit; the texts name the parties
(organisations, facilitators and forums: no family) and link to the partnerships page."""

from __future__ import annotations

from sqlmodel import Session

from models.network import Partnership, PartyKind
from service.notifications import Params, notify
from service.partnerships import queries


def url_of(tie: Partnership) -> str:
    return f"/kemitraan#p{tie.id}"


def expiry_key(tie: Partnership) -> str:
    """The once-key of an MoU's expiry notice (one notice per reader and partnership)."""
    return f"partnership.expiring:{tie.id}"


def _tell(
    session: Session,
    kind: PartyKind,
    party_id: int,
    *,
    event: str,
    params: Params,
    url: str,
    once_key: str | None = None,
) -> None:
    """``notify`` the accounts acting for one party: an organisation's staff, a facilitator, a
    forum's organisers."""
    kind = PartyKind(kind)
    notify(
        session,
        event=event,
        to_organization=party_id if kind is PartyKind.organization else None,
        to_facilitator=party_id if kind is PartyKind.facilitator else None,
        to_forum=party_id if kind is PartyKind.forum else None,
        text_key="notice." + event,
        params=params,
        url=url,
        once_key=once_key,
    )


def _names(session: Session, tie: Partnership) -> tuple[str, str]:
    a, b = (PartyKind(tie.party_a_kind), tie.party_a_id), (PartyKind(tie.party_b_kind), tie.party_b_id)
    names = queries.party_names(session, [a, b])
    return names.get(a, ""), names.get(b, "")


def proposed(session: Session, tie: Partnership) -> None:
    """Party B is asked to confirm or decline."""
    a, b = _names(session, tie)
    _tell(
        session,
        tie.party_b_kind,
        tie.party_b_id,
        event="partnership.proposed",
        params={"from": a, "to": b, "partnership": tie.id or 0},
        url=url_of(tie),
    )


def confirmed(session: Session, tie: Partnership) -> None:
    """Party A hears its proposal was confirmed (it now counts in the network)."""
    a, b = _names(session, tie)
    _tell(
        session,
        tie.party_a_kind,
        tie.party_a_id,
        event="partnership.confirmed",
        params={"from": a, "to": b, "partnership": tie.id or 0},
        url=url_of(tie),
    )


def expiring(session: Session, tie: Partnership) -> None:
    """Both sides hear the MoU ends soon (once each: ``expiry_key``)."""
    a, b = _names(session, tie)
    for kind, pid in ((tie.party_a_kind, tie.party_a_id), (tie.party_b_kind, tie.party_b_id)):
        _tell(
            session,
            kind,
            pid,
            event="partnership.expiring",
            params={
                "a": a,
                "b": b,
                "date": tie.ended_on.isoformat() if tie.ended_on else "",
                "partnership": tie.id or 0,
            },
            url=url_of(tie),
            once_key=expiry_key(tie),
        )
