"""Partnerships through the API on the demo: proposed by one side, confirmed by the other before
they count in the network; who sees a proposal; bad input; the network's changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.network import Partnership
from models.organizations import Organization
from models.users import Role
from tests import factories
from tests.conftest import sign_in

Headers = Callable[[str], dict[str, str]]
URL = "/api/v1/partnerships"
DINSOS = "Dinas Sosial Kota Bandung"
FORUM_CSR = "Forum CSR Kota Bandung"


def _org(session: Session, name: str) -> Organization:
    return session.exec(select(Organization).where(Organization.name == name)).one()


def _csr_staff(client: TestClient, session: Session) -> dict[str, str]:
    user = factories.user(session, Role.agency_staff, organization=_org(session, FORUM_CSR))
    session.commit()
    return sign_in(client, user.username, factories.PASSWORD)


def _proposal(session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "party_a_kind": "organization",
        "party_a_id": _org(session, DINSOS).id,
        "party_b_kind": "organization",
        "party_b_id": _org(session, FORUM_CSR).id,
        "kind": "mou",
        "reference": "No. 400/12/MoU/Dinsos/2026",
        "note": "Pelatihan menjahit untuk KPM PRSE",
        **extra,
    }


def _partners_edge(client: TestClient, as_user: Headers, a: int, b: int) -> bool:
    r = client.get("/api/v1/network/graph", params={"region": "32.73"}, headers=as_user("admin"))
    assert r.status_code == 200, r.text
    ends = {f"org:{a}", f"org:{b}"}
    return any(e["type"] == "partners" and {e["source"], e["target"]} == ends for e in r.json()["edges"])


def test_a_proposal_counts_only_once_the_other_side_confirms(
    client: TestClient, as_user: Headers, session: Session, app: FastAPI
) -> None:
    today = app.state.settings.today() if hasattr(app.state, "settings") else None
    dinsos, csr = _org(session, DINSOS), _org(session, FORUM_CSR)
    assert dinsos.id is not None and csr.id is not None
    r = client.post(URL, json=_proposal(session), headers=as_user("dinsos.bandung"))
    assert r.status_code == 201, r.text
    tie = r.json()
    assert tie["status"] == "proposed" and tie["party_b_name"] == FORUM_CSR and tie["party_a_name"] == DINSOS
    assert tie["reference"] == "No. 400/12/MoU/Dinsos/2026"
    pid = tie["id"]
    assert not _partners_edge(client, as_user, dinsos.id, csr.id)

    # Dinas Sosial proposed it: it cannot confirm it itself.
    r = client.patch(f"{URL}/{pid}", json={"status": "confirmed"}, headers=as_user("dinsos.bandung"))
    assert r.status_code == 409, r.text
    # A proposal is seen by its two sides only (and admins).
    csr_staff = _csr_staff(client, session)
    assert client.get(f"{URL}/{pid}", headers=csr_staff).status_code == 200
    assert client.get(f"{URL}/{pid}", headers=as_user("admin")).status_code == 200
    for other in ("forum.bandung", "pendamping.kebonjayanti"):
        assert client.get(f"{URL}/{pid}", headers=as_user(other)).status_code == 404, other
        listed = client.get(URL, headers=as_user(other)).json()["items"]
        assert pid not in [t["id"] for t in listed]
    waiting = client.get(URL, params={"status": "proposed"}, headers=csr_staff).json()
    assert [t["id"] for t in waiting["items"]] == [pid] and waiting["total"] == 1

    # Forum CSR's staff confirm: now it counts.
    r = client.patch(f"{URL}/{pid}", json={"status": "confirmed"}, headers=csr_staff)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed" and r.json()["confirmed_on"] is not None
    assert _partners_edge(client, as_user, dinsos.id, csr.id)
    # An agreed tie is also seen by the organiser of the region's forum.
    assert client.get(f"{URL}/{pid}", headers=as_user("forum.bandung")).status_code == 200
    mine = client.get(
        URL, params={"party_kind": "organization", "party_id": csr.id}, headers=as_user("forum.bandung")
    ).json()
    assert pid in [t["id"] for t in mine["items"]]
    # ... who may not change it, and no one answers twice.
    assert client.patch(f"{URL}/{pid}", json={"status": "ended"}, headers=as_user("forum.bandung")).status_code == 403
    assert client.patch(f"{URL}/{pid}", json={"status": "declined"}, headers=csr_staff).status_code == 409

    # The network's changes between yesterday and today: the new tie and the demand it reaches.
    r = client.get(
        "/api/v1/network/changes",
        params={"region": "32.73", "since": str(r.json()["confirmed_on"] and _yesterday(r.json()["confirmed_on"])),
                "until": r.json()["confirmed_on"]},
        headers=as_user("admin"),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    changes = r.json()
    assert [t.get("partnership_id") for t in changes["ties_added"]] == [pid]
    assert changes["ties_ended"] == []
    reached = changes["newly_reached"]
    assert reached and {x["organization"] for x in reached} == {FORUM_CSR}
    assert changes["unmet_after"]["pairs"] == changes["unmet_before"]["pairs"] - len(reached)
    assert today is None or today  # the app's clock is the demo's


def _yesterday(day: str) -> str:
    from datetime import date

    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def test_ending_a_tie_drops_it_from_the_network_after_its_end(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    csr_staff = _csr_staff(client, session)
    dinsos, csr = _org(session, DINSOS), _org(session, FORUM_CSR)
    assert dinsos.id is not None and csr.id is not None
    pid = client.post(URL, json=_proposal(session, kind="informal"), headers=as_user("dinsos.bandung")).json()["id"]
    assert client.patch(f"{URL}/{pid}", json={"status": "confirmed"}, headers=csr_staff).status_code == 200
    r = client.patch(
        f"{URL}/{pid}", json={"status": "ended", "ended_on": "2020-01-01"}, headers=as_user("dinsos.bandung")
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "ended_on"], r.text
    confirmed_on = client.get(f"{URL}/{pid}", headers=csr_staff).json()["confirmed_on"]
    r = client.patch(
        f"{URL}/{pid}", json={"status": "ended", "ended_on": confirmed_on}, headers=as_user("dinsos.bandung")
    )
    assert r.status_code == 200 and r.json()["status"] == "ended", r.text
    # In force on its last day, gone from the day after (the graph's window).
    on = client.get("/api/v1/network/graph", params={"region": "32.73", "since": confirmed_on, "until": confirmed_on},
                    headers=as_user("admin")).json()  # fmt: skip
    assert any(e["type"] == "partners" and {e["source"], e["target"]} == {f"org:{dinsos.id}", f"org:{csr.id}"}
               for e in on["edges"])  # fmt: skip
    from datetime import date

    after = (date.fromisoformat(confirmed_on) + timedelta(days=1)).isoformat()
    later = client.get("/api/v1/network/graph", params={"region": "32.73", "since": after, "until": after},
                       headers=as_user("admin")).json()  # fmt: skip
    assert not any(e["type"] == "partners" and {e["source"], e["target"]} == {f"org:{dinsos.id}", f"org:{csr.id}"}
                   for e in later["edges"])  # fmt: skip
    ended = client.get(
        "/api/v1/network/changes", params={"region": "32.73", "since": confirmed_on, "until": after},
        headers=as_user("admin"),
    ).json()  # fmt: skip
    assert [t.get("partnership_id") for t in ended["ties_ended"]] == [pid]


def test_bad_input_names_the_field(client: TestClient, as_user: Headers, session: Session) -> None:
    dinsos = _org(session, DINSOS)
    cases = [
        ({"party_b_id": dinsos.id}, "party_b_id"),
        ({"started_on": "2026-06-01", "ended_on": "2026-05-01"}, "ended_on"),
        ({"party_b_id": 2_000_000}, "party_b_id"),
        ({"party_b_kind": "forum", "party_b_id": 2_000_000}, "party_b_id"),
    ]
    for extra, field in cases:
        r = client.post(URL, json=_proposal(session, **extra), headers=as_user("dinsos.bandung"))
        assert r.status_code == 422, (extra, r.text)
        assert r.json()["detail"][0]["loc"] == ["body", field], r.text
    # Party A must be the caller's side.
    r = client.post(URL, json=_proposal(session), headers=as_user("pendamping.kebonjayanti"))
    assert r.status_code == 403, r.text
    # The same tie twice: 409.
    assert client.post(URL, json=_proposal(session), headers=as_user("dinsos.bandung")).status_code == 201
    assert client.post(URL, json=_proposal(session), headers=as_user("dinsos.bandung")).status_code == 409
    assert client.get(f"{URL}/999999", headers=as_user("admin")).status_code == 404
    r = client.get("/api/v1/network/changes", params={"region": "32.73", "since": "2026-05-02", "until": "2026-05-01"},
                   headers=as_user("admin"))  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "since"]


def test_demo_ties_stay_confirmed(session: Session) -> None:
    ties = session.exec(select(Partnership)).all()
    assert ties and {t.status for t in ties} == {"confirmed"}


def test_a_declined_proposal_stays_between_its_two_sides(
    client: TestClient, as_user: Headers, session: Session
) -> None:
    csr_staff = _csr_staff(client, session)
    pid = client.post(URL, json=_proposal(session, kind="co_funding"), headers=as_user("dinsos.bandung")).json()["id"]
    r = client.patch(f"{URL}/{pid}", json={"status": "declined", "version": 1}, headers=csr_staff)
    assert r.status_code == 200 and r.json()["status"] == "declined" and r.json()["version"] == 2, r.text
    assert r.headers["ETag"] == f'"partnership-{pid}.2"'
    assert client.get(f"{URL}/{pid}", headers=as_user("forum.bandung")).status_code == 404
    declined = client.get(URL, params={"status": "declined"}, headers=as_user("dinsos.bandung")).json()
    assert [t["id"] for t in declined["items"]] == [pid]
    # Declined is final; a stale version is refused (412 with If-Match).
    assert client.patch(f"{URL}/{pid}", json={"status": "confirmed"}, headers=csr_staff).status_code == 409
    stale = client.patch(
        f"{URL}/{pid}", json={"status": "ended"}, headers=csr_staff | {"If-Match": f'"partnership-{pid}.1"'}
    )
    assert stale.status_code == 412, stale.text
