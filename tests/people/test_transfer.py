"""Moving a caseload from one facilitator to another (#12.5): the API, the admin page, and who
sees the families afterwards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household, KpmGroup
from models.referrals import Referral
from models.users import AuditEvent, Role, User
from tests.conftest import login_form, sign_in
from tests.factories import PASSWORD, facilitator, group, household, organization, program, referral, user

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class Caseloads:
    """Facilitator A (Ani) with two groups and four families, facilitator B (Budi), an admin."""

    a: Any
    b: Any
    a_user: User
    b_user: User
    admin: User
    whole_group: KpmGroup  # h1, h2: both move
    split_group: KpmGroup  # h3 stays, h4 moves
    h: list[Household]
    open_referral: Referral


def _world(session: Session) -> Caseloads:
    a, b = facilitator(session, name="Pendamping Ani"), facilitator(session, name="Pendamping Budi")
    whole, split = group(session, facilitator_id=a.id), group(session, facilitator_id=a.id)
    h = [
        household(session, facilitator=a, group_id=whole.id),
        household(session, facilitator=a, group_id=whole.id),
        household(session, facilitator=a, group_id=split.id),
        household(session, facilitator=a, group_id=split.id),
    ]
    prog = program(session, organization(session))
    open_referral = referral(session, h[0], prog)
    world = Caseloads(
        a=a,
        b=b,
        a_user=user(session, Role.facilitator, facilitator=a),
        b_user=user(session, Role.facilitator, facilitator=b),
        admin=user(session, Role.admin),
        whole_group=whole,
        split_group=split,
        h=h,
        open_referral=open_referral,
    )
    session.commit()
    return world


def _facilitator_of(session: Session, model: Any, ids: list[int]) -> list[int | None]:
    session.expire_all()
    return [session.get(model, i).facilitator_id for i in ids]


def test_transfer_moves_exactly_the_listed_households_and_the_groups_that_move_whole(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = _world(bare_session)
    h1, h2, h3, h4 = (x.id for x in w.h)
    versions = [x.version for x in w.h]
    a_headers = sign_in(bare_client, w.a_user.username, PASSWORD)
    b_headers = sign_in(bare_client, w.b_user.username, PASSWORD)
    assert bare_client.get(f"/api/v1/households/{h1}", headers=b_headers).status_code == 404

    moved = bare_client.post(
        f"/api/v1/facilitators/{w.a.id}/transfer",
        json={"to_facilitator_id": w.b.id, "household_ids": [h1, h2, h4, h4]},
        headers=sign_in(bare_client, w.admin.username, PASSWORD),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json() == {
        "from_facilitator_id": w.a.id,
        "to_facilitator_id": w.b.id,
        "households": 3,
        "groups": 1,
        "referrals": 1,
    }
    assert _facilitator_of(bare_session, Household, [h1, h2, h3, h4]) == [w.b.id, w.b.id, w.a.id, w.b.id]
    assert _facilitator_of(bare_session, KpmGroup, [w.whole_group.id, w.split_group.id]) == [w.b.id, w.a.id]
    assert [bare_session.get(Household, i).version for i in (h1, h2, h3, h4)] == [
        versions[0] + 1,
        versions[1] + 1,
        versions[2],
        versions[3] + 1,
    ]

    # The new facilitator sees the families (and the open referral); the old one no longer does.
    for hid in (h1, h2, h4):
        assert bare_client.get(f"/api/v1/households/{hid}", headers=b_headers).status_code == 200
        assert bare_client.get(f"/api/v1/households/{hid}", headers=a_headers).status_code == 404
    assert bare_client.get(f"/api/v1/households/{h3}", headers=a_headers).status_code == 200
    assert bare_client.get(f"/api/v1/referrals/{w.open_referral.id}", headers=b_headers).status_code == 200
    assert bare_client.get(f"/api/v1/referrals/{w.open_referral.id}", headers=a_headers).status_code == 404

    event = bare_session.exec(select(AuditEvent).where(AuditEvent.action == "transfer_caseload")).one()
    assert event.actor_user_id == w.admin.id and event.entity_id == str(w.a.id)
    assert event.detail == {
        "to_facilitator_id": w.b.id,
        "whole_caseload": False,
        "households": 3,
        "groups": 1,
        "referrals": 1,
    }


def test_transfer_without_a_list_moves_the_whole_caseload(bare_session: Session, bare_client: TestClient) -> None:
    w = _world(bare_session)
    moved = bare_client.post(
        f"/api/v1/facilitators/{w.a.id}/transfer",
        json={"to_facilitator_id": w.b.id},
        headers=sign_in(bare_client, w.admin.username, PASSWORD),
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["households"], moved.json()["groups"]) == (4, 2)
    assert set(_facilitator_of(bare_session, Household, [x.id for x in w.h])) == {w.b.id}
    listed = bare_client.get("/api/v1/households", headers=sign_in(bare_client, w.a_user.username, PASSWORD))
    assert listed.json()["total"] == 0


def test_transfer_refuses_itself_unknown_inactive_and_foreign_households(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = _world(bare_session)
    stranger = household(bare_session, facilitator=w.b)
    lone = facilitator(bare_session)
    bare_session.commit()
    admin = sign_in(bare_client, w.admin.username, PASSWORD)
    url = f"/api/v1/facilitators/{w.a.id}/transfer"

    def refused(body: dict[str, Any], status: int = 422) -> str:
        response = bare_client.post(url, json=body, headers=admin)
        assert response.status_code == status, response.text
        return str(response.json()["detail"])

    assert "another facilitator" in refused({"to_facilitator_id": w.a.id})
    assert "does not exist" in refused({"to_facilitator_id": 999_999})
    assert "not in facilitator" in refused({"to_facilitator_id": w.b.id, "household_ids": [w.h[0].id, stranger.id]})
    assert "at least one household" in refused({"to_facilitator_id": w.b.id, "household_ids": []})
    wrong = bare_client.post("/api/v1/facilitators/999999/transfer", json={"to_facilitator_id": w.b.id}, headers=admin)
    assert wrong.status_code == 404
    # A facilitator whose every account is deactivated takes no caseload; one without any account may.
    b_user = bare_session.get(User, w.b_user.id)
    b_user.is_active = False
    bare_session.add(b_user)
    bare_session.commit()
    assert "inactive" in refused({"to_facilitator_id": w.b.id})
    assert _facilitator_of(bare_session, Household, [x.id for x in w.h]) == [w.a.id] * 4
    assert bare_client.post(url, json={"to_facilitator_id": lone.id}, headers=admin).status_code == 200

    facilitator_try = bare_client.post(
        f"/api/v1/facilitators/{lone.id}/transfer",
        json={"to_facilitator_id": w.a.id},
        headers=sign_in(bare_client, w.a_user.username, PASSWORD),
    )
    assert facilitator_try.status_code == 403


def _page_sign_in(client: TestClient, username: str) -> None:
    done = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert done.status_code == 303, done.text


def test_transfer_page_moves_the_ticked_households_after_confirmation(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = _world(bare_session)
    _page_sign_in(bare_client, w.admin.username)
    form = bare_client.get(f"/admin/pindah-kpm?dari={w.a.id}")
    assert form.status_code == 200
    assert all(x.head_name in form.text for x in w.h) and "Pendamping Budi" in form.text
    data = {"csrf": CSRF.findall(form.text)[-1], "dari": str(w.a.id), "ke": str(w.b.id), "kpm": [str(w.h[2].id)]}

    unconfirmed = bare_client.post("/admin/pindah-kpm", data=data)
    assert unconfirmed.status_code == 422 and "Centang kotak konfirmasi" in unconfirmed.text
    assert _facilitator_of(bare_session, Household, [w.h[2].id]) == [w.a.id]

    done = bare_client.post("/admin/pindah-kpm", data={**data, "confirm": "ya"})
    assert done.status_code == 200 and 'data-moved="1"' in done.text
    assert "dari Pendamping Ani ke Pendamping Budi" in done.text
    assert _facilitator_of(bare_session, Household, [x.id for x in w.h]) == [w.a.id, w.a.id, w.b.id, w.a.id]

    to_itself = bare_client.post("/admin/pindah-kpm", data={**data, "ke": str(w.a.id), "confirm": "ya"})
    assert to_itself.status_code == 422 and "asal dan tujuan sama" in to_itself.text


def test_transfer_page_is_for_admins_only(bare_session: Session, bare_client: TestClient) -> None:
    w = _world(bare_session)
    _page_sign_in(bare_client, w.a_user.username)
    assert bare_client.get("/admin/pindah-kpm").status_code == 403
    page = bare_client.get("/").text
    posted = bare_client.post(
        "/admin/pindah-kpm",
        data={"csrf": CSRF.findall(page)[-1], "dari": str(w.a.id), "ke": str(w.b.id), "semua": "ya", "confirm": "ya"},
    )
    assert posted.status_code == 403
    assert _facilitator_of(bare_session, Household, [x.id for x in w.h]) == [w.a.id] * 4
