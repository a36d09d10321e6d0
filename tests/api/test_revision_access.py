"""Issue 15 #15: a programme's revisions (values from before publication, who changed them) are read
only by its own organisation, the organisers of its region and admins."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Organization
from models.users import Role
from tests import factories as f
from tests.conftest import login_form, sign_in

Headers = Callable[[str], dict[str, str]]
DINSOS = "Dinas Sosial Kota Bandung"
JAKARTA_TIMUR = "31.75"


def _published_programme(client: TestClient, session: Session, as_user: Headers) -> int:
    """Dinsos Bandung drafts a programme with a confidential first rule, then publishes it."""
    staff = as_user("dinsos.bandung")
    dinsos = session.exec(select(Organization).where(Organization.name == DINSOS)).one()
    body = {
        "organization_id": dinsos.id,
        "name": "Bantuan Modal Rahasia",
        "kind": "capital_grant",
        "capacity": 10,
        "capacity_remaining": 10,
        "service_area": ["32.73.16"],
        "eligibility": {"all": [{"field": "household.disability", "op": "eq", "value": True}]},
    }
    created = client.post("/api/v1/programs", json=body, headers=staff)
    assert created.status_code == 201, created.text
    pid: int = created.json()["id"]
    published = client.patch(f"/api/v1/programs/{pid}", json={"version": 1, "status": "active"}, headers=staff)
    assert published.status_code == 200, published.text
    return pid


def test_only_the_owner_its_regions_organisers_and_admins_read_revisions(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid = _published_programme(client, session, as_user)
    other_org = f.organization(session, name="Yayasan Lain Bandung")
    other_staff = f.user(session, Role.agency_staff, organization=other_org)
    jakarta_forum = f.forum(session, region_code=JAKARTA_TIMUR)
    jakarta_organiser = f.user(session, Role.forum_organizer, forum=jakarta_forum)
    session.commit()

    for who in ("dinsos.bandung", "forum.bandung", "admin"):
        seen = client.get(f"/api/v1/programs/{pid}/revisions", headers=as_user(who))
        assert seen.status_code == 200, (who, seen.text)
        assert [r["action"] for r in seen.json()] == ["create", "publish"]

    strangers = {
        "facilitator": as_user("pendamping.kebonjayanti"),
        "another agency": sign_in(client, other_staff.username, f.PASSWORD),
        "an organiser elsewhere": sign_in(client, jakarta_organiser.username, f.PASSWORD),
    }
    for who, headers in strangers.items():
        # The programme itself is public once published (an organiser elsewhere does not even see it) ...
        public = client.get(f"/api/v1/programs/{pid}", headers=headers).status_code
        assert public == (404 if who == "an organiser elsewhere" else 200), who
        # ... its history is not.
        refused = client.get(f"/api/v1/programs/{pid}/revisions", headers=headers)
        assert refused.status_code == (403 if public == 200 else 404), (who, refused.status_code, refused.text)
        assert "household.disability" not in refused.text and "actor_user_id" not in refused.text


def test_the_programme_page_with_its_history_is_the_owners_only(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    pid = _published_programme(client, session, as_user)
    other_org = f.organization(session, name="Yayasan Lain Bandung")
    other_staff = f.user(session, Role.agency_staff, organization=other_org)
    session.commit()
    client.cookies.clear()
    login = client.post("/login", data={"username": other_staff.username, "password": f.PASSWORD, **login_form(client)})
    assert login.status_code == 200 and "/login" not in str(login.url), login.text
    page = client.get(f"/lembaga/program/{pid}")
    assert page.status_code == 404
    assert "Bantuan Modal Rahasia" not in page.text and "revisions" not in page.text
