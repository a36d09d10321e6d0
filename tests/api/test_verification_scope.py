"""Issue 15 #11: forum organisers verify only organisations of their forum's region; national bodies
(a ministry programme) only administrators."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.organizations import Organization, OrganizationKind
from tests import factories as f

Headers = Callable[[str], dict[str, str]]
KEMENSOS = "Kementerian Sosial Republik Indonesia"
SUDINSOS_JAKTIM = "Suku Dinas Sosial Kota Administrasi Jakarta Timur"


def by_name(session: Session, name: str) -> Organization:
    return session.exec(select(Organization).where(Organization.name == name)).one()


def verify(client: TestClient, org_id: int | None, headers: dict[str, str], verified: bool = True) -> int:
    response = client.put(f"/api/v1/organizations/{org_id}/verification", json={"verified": verified}, headers=headers)
    return response.status_code


def test_an_organiser_cannot_touch_the_mark_of_a_national_body(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    kemensos = by_name(session, KEMENSOS)
    kemensos.verified_at = None
    session.add(kemensos)
    session.commit()
    organiser = as_user("forum.bandung")
    assert client.get(f"/api/v1/organizations/{kemensos.id}", headers=organiser).status_code == 200
    assert verify(client, kemensos.id, organiser) == 403
    # A national body already verified by an admin cannot be unverified by an organiser either.
    assert verify(client, kemensos.id, as_user("admin")) == 200
    refused = client.put(
        f"/api/v1/organizations/{kemensos.id}/verification", json={"verified": False}, headers=organiser
    )
    assert refused.status_code == 403 and "administrators" in refused.json()["detail"]
    session.expire_all()
    assert by_name(session, KEMENSOS).verified_at is not None


def test_an_organiser_verifies_only_inside_the_forum_region(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    organiser = as_user("forum.bandung")
    # An agency of Jakarta Timur serving Bandung is visible to the Bandung forum, but not theirs to verify.
    jaktim = by_name(session, SUDINSOS_JAKTIM)
    before = jaktim.verified_at
    f.program(session, jaktim, service_area=["32.73"])
    outside = f.organization(session, name="Yayasan Jakarta", region_code="31.75", kind=OrganizationKind.ngo)
    f.program(session, outside, service_area=["32.73.16"])
    inside = f.organization(session, name="Yayasan Kiaracondong", region_code="32.73.16", kind=OrganizationKind.ngo)
    session.commit()
    for org in (jaktim, outside):
        assert client.get(f"/api/v1/organizations/{org.id}", headers=organiser).status_code == 200
        assert verify(client, org.id, organiser) == 403, org.name
    assert verify(client, inside.id, organiser) == 200
    assert verify(client, outside.id, as_user("admin")) == 200
    session.expire_all()
    assert session.get(Organization, inside.id).verified_at is not None  # type: ignore[union-attr]
    assert by_name(session, SUDINSOS_JAKTIM).verified_at == before
