"""Use cases of partnerships: propose, answer (confirm or decline), end, read and list.

A tie is proposed by party A (the caller acts for it: agency staff for their organisation, a
facilitator for themself, a forum organiser for their forum; admins for anyone) and counts in the
network only once party B confirmed it (``service.network.queries.partnerships``). Who sees what:

* a proposal (and a declined one): its two sides and admins;
* an agreed tie (confirmed or ended): also the organisers of a forum whose region holds one of
  its parties (an organisation based there, a facilitator serving a village there, a forum there);
* anyone else: 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from models.network import (
    Partnership,
    PartnershipCreate,
    PartnershipPublic,
    PartnershipStatus,
    PartnershipUpdate,
    PartyKind,
)
from models.types import utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.paging import Page, paginate
from service.core.records import StaleVersion
from service.core.scope import Scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.partnerships import notices, queries
from service.partnerships.rules import ANSWERS, MOVES_FROM, acts_for, own_party

ENTITY = "partnership"


def _where(scope: Scope) -> ColumnElement[bool]:
    region = scope.forum_region if scope.role is Role.forum_organizer else None
    return queries.visible(own_party(scope), admin=scope.is_admin, region=region)


def publics(session: Session, ties: Sequence[Partnership]) -> list[PartnershipPublic]:
    names = queries.party_names(
        session, [(t.party_a_kind, t.party_a_id) for t in ties] + [(t.party_b_kind, t.party_b_id) for t in ties]
    )
    out = []
    for t in ties:
        assert t.id is not None
        out.append(
            PartnershipPublic(
                **t.model_dump(exclude={"note"}),
                note=t.note,
                party_a_name=names.get((PartyKind(t.party_a_kind), t.party_a_id), ""),
                party_b_name=names.get((PartyKind(t.party_b_kind), t.party_b_id), ""),
            )
        )
    return out


def _visible(session: Session, scope: Scope, partnership_id: int) -> Partnership:
    tie = queries.get_visible(session, partnership_id, _where(scope))
    if tie is None or tie.id is None:
        raise NotFound(f"partnership {partnership_id} not found")
    return tie


def get_partnership(session: Session, scope: Scope, partnership_id: int) -> PartnershipPublic:
    """One partnership the caller may see (404 otherwise)."""
    return publics(session, [_visible(session, scope, partnership_id)])[0]


def list_partnerships(
    session: Session,
    scope: Scope,
    *,
    party: tuple[PartyKind, int] | None = None,
    statuses: Sequence[PartnershipStatus] = (),
    limit: int = 50,
    offset: int = 0,
) -> Page[PartnershipPublic]:
    """The partnerships the caller sees, of ``party`` (either side) and in ``statuses``, newest first."""
    stmt = queries.list_statement(_where(scope), party=party, statuses=statuses)
    rows, total = paginate(
        session,
        stmt,
        limit=limit,
        offset=offset,
        order_by=queries.NEWEST,
    )
    return Page(items=publics(session, rows), total=total, limit=limit, offset=offset)


def _check_dates(started_on: date | None, ended_on: date | None) -> None:
    if started_on is not None and ended_on is not None and ended_on < started_on:
        raise InvalidInput(
            f"ended_on ({ended_on}) is before started_on ({started_on}): a partnership ends after it starts",
            loc=("body", "ended_on"),
        )


def propose_partnership(
    session: Session, scope: Scope, *, data: PartnershipCreate, request_id: str | None = None
) -> PartnershipPublic:
    """Party A proposes a tie to party B (status ``proposed``); 422 for a party with itself,
    dates that end before they start or an unknown party; 403 when the caller does not act for
    party A; 409 when the same kind of tie between them is already proposed and unanswered."""
    a = (PartyKind(data.party_a_kind), data.party_a_id)
    b = (PartyKind(data.party_b_kind), data.party_b_id)
    if a == b:
        raise InvalidInput("a party cannot be its own partner: choose another party B", loc=("body", "party_b_id"))
    _check_dates(data.started_on, data.ended_on)
    for (kind, pid), field in ((a, "party_a_id"), (b, "party_b_id")):
        if not queries.party_exists(session, kind, pid):
            raise InvalidInput(f"{kind.value} {pid} does not exist", loc=("body", field), kind="unknown_reference")
    if not acts_for(scope, *a):
        raise Forbidden(
            "you propose partnerships for your own side only: party A must be you, your organisation or your forum"
        )
    if queries.open_duplicate(session, a, b, data.kind) is not None:
        raise Conflict(
            f"a {data.kind.value} partnership between these two parties is already proposed: wait for its answer"
        )
    tie = Partnership(
        party_a_kind=a[0],
        party_a_id=a[1],
        party_b_kind=b[0],
        party_b_id=b[1],
        kind=data.kind,
        started_on=data.started_on,
        ended_on=data.ended_on,
        reference=(data.reference or "").strip() or None,
        note=(data.note or "").strip() or None,
        status=PartnershipStatus.proposed,
        proposed_by_kind=a[0],
        proposed_by_id=a[1],
        proposed_by_user_id=scope.user_id,
    )
    session.add(tie)
    session.flush()
    record_event(
        session, actor_user_id=scope.user_id, action="create", entity=ENTITY, entity_id=tie.id, request_id=request_id
    )
    notices.proposed(session, tie)
    session.commit()
    return publics(session, [tie])[0]


def update_partnership(
    session: Session,
    scope: Scope,
    *,
    partnership_id: int,
    data: PartnershipUpdate,
    today: date,
    request_id: str | None = None,
) -> PartnershipPublic:
    """Party B confirms or declines a proposal; either side ends a confirmed tie (``ended_on``,
    default today). 409 for answering your own proposal or a move the status does not allow,
    403 for a tie the caller sees but is no side of, 404 for one they do not see."""
    tie = _visible(session, scope, partnership_id)
    assert tie.id is not None
    to = PartnershipStatus(data.status)
    side_a = acts_for(scope, tie.party_a_kind, tie.party_a_id)
    side_b = acts_for(scope, tie.party_b_kind, tie.party_b_id)
    if not (side_a or side_b):
        raise Forbidden("only the two sides of a partnership change it")
    if to in ANSWERS and (tie.proposed_by_user_id == scope.user_id or not side_b):
        raise Conflict(f"you proposed partnership {tie.id}: the other side ({tie.party_b_kind.value}) answers it")
    if data.version is not None and data.version != tie.version:
        raise StaleVersion(
            f"partnership {tie.id} was changed by someone else (version {tie.version}, you sent {data.version}); "
            "reload it",
            what=ENTITY,
            record_id=tie.id,
            current=tie.version,
        )
    source = MOVES_FROM[to]
    if tie.status != source:
        raise Conflict(f"partnership {tie.id} is {tie.status.value}: it cannot become {to.value}")
    values: dict[str, object] = {"status": to, "updated_at": utcnow()}
    if to in ANSWERS:
        values |= {"answered_by_user_id": scope.user_id, "answered_at": utcnow()}
        if to is PartnershipStatus.confirmed:
            values["confirmed_on"] = today
    else:
        ended_on = data.ended_on or today
        start = max([d for d in (tie.started_on, tie.confirmed_on) if d is not None], default=None)
        if start is not None and ended_on < start:
            raise InvalidInput(
                f"ended_on ({ended_on}) is before the partnership started counting ({start}): give a later date",
                loc=("body", "ended_on"),
            )
        values["ended_on"] = ended_on
    if not queries.move(session, tie.id, from_status=source, version=tie.version, values=values):
        session.rollback()
        raise Conflict(f"partnership {tie.id} was changed by someone else; reload it")
    session.refresh(tie)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity=ENTITY,
        entity_id=tie.id,
        request_id=request_id,
        fields=sorted(k for k in values if k != "updated_at"),
        detail={"status": to.value},
    )
    if to is PartnershipStatus.confirmed:
        notices.confirmed(session, tie)
    session.commit()
    return publics(session, [tie])[0]
