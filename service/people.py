"""Facilitators and user accounts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from models.households import (
    Facilitator,
    FacilitatorCreate,
    FacilitatorPublic,
    FacilitatorUpdate,
    FacilitatorVillage,
    Household,
)
from models.network import Forum
from models.organizations import Organization
from models.protection import hash_password
from models.users import Role, User
from service.core.audit import record_event
from service.core.records import update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, within
from service.errors import Conflict, Forbidden, InvalidInput


def facilitator_filters(*, region: str | None, q: str | None) -> list[Any]:
    clauses: list[Any] = []
    if region:
        clauses.append(
            Facilitator.id.in_(  # type: ignore[union-attr]
                select(FacilitatorVillage.facilitator_id).where(within(FacilitatorVillage.village_code, region))
            )
        )
    if q:
        clauses.append(sa.func.lower(Facilitator.name).like(f"%{q.lower()}%"))
    return clauses


def facilitators_public(session: Session, rows: list[Facilitator]) -> list[FacilitatorPublic]:
    """Facilitators with their villages and caseload size, in two queries."""
    ids = [f.id for f in rows]
    villages: dict[int, list[str]] = {i: [] for i in ids if i is not None}
    counts: dict[int, int] = {}
    if ids:
        for fid, code in session.exec(
            select(FacilitatorVillage.facilitator_id, FacilitatorVillage.village_code)
            .where(FacilitatorVillage.facilitator_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(FacilitatorVillage.village_code)
        ):
            villages[fid].append(code)
        counts = dict(
            session.exec(
                select(Household.facilitator_id, sa.func.count())
                .where(Household.facilitator_id.in_(ids))  # type: ignore[union-attr]
                .group_by(Household.facilitator_id)
            ).all()  # type: ignore[arg-type]
        )
    out = []
    for f in rows:
        assert f.id is not None
        data = f.model_dump()
        data.update(village_codes=villages[f.id], household_count=counts.get(f.id, 0))
        out.append(FacilitatorPublic.model_validate(data))
    return out


def _set_villages(session: Session, facilitator_id: int, codes: list[str]) -> None:
    session.execute(sa.delete(FacilitatorVillage).where(FacilitatorVillage.facilitator_id == facilitator_id))  # type: ignore[arg-type]
    for code in dict.fromkeys(codes):
        session.add(FacilitatorVillage(facilitator_id=facilitator_id, village_code=code))


def create_facilitator(
    session: Session, *, data: FacilitatorCreate, scope: Scope, request_id: str | None
) -> Facilitator:
    """Register a facilitator and the villages they serve (admins)."""
    if not scope.is_admin:
        raise Forbidden("Only administrators register facilitators")
    if data.region_code:
        require_regions(session, [data.region_code], loc=("body", "region_code"))
    require_regions(session, data.village_codes, loc=("body", "village_codes"), level="village")
    facilitator = Facilitator(**data.model_dump(exclude={"village_codes"}))
    session.add(facilitator)
    session.flush()
    assert facilitator.id is not None
    _set_villages(session, facilitator.id, data.village_codes)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="facilitator",
        entity_id=facilitator.id,
        request_id=request_id,
    )
    session.commit()
    return facilitator


def update_facilitator(
    session: Session, *, facilitator: Facilitator, data: FacilitatorUpdate, scope: Scope, request_id: str | None
) -> Facilitator:
    """Change a facilitator or their villages (admins)."""
    if not scope.is_admin:
        raise Forbidden("Only administrators edit facilitators")
    changes = data.model_dump(exclude_unset=True, exclude={"version", "village_codes"})
    for required in ("name", "education_background"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if changes.get("region_code"):
        require_regions(session, [changes["region_code"]], loc=("body", "region_code"))
    if data.village_codes is not None:
        require_regions(session, data.village_codes, loc=("body", "village_codes"), level="village")
    update_versioned(session, facilitator, changes, expected_version=data.version, what="Facilitator")
    assert facilitator.id is not None
    if data.village_codes is not None:
        _set_villages(session, facilitator.id, data.village_codes)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="facilitator",
        entity_id=facilitator.id,
        request_id=request_id,
        fields=list(changes) + (["village_codes"] if data.village_codes is not None else []),
    )
    session.commit()
    return facilitator


_LINKS = {
    Role.facilitator: ("facilitator_id", Facilitator, "--facilitator-id"),
    Role.agency_staff: ("organization_id", Organization, "--organization-id"),
    Role.forum_organizer: ("forum_id", Forum, "--forum-id"),
}


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str | None = None,
    facilitator_id: int | None = None,
    organization_id: int | None = None,
    forum_id: int | None = None,
) -> User:
    """Create an account; each role but admin must be linked to its facilitator, organisation or forum."""
    if len(password) < 8:
        raise InvalidInput("the password needs at least 8 characters", loc=("password",))
    if not username or len(username) > 80:
        raise InvalidInput("the username needs 1-80 characters", loc=("username",))
    links = {"facilitator_id": facilitator_id, "organization_id": organization_id, "forum_id": forum_id}
    if role in _LINKS:
        attr, model, flag = _LINKS[role]
        if links[attr] is None:
            raise InvalidInput(f"a {role.value} account needs {flag}", loc=(attr,))
        if session.get(model, links[attr]) is None:
            raise InvalidInput(f"{flag} {links[attr]} does not exist", loc=(attr,))
        extra = [k for k, v in links.items() if v is not None and k != attr]
    else:
        extra = [k for k, v in links.items() if v is not None]
    if extra:
        raise InvalidInput(f"a {role.value} account takes no {', '.join(extra)}", loc=(extra[0],))
    if session.exec(select(User.id).where(User.username == username)).first():
        raise Conflict(f"the username {username} is taken")
    user = User(username=username, full_name=full_name, password_hash=hash_password(password), role=role, **links)
    session.add(user)
    session.flush()
    record_event(session, actor_user_id=None, action="create", entity="user", entity_id=user.id)
    session.commit()
    return user
