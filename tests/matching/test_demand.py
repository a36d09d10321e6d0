"""An organisation's demand by village, built from factories: small counts are withheld from all
but administrators (mapping.privacy)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.users import Role
from tests.conftest import sign_in
from tests.factories import KEBON_JAYANTI, PASSWORD, business, household, organization, program, user

OTHER_VILLAGE = "32.73.16.1001"  # another kelurahan of Kiaracondong


def test_demand_withholds_a_village_of_three_families_from_the_agency(
    bare_session: Session, bare_client: TestClient
) -> None:
    session = bare_session
    for _ in range(3):
        business(session, household(session, village_code=OTHER_VILLAGE), sector="culinary", needs=["training"])
    for _ in range(6):
        business(session, household(session, village_code=KEBON_JAYANTI), sector="culinary", needs=["training"])
    org = organization(session)
    program(session, org, kind="training", service_area=["32.73.16"])
    staff = user(session, Role.agency_staff, organization=org)
    admin = user(session, Role.admin)
    session.commit()

    def villages(username: str) -> dict[str, dict[str, object]]:
        headers = sign_in(bare_client, username, PASSWORD)
        body = bare_client.get(f"/api/v1/organizations/{org.id}/demand", headers=headers).json()
        return {v["village_code"]: v for v in body["villages"]}

    seen = villages(staff.username)
    # 6 families, published rounded to the nearest 5 (#15.1: differences of published counts are multiples of 5)
    assert seen[KEBON_JAYANTI]["households"] == 5 and seen[KEBON_JAYANTI]["with_fitting_business"] == 5
    assert seen[OTHER_VILLAGE]["households"] is None and seen[OTHER_VILLAGE]["eligible"] is None
    exact = villages(admin.username)
    assert exact[OTHER_VILLAGE]["households"] == 3 and exact[OTHER_VILLAGE]["with_fitting_business"] == 3
