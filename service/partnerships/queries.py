"""SQL of the partnerships domain: the parties (organisations, facilitators, forums), who sees
which tie, the one-statement status move and the MoUs about to expire."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models.households import Facilitator, FacilitatorVillage
from models.network import Forum, Partnership, PartnershipKind, PartnershipStatus, PartyKind
from models.organizations import Organization
from service.core.records import rows_changed
from service.core.scope import within

NAMED: dict[PartyKind, Any] = {
    PartyKind.organization: Organization,
    PartyKind.facilitator: Facilitator,
    PartyKind.forum: Forum,
}
NEWEST = (col(Partnership.created_at).desc(), col(Partnership.id).desc())
COUNTING = (PartnershipStatus.confirmed, PartnershipStatus.ended)  # ties that were (or are) agreed


def party_exists(session: Session, kind: PartyKind, party_id: int) -> bool:
    return session.get(NAMED[kind], party_id) is not None


def party_names(session: Session, parties: Iterable[tuple[PartyKind, int]]) -> dict[tuple[PartyKind, int], str]:
    """The public name of each party (organisations, facilitators and forums are named by staff)."""
    wanted: dict[PartyKind, set[int]] = {}
    for kind, pid in parties:
        wanted.setdefault(PartyKind(kind), set()).add(pid)
    out: dict[tuple[PartyKind, int], str] = {}
    for kind, ids in wanted.items():
        model = NAMED[kind]
        for pid, name in session.exec(select(model.id, model.name).where(col(model.id).in_(sorted(ids)))):
            out[(kind, int(pid))] = name
    return out


def party_is(kind_col: Any, id_col: Any, kind: PartyKind, party_id: int) -> ColumnElement[bool]:
    return sa.and_(kind_col == kind, id_col == party_id)


def either_side(kind: PartyKind, party_id: int) -> ColumnElement[bool]:
    """SQL: the partnership has (kind, party_id) on one of its sides."""
    return sa.or_(
        party_is(Partnership.party_a_kind, Partnership.party_a_id, kind, party_id),
        party_is(Partnership.party_b_kind, Partnership.party_b_id, kind, party_id),
    )


def _party_in_region(kind_col: Any, id_col: Any, region: str) -> ColumnElement[bool]:
    """SQL: the party lies in ``region``: an organisation based in it, a facilitator serving a
    village in it (or based in it), a forum whose region lies in it."""
    orgs = select(Organization.id).where(within(Organization.region_code, region))
    serving = select(FacilitatorVillage.facilitator_id).where(within(FacilitatorVillage.village_code, region))
    based = select(Facilitator.id).where(
        col(Facilitator.region_code).is_not(None), within(Facilitator.region_code, region)
    )
    forums = select(Forum.id).where(within(Forum.region_code, region))
    return sa.or_(
        sa.and_(kind_col == PartyKind.organization, id_col.in_(orgs)),
        sa.and_(kind_col == PartyKind.facilitator, sa.or_(id_col.in_(serving), id_col.in_(based))),
        sa.and_(kind_col == PartyKind.forum, id_col.in_(forums)),
    )


def visible(own: tuple[PartyKind, int] | None, *, admin: bool, region: str | None) -> ColumnElement[bool]:
    """SQL: the partnerships a caller sees: admins all; a party its own ties (proposals too); a
    forum organiser (``region``) also the agreed ties with a party in the forum's region."""
    if admin:
        return sa.true()
    clauses: list[ColumnElement[bool]] = []
    if own is not None:
        clauses.append(either_side(*own))
    if region is not None:
        clauses.append(
            sa.and_(
                col(Partnership.status).in_(COUNTING),
                sa.or_(
                    _party_in_region(Partnership.party_a_kind, Partnership.party_a_id, region),
                    _party_in_region(Partnership.party_b_kind, Partnership.party_b_id, region),
                ),
            )
        )
    return sa.or_(*clauses) if clauses else sa.false()


def get_visible(session: Session, partnership_id: int, where: ColumnElement[bool]) -> Partnership | None:
    return session.exec(select(Partnership).where(col(Partnership.id) == partnership_id, where)).first()


def list_statement(
    where: ColumnElement[bool], *, party: tuple[PartyKind, int] | None, statuses: Sequence[PartnershipStatus]
) -> Any:
    stmt = select(Partnership).where(where)
    if party is not None:
        stmt = stmt.where(either_side(*party))
    if statuses:
        stmt = stmt.where(col(Partnership.status).in_(list(statuses)))
    return stmt


def open_duplicate(
    session: Session, a: tuple[PartyKind, int], b: tuple[PartyKind, int], kind: PartnershipKind
) -> Partnership | None:
    """A proposal of ``kind`` between the two parties (either way round) still waiting for its
    answer (a confirmed one may be renewed by a new proposal: an MoU before it expires)."""
    return session.exec(
        select(Partnership).where(
            col(Partnership.kind) == kind,
            col(Partnership.status) == PartnershipStatus.proposed,
            sa.or_(
                sa.and_(
                    party_is(Partnership.party_a_kind, Partnership.party_a_id, *a),
                    party_is(Partnership.party_b_kind, Partnership.party_b_id, *b),
                ),
                sa.and_(
                    party_is(Partnership.party_a_kind, Partnership.party_a_id, *b),
                    party_is(Partnership.party_b_kind, Partnership.party_b_id, *a),
                ),
            ),
        )
    ).first()


def move(
    session: Session,
    partnership_id: int,
    *,
    from_status: PartnershipStatus,
    version: int,
    values: dict[str, Any],
) -> bool:
    """Move the tie out of ``from_status`` if it is still there at ``version`` (one UPDATE: two
    people answering at once cannot both win); bumps the version."""
    changed = rows_changed(
        session,
        sa.update(Partnership)
        .where(
            col(Partnership.id) == partnership_id,
            col(Partnership.status) == from_status,
            col(Partnership.version) == version,
        )
        .values(**values, version=version + 1),
    )
    return changed == 1


def expiring(session: Session, today: date, until: date) -> list[Partnership]:
    """Confirmed MoUs ending between ``today`` and ``until`` (inclusive) whose notice has not gone out."""
    return list(
        session.exec(
            select(Partnership)
            .where(
                col(Partnership.kind) == PartnershipKind.mou,
                col(Partnership.status) == PartnershipStatus.confirmed,
                col(Partnership.ended_on).is_not(None),
                col(Partnership.ended_on) >= today,
                col(Partnership.ended_on) <= until,
                col(Partnership.expiry_noticed_at).is_(None),
            )
            .order_by(col(Partnership.ended_on), col(Partnership.id))
        ).all()
    )


def claim_expiry_notice(session: Session, partnership_id: int, now: datetime) -> bool:
    """Mark the MoU's expiry notice as sent if nobody has yet (one UPDATE: the claim)."""
    changed = rows_changed(
        session,
        sa.update(Partnership)
        .where(col(Partnership.id) == partnership_id, col(Partnership.expiry_noticed_at).is_(None))
        .values(expiry_noticed_at=now),
    )
    return changed == 1


def search_parties(session: Session, text: str, limit: int) -> list[tuple[PartyKind, int, str]]:
    """Organisations, forums and facilitators whose name holds ``text`` (case-insensitive), by name."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    out: list[tuple[PartyKind, int, str]] = []
    for kind in (PartyKind.organization, PartyKind.forum, PartyKind.facilitator):
        model = NAMED[kind]
        rows = session.exec(
            select(model.id, model.name)
            .where(sa.func.lower(model.name).like(pattern.lower(), escape="\\"))
            .order_by(model.name)
            .limit(limit)
        )
        out += [(kind, int(pid), name) for pid, name in rows]
    return sorted(out, key=lambda p: (p[2].casefold(), p[0], p[1]))[:limit]
