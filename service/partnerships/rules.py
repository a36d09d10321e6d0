"""Who acts for which party, and which status moves a partnership allows (pure rules)."""

from __future__ import annotations

from models.network import PartnershipStatus, PartyKind
from models.users import Role
from service.core.scope import Scope

# status asked for -> the status it moves from
MOVES_FROM: dict[PartnershipStatus, PartnershipStatus] = {
    PartnershipStatus.confirmed: PartnershipStatus.proposed,
    PartnershipStatus.declined: PartnershipStatus.proposed,
    PartnershipStatus.ended: PartnershipStatus.confirmed,
}
ANSWERS = frozenset({PartnershipStatus.confirmed, PartnershipStatus.declined})


def own_party(scope: Scope) -> tuple[PartyKind, int] | None:
    """The party the caller acts for: agency staff their organisation, a facilitator themself, a
    forum organiser their forum (admins act for anyone, so for no one in particular)."""
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        return (PartyKind.organization, scope.organization_id)
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return (PartyKind.facilitator, scope.facilitator_id)
    if scope.role is Role.forum_organizer and scope.forum_id is not None:
        return (PartyKind.forum, scope.forum_id)
    return None


def acts_for(scope: Scope, kind: PartyKind, party_id: int) -> bool:
    return scope.is_admin or own_party(scope) == (PartyKind(kind), party_id)
