"""KPM groups through the API and the pages: facilitators in their own villages, admins anywhere,
unique names per village, the leader a member, families of the caseload and the village only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household, KpmGroup
from models.users import AuditEvent, Role
from service import households
from service.core.scope import Scope
from service.errors import Conflict
from tests.conftest import login_form, sign_in
from tests.factories import KEBON_JAYANTI, PASSWORD, facilitator, group, household, organization, user

OTHER_VILLAGE = "32.73.16.1001"  # another kelurahan of Kiaracondong
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class World:
    fac_id: int
    other_fac_id: int
    fac: str  # usernames
    other: str
    agency: str
    admin: str
    mine: list[int]  # families of the facilitator in Kebon Jayanti
    elsewhere: int  # a family of the facilitator in the other village
    theirs: int  # the other facilitator's family in Kebon Jayanti
    their_group: int


def build(session: Session) -> World:
    pendamping = facilitator(session, villages=(KEBON_JAYANTI,))
    other = facilitator(session, villages=(KEBON_JAYANTI, OTHER_VILLAGE))
    mine = [household(session, facilitator=pendamping, head_name=f"Ibu Anggota {i}").id for i in range(3)]
    elsewhere = household(session, facilitator=pendamping, village_code=OTHER_VILLAGE).id
    theirs = household(session, facilitator=other).id
    their_group = group(session, name="Kelompok Melati", facilitator_id=other.id)
    world = World(
        fac_id=pendamping.id or 0,
        other_fac_id=other.id or 0,
        fac=user(session, Role.facilitator, facilitator=pendamping).username,
        other=user(session, Role.facilitator, facilitator=other).username,
        agency=user(session, Role.agency_staff, organization=organization(session)).username,
        admin=user(session, Role.admin).username,
        mine=[i for i in mine if i],
        elsewhere=elsewhere or 0,
        theirs=theirs or 0,
        their_group=their_group.id or 0,
    )
    session.commit()
    return world


def headers(client: TestClient, username: str) -> dict[str, str]:
    return sign_in(client, username, PASSWORD)


def create(client: TestClient, h: dict[str, str], name: str, village: str = KEBON_JAYANTI) -> object:
    return client.post("/api/v1/groups", json={"name": name, "village_code": village}, headers=h)


# --- the API --------------------------------------------------------------------------------------


def test_facilitator_creates_a_group_in_their_village(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    made = bare_client.post(
        "/api/v1/groups", json={"name": "  Kelompok   Mawar 01 ", "village_code": KEBON_JAYANTI}, headers=h
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "Kelompok Mawar 01" and body["facilitator_id"] == w.fac_id and body["member_count"] == 0
    assert made.headers["ETag"] == f'"kpm_group-{body["id"]}.1"'
    listed = bare_client.get("/api/v1/groups", headers=h).json()
    assert [g["name"] for g in listed["items"]] == ["Kelompok Mawar 01"] and listed["total"] == 1
    assert set(listed) == {"items", "total", "limit", "offset"}
    assert bare_client.get("/api/v1/groups", params={"village_code": OTHER_VILLAGE}, headers=h).json()["total"] == 0
    event = bare_session.exec(select(AuditEvent).where(AuditEvent.entity == "kpm_group")).first()
    assert event is not None and event.action == "create" and event.entity_id == str(body["id"])


def test_facilitator_is_refused_a_group_outside_their_villages(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    refused = create(bare_client, h, "Kelompok Anggrek", OTHER_VILLAGE)
    assert refused.status_code == 403
    assert "not one of your villages" in refused.json()["detail"]
    unknown = create(bare_client, h, "Kelompok Anggrek", "99.99.99.9999")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "village_code"]
    given = bare_client.post(
        "/api/v1/groups",
        json={"name": "Kelompok Anggrek", "village_code": KEBON_JAYANTI, "facilitator_id": w.other_fac_id},
        headers=h,
    )
    assert given.status_code == 403 and "administrators" in given.json()["detail"]
    assert bare_session.exec(select(KpmGroup).where(KpmGroup.name == "Kelompok Anggrek")).first() is None


def test_a_group_name_is_unique_in_its_village_ignoring_case_and_spaces(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    assert create(bare_client, h, "Kelompok Mawar").status_code == 201
    again = create(bare_client, h, "kelompok  MAWAR ")
    assert again.status_code == 409
    assert 'named "kelompok MAWAR" already meets in village 32.73.16.1002' in again.json()["detail"]
    # Another facilitator's group of the village counts too; the same name elsewhere is fine.
    assert create(bare_client, h, "KELOMPOK MELATI").status_code == 409
    other = headers(bare_client, w.other)
    assert create(bare_client, other, "Kelompok Mawar", OTHER_VILLAGE).status_code == 201


def test_the_leader_is_a_member_and_a_stale_version_is_refused(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    gid = create(bare_client, h, "Kelompok Mawar").json()["id"]
    outsider = bare_client.patch(
        f"/api/v1/groups/{gid}", json={"version": 1, "leader_household_id": w.mine[0]}, headers=h
    )
    assert outsider.status_code == 422
    assert f"household {w.mine[0]} is not a member" in outsider.json()["detail"][0]["msg"]
    moved = bare_client.post(f"/api/v1/groups/{gid}/members", json={"household_ids": w.mine[:2]}, headers=h)
    assert moved.status_code == 200 and moved.json()["member_count"] == 2
    led = bare_client.patch(f"/api/v1/groups/{gid}", json={"version": 1, "leader_household_id": w.mine[0]}, headers=h)
    assert led.status_code == 200, led.text
    assert led.json()["leader_name"] == "Ibu Anggota 0" and led.json()["version"] == 2
    stale = bare_client.patch(f"/api/v1/groups/{gid}", json={"version": 1, "name": "Kelompok Mawar Baru"}, headers=h)
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    precondition = bare_client.patch(
        f"/api/v1/groups/{gid}", json={"name": "Kelompok Mawar Baru"}, headers={**h, "If-Match": f'"kpm_group-{gid}.1"'}
    )
    assert precondition.status_code == 412
    renamed = bare_client.patch(
        f"/api/v1/groups/{gid}", json={"name": "Kelompok Mawar Baru"}, headers={**h, "If-Match": f'"kpm_group-{gid}.2"'}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Kelompok Mawar Baru"
    assert renamed.headers["ETag"] == f'"kpm_group-{gid}.3"'
    their_family = bare_client.patch(
        f"/api/v1/groups/{gid}", json={"version": 3, "leader_household_id": w.theirs}, headers=h
    )
    assert their_family.status_code == 422


def test_move_families_of_the_caseload_and_the_village(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    first = create(bare_client, h, "Kelompok Mawar").json()["id"]
    second = create(bare_client, h, "Kelompok Dahlia").json()["id"]
    versions = {hid: bare_session.get(Household, hid).version for hid in w.mine}  # type: ignore[union-attr]
    assert (
        bare_client.post(f"/api/v1/groups/{first}/members", json={"household_ids": w.mine}, headers=h).status_code
        == 200
    )
    assert (
        bare_client.patch(
            f"/api/v1/groups/{first}", json={"version": 1, "leader_household_id": w.mine[0]}, headers=h
        ).status_code
        == 200
    )
    bare_session.expire_all()
    for hid in w.mine:
        family = bare_session.get(Household, hid)
        assert family is not None and family.group_id == first and family.version == versions[hid] + 1

    other_village = bare_client.post(
        f"/api/v1/groups/{first}/members", json={"household_ids": [w.mine[1], w.elsewhere]}, headers=h
    )
    assert other_village.status_code == 422
    assert f"household {w.elsewhere} lives outside village 32.73.16.1002" in other_village.json()["detail"][0]["msg"]
    not_mine = bare_client.post(
        f"/api/v1/groups/{first}/members", json={"household_ids": [w.theirs, 999999]}, headers=h
    )
    assert not_mine.status_code == 422
    assert f"household {w.theirs}, 999999 is not in your caseload" in not_mine.json()["detail"][0]["msg"]

    # The leader moves to another group: the first group has no leader any more.
    moved = bare_client.post(f"/api/v1/groups/{second}/members", json={"household_ids": [w.mine[0]]}, headers=h)
    assert moved.status_code == 200 and moved.json()["member_count"] == 1
    left = bare_client.get(f"/api/v1/groups/{first}", headers=h).json()
    assert left["leader_household_id"] is None and left["member_count"] == 2 and left["version"] == 3
    listed = bare_client.get("/api/v1/households", params={"group_id": second}, headers=h).json()
    assert [f["id"] for f in listed["items"]] == [w.mine[0]]
    removed = bare_client.delete(f"/api/v1/groups/{first}/members/{w.mine[1]}", headers=h)
    assert removed.status_code == 200 and removed.json()["member_count"] == 1
    assert bare_client.delete(f"/api/v1/groups/{first}/members/{w.mine[1]}", headers=h).status_code == 422
    audited = bare_session.exec(
        select(AuditEvent).where(AuditEvent.entity == "household", AuditEvent.entity_id == str(w.mine[0]))
    ).all()
    assert len(audited) == 2 and all(e.detail == {"fields": ["group_id"]} for e in audited)


def test_changing_a_leaders_group_on_the_household_ends_the_leadership(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    gid = create(bare_client, h, "Kelompok Mawar").json()["id"]
    bare_client.post(f"/api/v1/groups/{gid}/members", json={"household_ids": [w.mine[0]]}, headers=h)
    bare_client.patch(f"/api/v1/groups/{gid}", json={"version": 1, "leader_household_id": w.mine[0]}, headers=h)
    version = bare_client.get(f"/api/v1/households/{w.mine[0]}", headers=h).json()["version"]
    left = bare_client.patch(f"/api/v1/households/{w.mine[0]}", json={"version": version, "group_id": None}, headers=h)
    assert left.status_code == 200, left.text
    assert bare_client.get(f"/api/v1/groups/{gid}", headers=h).json()["leader_household_id"] is None


def test_another_facilitators_group_is_not_found_and_agencies_are_refused(
    bare_session: Session, bare_client: TestClient
) -> None:
    w = build(bare_session)
    h = headers(bare_client, w.fac)
    gid = w.their_group
    assert bare_client.get(f"/api/v1/groups/{gid}", headers=h).status_code == 404
    assert bare_client.patch(f"/api/v1/groups/{gid}", json={"version": 1, "name": "X"}, headers=h).status_code == 404
    moved = bare_client.post(f"/api/v1/groups/{gid}/members", json={"household_ids": w.mine[:1]}, headers=h)
    assert moved.status_code == 404 and moved.json()["detail"] == f"KPM group {gid} not found"
    assert bare_client.get("/api/v1/groups", headers=h).json()["total"] == 0
    agency = headers(bare_client, w.agency)
    for response in (
        bare_client.get("/api/v1/groups", headers=agency),
        bare_client.get(f"/api/v1/groups/{gid}", headers=agency),
    ):
        assert response.status_code == 403 and "does not see KPM groups" in response.json()["detail"]
    assert create(bare_client, agency, "Kelompok Lembaga").status_code == 403
    assert bare_session.get(Household, w.mine[0]).group_id is None  # type: ignore[union-attr]


def test_admin_creates_anywhere_for_any_facilitator(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    admin = headers(bare_client, w.admin)
    made = bare_client.post(
        "/api/v1/groups",
        json={"name": "Kelompok Kenanga", "village_code": OTHER_VILLAGE, "facilitator_id": w.other_fac_id},
        headers=admin,
    )
    assert made.status_code == 201 and made.json()["facilitator_id"] == w.other_fac_id
    unknown = bare_client.post(
        "/api/v1/groups",
        json={"name": "Kelompok X", "village_code": OTHER_VILLAGE, "facilitator_id": 999999},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert bare_client.get("/api/v1/groups", headers=admin).json()["total"] == 2
    moved = bare_client.post(f"/api/v1/groups/{w.their_group}/members", json={"household_ids": w.mine}, headers=admin)
    assert moved.status_code == 200 and moved.json()["member_count"] == 3


def test_group_for_name_finds_or_creates(bare_session: Session) -> None:
    w = build(bare_session)
    session = bare_session
    mine = Scope(user_id=None, role=Role.facilitator, facilitator_id=w.fac_id)
    made = households.group_for_name(
        session, mine, village_code=KEBON_JAYANTI, name="Kelompok  Sakura", facilitator_id=None
    )
    session.commit()
    assert made.name == "Kelompok Sakura" and made.facilitator_id == w.fac_id
    found = households.group_for_name(
        session, mine, village_code=KEBON_JAYANTI, name=" kelompok sakura", facilitator_id=w.fac_id
    )
    assert found.id == made.id
    try:
        households.group_for_name(
            session, mine, village_code=KEBON_JAYANTI, name="Kelompok Melati", facilitator_id=None
        )
    except Conflict as exc:
        assert "already meets" in exc.message
    else:
        raise AssertionError("another facilitator's group of that name was handed out")
    admin = Scope(user_id=None, role=Role.admin)
    theirs = households.group_for_name(
        session, admin, village_code=KEBON_JAYANTI, name="KELOMPOK MELATI", facilitator_id=None
    )
    assert theirs.id == w.their_group


# --- the pages ------------------------------------------------------------------------------------


def page_sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, **login_form(client)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_facilitator_manages_a_group_on_the_pages(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    client = bare_client
    page_sign_in(client, w.fac)
    assert 'href="/kpm/kelompok"' in client.get("/kpm").text
    listing = client.get("/kpm/kelompok")
    assert listing.status_code == 200 and "Buat kelompok baru" in listing.text and "Kelompok Melati" not in listing.text
    token = csrf_of(listing.text)
    made = client.post(
        "/kpm/kelompok",
        data={"csrf": token, "name": "Kelompok Mawar", "village_code": KEBON_JAYANTI},
        follow_redirects=False,
    )
    assert made.status_code == 303
    url = made.headers["location"]
    gid = int(url.rsplit("/", 1)[1])

    twice = client.post("/kpm/kelompok", data={"csrf": token, "name": "KELOMPOK MAWAR", "village_code": KEBON_JAYANTI})
    assert twice.status_code == 409 and "Nama kelompok itu sudah dipakai" in twice.text
    away = client.post("/kpm/kelompok", data={"csrf": token, "name": "Kelompok Anggrek", "village_code": OTHER_VILLAGE})
    assert away.status_code == 403 and "desa/kelurahan dampingan Anda" in away.text

    detail = client.get(url)
    assert detail.status_code == 200 and "Ibu Anggota 0" in detail.text and 'name="household_id"' in detail.text
    moved = client.post(
        f"{url}/anggota", data={"csrf": token, "household_id": [str(w.mine[0]), str(w.mine[1])]}, follow_redirects=False
    )
    assert moved.status_code == 303
    led = client.post(
        url,
        data={"csrf": token, "action": "leader", "version": "1", "leader_household_id": str(w.mine[1])},
        follow_redirects=False,
    )
    assert led.status_code == 303
    stale = client.post(url, data={"csrf": token, "action": "rename", "version": "1", "name": "Kelompok Baru"})
    assert stale.status_code == 409 and "diubah orang lain" in stale.text
    renamed = client.post(
        url,
        data={"csrf": token, "action": "rename", "version": "2", "name": "Kelompok Mawar Indah"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    removed = client.post(
        f"{url}/keluarkan", data={"csrf": token, "household_id": str(w.mine[0])}, follow_redirects=False
    )
    assert removed.status_code == 303

    listing = client.get("/kpm/kelompok?lang=en").text
    assert "Kelompok Mawar Indah" in listing and "Ibu Anggota 1" in listing and "Create a group" in listing
    group_row = bare_session.get(KpmGroup, gid)
    bare_session.refresh(group_row)
    assert group_row is not None and group_row.leader_household_id == w.mine[1]
    bare_session.expire_all()
    assert [h.id for h in bare_session.exec(select(Household).where(Household.group_id == gid))] == [w.mine[1]]


def test_group_pages_refuse_what_is_not_the_callers(bare_session: Session, bare_client: TestClient) -> None:
    w = build(bare_session)
    client = bare_client
    page_sign_in(client, w.fac)
    token = csrf_of(client.get("/kpm/kelompok").text)
    assert client.get(f"/kpm/kelompok/{w.their_group}").status_code == 404
    taken = client.post(f"/kpm/kelompok/{w.their_group}/anggota", data={"csrf": token, "household_id": str(w.mine[0])})
    assert taken.status_code == 404
    no_csrf = client.post("/kpm/kelompok", data={"name": "Kelompok Tanpa Token", "village_code": KEBON_JAYANTI})
    assert no_csrf.status_code == 403
    mine = client.post(
        "/kpm/kelompok",
        data={"csrf": token, "name": "Kelompok Mawar", "village_code": KEBON_JAYANTI},
        follow_redirects=False,
    )
    url = mine.headers["location"]
    foreign = client.post(f"{url}/anggota", data={"csrf": token, "household_id": str(w.theirs)})
    assert foreign.status_code == 422 and "Pilih keluarga dampingan Anda" in foreign.text
    assert bare_session.get(Household, w.theirs).group_id is None  # type: ignore[union-attr]
    page_sign_in(client, w.agency)
    assert client.get("/kpm/kelompok").status_code == 403
