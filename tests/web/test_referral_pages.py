"""Referral pages through the TestClient: refer from the household page (consent first, one referral
per submitted form), the facilitator's board, the agency's inbox without identifiers, the moves
each side may make, CSRF, stale pages, and who may see what."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household
from models.organizations import Organization, Program
from models.referrals import Consent, Referral, ReferralEvent, ReferralStatus
from seeds.demo import DEMO_CASES
from tests.conftest import DEMO_PASSWORDS, login_form

KJ, JAKTIM, DINSOS = "pendamping.kebonjayanti", "pendamping.jaktim", "dinsos.bandung"
PRSE_CASE = DEMO_CASES["kebon_jayanti_prse_woman"]
PENA_CASE = DEMO_CASES["kebon_jayanti_age35_culinary"]
DINSOS_PROGRAM = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"
DINSOS_ORG = "Dinas Sosial Kota Bandung"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def household(session: Session, pkh_id: str) -> Household:
    return session.exec(select(Household).where(Household.pkh_id == pkh_id)).one()


def program(session: Session, name: str) -> Program:
    return session.exec(select(Program).where(Program.name == name)).one()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def refer_form(html: str, program_id: int) -> dict[str, str]:
    """The hidden fields of the refer form of one match on the household page."""
    match = re.search(
        rf'<form method="post" action="/rujukan/baru">(?:(?!</form>).)*?name="program_id" value="{program_id}">'
        r'(?:(?!</form>).)*?name="key" value="([A-Za-z0-9_-]+)"(?:(?!</form>).)*</form>',
        html,
        re.S,
    )
    assert match, f"no refer form for programme {program_id}"
    form = match.group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    fields["_html"] = form
    return fields


def referrals_of(session: Session, household_id: int) -> list[Referral]:
    session.expire_all()
    return list(session.exec(select(Referral).where(Referral.household_id == household_id)).all())


def consents_of(session: Session, household_id: int) -> list[Consent]:
    return list(session.exec(select(Consent).where(Consent.household_id == household_id)).all())


def refer_prse_woman(client: TestClient, session: Session, *, share_phone: bool = False) -> int:
    """As the facilitator: tick consent and refer the PRSE woman to Dinas Sosial's programme."""
    sign_in(client, KJ)
    h = household(session, PRSE_CASE)
    pid = program(session, DINSOS_PROGRAM).id
    assert h.id is not None and pid is not None
    fields = refer_form(client.get(f"/kpm/{h.id}").text, pid)
    data = {k: v for k, v in fields.items() if not k.startswith("_")}
    data.update(consent="ya", note="Ibu siap ikut pendataan")
    if share_phone:
        data["share_phone"] = "ya"
    response = client.post("/rujukan/baru", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/rujukan/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def move(client: TestClient, rid: int, to: str, **fields: str) -> Any:
    """Send one action form of the referral page as it is rendered now (CSRF and version from the page)."""
    page = client.get(f"/rujukan/{rid}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    data = {"csrf": csrf_of(page), "to": to, "version": version.group(1) if version else "", **fields}
    return client.post(f"/rujukan/{rid}/aksi", data=data, follow_redirects=False)


def status_of(session: Session, rid: int) -> ReferralStatus:
    session.expire_all()
    referral = session.get(Referral, rid)
    assert referral is not None
    return referral.status


# --- referring from the household page ------------------------------------------------------------


def test_household_page_offers_a_refer_form_asking_for_consent(client: TestClient, session: Session) -> None:
    sign_in(client, KJ)
    h = household(session, PRSE_CASE)
    pid = program(session, DINSOS_PROGRAM).id
    assert pid is not None
    page = client.get(f"/kpm/{h.id}").text
    form = refer_form(page, pid)
    assert form["household_id"] == str(h.id) and form["csrf"] == csrf_of(page) and len(form["key"]) >= 24
    text = unescape(form["_html"])
    assert f"Keluarga setuju datanya dibagikan kepada {DINSOS_ORG} untuk rujukan ini" in text
    assert 'name="consent" value="ya" required' in form["_html"] and "…termasuk nomor HP" in text
    assert "Catatan untuk lembaga (opsional)" in text
    # Every rendering gets its own key; near misses get no form.
    assert refer_form(client.get(f"/kpm/{h.id}").text, pid)["key"] != form["key"]
    near = re.search(r'<section class="matches" id="ineligible".*?</section>', page, re.S)
    assert near and "/rujukan/baru" not in near.group(0)


def test_referring_without_ticking_consent_is_refused_with_the_message(client: TestClient, session: Session) -> None:
    sign_in(client, KJ)
    h = household(session, PRSE_CASE)
    assert h.id is not None
    form = refer_form(client.get(f"/kpm/{h.id}").text, program(session, DINSOS_PROGRAM).id or 0)
    data = {k: v for k, v in form.items() if not k.startswith("_")}
    response = client.post("/rujukan/baru", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert f"centang persetujuan keluarga agar datanya dibagikan kepada {DINSOS_ORG}" in unescape(response.text)
    assert f'href="/kpm/{h.id}"' in response.text
    assert referrals_of(session, h.id) == [] and consents_of(session, h.id) == []


def test_referring_with_consent_creates_one_referral_even_when_submitted_twice(
    client: TestClient, session: Session
) -> None:
    sign_in(client, KJ)
    h = household(session, PRSE_CASE)
    pid = program(session, DINSOS_PROGRAM).id
    assert h.id is not None and pid is not None
    form = refer_form(client.get(f"/kpm/{h.id}").text, pid)
    data = {k: v for k, v in form.items() if not k.startswith("_")} | {"consent": "ya", "share_phone": "ya"}
    first = client.post("/rujukan/baru", data=data, follow_redirects=False)
    again = client.post("/rujukan/baru", data=data, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    [referral] = referrals_of(session, h.id)
    assert first.headers["location"] == f"/rujukan/{referral.id}"
    assert referral.status is ReferralStatus.sent and referral.idempotency_key == form["key"]
    [consent] = consents_of(session, h.id)
    assert consent.share_phone and consent.withdrawn_at is None and referral.consent_id == consent.id

    page = client.get(f"/rujukan/{referral.id}")
    assert page.status_code == 200 and "Dikirim" in page.text and DINSOS_PROGRAM in page.text
    # The household page now says so and links it, instead of offering the form again.
    household_page = client.get(f"/kpm/{h.id}").text
    assert f'href="/rujukan/{referral.id}"' in household_page and "Sudah dirujuk (Dikirim)" in household_page
    assert f'name="program_id" value="{pid}"' not in household_page
    # A stale form (another key) is refused as a duplicate, pointing at the open referral.
    stale = client.post("/rujukan/baru", data=data | {"key": "f" * 32}, follow_redirects=False)
    assert stale.status_code == 409 and "already has an open referral" in stale.text
    assert f'href="/rujukan/{referral.id}"' in stale.text
    assert len(referrals_of(session, h.id)) == 1


def test_a_programme_the_family_does_not_qualify_for_is_refused_with_the_reason(
    client: TestClient, session: Session
) -> None:
    sign_in(client, KJ)
    h = household(session, PRSE_CASE)
    pena = program(session, "PENA Berdikari")
    page = client.get(f"/kpm/{h.id}").text
    data = {
        "csrf": csrf_of(page),
        "household_id": str(h.id),
        "program_id": str(pena.id),
        "key": "a" * 32,
        "consent": "ya",
    }
    response = client.post("/rujukan/baru", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert "Rujukan tidak dapat dikirim." in response.text and "does not qualify" in response.text
    assert h.id is not None and referrals_of(session, h.id) == [] and consents_of(session, h.id) == []
    # Another facilitator's family, a made-up family: not found, nothing recorded.
    other = household(session, DEMO_CASES["jaktim_business_8_months"])
    for hid in (str(other.id), "999999"):
        assert client.post("/rujukan/baru", data=data | {"household_id": hid}).status_code == 404
    assert other.id is not None and consents_of(session, other.id) == []


def test_refer_form_needs_the_csrf_token_and_a_facilitator(client: TestClient, session: Session) -> None:
    sign_in(client, KJ)
    h = household(session, PRSE_CASE)
    assert h.id is not None
    form = refer_form(client.get(f"/kpm/{h.id}").text, program(session, DINSOS_PROGRAM).id or 0)
    data = {k: v for k, v in form.items() if not k.startswith("_")} | {"consent": "ya"}
    for forged in ({**data, "csrf": "forged"}, {k: v for k, v in data.items() if k != "csrf"}, {**data, "csrf": "ü"}):
        refused = client.post("/rujukan/baru", data=forged, follow_redirects=False)
        assert refused.status_code == 403 and "Token formulir tidak valid" in refused.text
    assert referrals_of(session, h.id) == [] and consents_of(session, h.id) == []
    # Agency staff cannot refer, even with a valid token of their own.
    sign_in(client, DINSOS)
    token = csrf_of(client.get("/rujukan").text)
    assert client.post("/rujukan/baru", data={**data, "csrf": token}).status_code == 403
    assert referrals_of(session, h.id) == []
    # Signed out: to the sign-in page, back to the family afterwards.
    client.cookies.clear()
    out = client.post("/rujukan/baru", data=data, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == f"/login?next=%2Fkpm%2F{h.id}"


# --- the board and the inbox ----------------------------------------------------------------------


def board_column(html: str, name: str) -> str:
    match = re.search(rf'<section class="col col-{name}".*?</section>', html, re.S)
    assert match, name
    return match.group(0)


def test_board_and_inbox_list_the_referral(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    h = household(session, PRSE_CASE)
    board = client.get("/rujukan")
    assert board.status_code == 200 and "Rujukan saya" in board.text
    sent = board_column(board.text, "sent")
    assert "Dikirim" in sent and f'href="/rujukan/{rid}"' in sent and h.head_name in sent
    assert DINSOS_PROGRAM in sent and "diubah hari ini" in sent
    for name in ("accepted", "enrolled", "completed", "declined", "closed"):
        assert f'href="/rujukan/{rid}"' not in board_column(board.text, name)
    assert '<a href="/rujukan">Rujukan</a>' in board.text  # the navigation link

    sign_in(client, DINSOS)
    inbox = client.get("/rujukan")
    assert inbox.status_code == 200 and "Rujukan masuk" in inbox.text
    theirs = session.exec(
        select(Referral)
        .join(Program, col(Program.id) == Referral.program_id)
        .join(Organization, col(Organization.id) == Program.organization_id)
        .where(Organization.name == DINSOS_ORG)
    ).all()
    assert f"{len(theirs)} rujukan" in inbox.text and h.head_name in inbox.text
    listed = [int(i) for i in re.findall(r'<a href="/rujukan/(\d+)">', inbox.text)]
    newest_first = sorted(theirs, key=lambda r: (r.sent_at, r.id or 0), reverse=True)
    assert listed == [r.id for r in newest_first][:50] and listed[0] == rid
    assert client.get("/rujukan?status=sent").text.count(f'href="/rujukan/{rid}"') == 1
    assert f'href="/rujukan/{rid}"' not in client.get("/rujukan?status=accepted").text
    assert client.get("/rujukan?status=nonsense").status_code == 422
    assert client.get("/rujukan?hal=x").status_code == 422


def test_the_agency_sees_the_family_without_identifiers(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session, share_phone=True)
    h = household(session, PRSE_CASE)
    facilitator_view = client.get(f"/rujukan/{rid}").text
    assert h.pkh_id in facilitator_view and f'href="/kpm/{h.id}"' in facilitator_view
    sign_in(client, DINSOS)
    for path in ("/rujukan", f"/rujukan/{rid}", "/rujukan?status=sent"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert h.head_name in page.text
        assert h.nik_masked not in page.text and h.pkh_id not in page.text and "PKH-" not in page.text
        assert f"/kpm/{h.id}" not in page.text
        assert (h.address or "no address") not in page.text
        for coordinate in (h.latitude, h.longitude):
            if coordinate is not None:
                assert f"{coordinate:.4f}" not in page.text and f"{coordinate:.4f}".replace(".", ",") not in page.text
    detail = client.get(f"/rujukan/{rid}").text
    assert "Kebon Jayanti" in detail and "Ibu siap ikut pendataan" in detail
    assert h.phone and h.phone in detail  # the family agreed to share it
    assert "Kecocokan saat dirujuk" in detail and "Memenuhi syarat" in detail


def test_the_phone_stays_hidden_without_that_consent(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session, share_phone=False)
    h = household(session, PRSE_CASE)
    sign_in(client, DINSOS)
    detail = client.get(f"/rujukan/{rid}").text
    assert h.phone and h.phone not in detail and "tidak dibagikan" in detail


# --- moving a referral ----------------------------------------------------------------------------


def test_the_agency_accepts_enrols_and_completes_with_an_outcome(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    sign_in(client, DINSOS)
    page = client.get(f"/rujukan/{rid}").text
    assert "Terima rujukan" in page and "Tolak rujukan" in page and "Batalkan rujukan" not in page
    accepted = move(client, rid, "accepted", note="Wawancara Senin")
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/rujukan/{rid}"
    assert status_of(session, rid) is ReferralStatus.accepted
    page = client.get(f"/rujukan/{rid}").text
    assert "Daftarkan ke program" in page and "Terima rujukan" not in page
    assert move(client, rid, "enrolled").status_code == 303
    assert status_of(session, rid) is ReferralStatus.enrolled
    page = client.get(f"/rujukan/{rid}").text
    assert "Simpan hasil dan selesaikan" in page and "Keluar dari program" in page
    done = move(client, rid, "completed", benefit_amount="Rp 1.500.000", training_completed="ya", note="Modal usaha")
    assert done.status_code == 303
    session.expire_all()
    referral = session.get(Referral, rid)
    assert referral is not None and referral.status is ReferralStatus.completed
    assert referral.outcome == {
        "benefit_amount": 1_500_000,
        "training_completed": True,
        "certificate_obtained": False,
        "loan_granted": False,
        "note": "Modal usaha",
    }
    events = session.exec(select(ReferralEvent).where(ReferralEvent.referral_id == rid).order_by(col(ReferralEvent.id)))
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, ReferralStatus.sent),
        (ReferralStatus.sent, ReferralStatus.accepted),
        (ReferralStatus.accepted, ReferralStatus.enrolled),
        (ReferralStatus.enrolled, ReferralStatus.completed),
    ]
    page = client.get(f"/rujukan/{rid}").text
    assert "Tidak ada tindakan untuk Anda pada tahap ini." in page and "/aksi" not in page
    # The facilitator sees the outcome on the board and in the timeline.
    sign_in(client, KJ)
    completed = board_column(client.get("/rujukan").text, "completed")
    assert f'href="/rujukan/{rid}"' in completed and "Rp 1.500.000" in completed and "Pelatihan selesai" in completed
    timeline = re.search(r'<ol class="timeline">.*?</ol>', client.get(f"/rujukan/{rid}").text, re.S)
    assert timeline
    steps = re.findall(r"<strong>(\w+)</strong>", timeline.group(0))
    assert steps == ["Dikirim", "Diterima", "Terdaftar", "Selesai"]
    assert "Rp 1.500.000" in timeline.group(0) and "Wawancara Senin" in timeline.group(0)


def test_declining_needs_a_reason_and_completing_needs_an_outcome(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    sign_in(client, DINSOS)
    no_reason = move(client, rid, "declined")
    assert no_reason.status_code == 422 and "Pilih alasan penolakan." in no_reason.text
    assert '<details class="act" open><summary>Tolak rujukan' in no_reason.text
    assert status_of(session, rid) is ReferralStatus.sent
    assert move(client, rid, "accepted").status_code == 303
    assert move(client, rid, "enrolled").status_code == 303
    kept = move(client, rid, "completed", benefit_amount="satu juta", loan_granted="ya", note="Cair")
    assert 'value="satu juta"' in kept.text and 'name="loan_granted" value="ya" checked' in kept.text
    assert 'name="training_completed" value="ya">' in kept.text and ">Cair</textarea>" in kept.text
    for fields, message in (
        ({}, "Catat apa yang diterima keluarga"),
        ({"benefit_amount": "satu juta"}, "Tulis jumlah bantuan dalam rupiah"),
        ({"benefit_amount": "1500000,50"}, "Tulis jumlah bantuan dalam rupiah"),
        ({"benefit_amount": "99.999.999.999"}, "Tulis jumlah bantuan dalam rupiah"),
    ):
        refused = move(client, rid, "completed", **fields)
        assert refused.status_code == 422 and message in refused.text, fields
        assert status_of(session, rid) is ReferralStatus.enrolled
    dropped = move(client, rid, "dropped", note="Pindah domisili")
    assert dropped.status_code == 303
    assert status_of(session, rid) is ReferralStatus.dropped


def test_declining_with_a_reason_shows_on_both_sides(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    sign_in(client, DINSOS)
    assert move(client, rid, "declined", reason="no_capacity").status_code == 303
    sign_in(client, KJ)
    declined = board_column(client.get("/rujukan").text, "declined")
    assert f'href="/rujukan/{rid}"' in declined and "Kuota penuh" in declined
    # Closed, the programme can be referred to again from the household page.
    h = household(session, PRSE_CASE)
    refer_form(client.get(f"/kpm/{h.id}").text, program(session, DINSOS_PROGRAM).id or 0)


def test_moves_need_the_csrf_token(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    sign_in(client, DINSOS)
    page = client.get(f"/rujukan/{rid}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    for csrf in ("", "forged", "0" * 32):
        refused = client.post(
            f"/rujukan/{rid}/aksi", data={"csrf": csrf, "to": "accepted", "version": version.group(1)}
        )
        assert refused.status_code == 403 and "Token formulir tidak valid" in refused.text
    assert status_of(session, rid) is ReferralStatus.sent
    # A token from another session is no good either.
    sign_in(client, KJ)
    other = csrf_of(client.get("/rujukan").text)
    sign_in(client, DINSOS)
    refused = client.post(f"/rujukan/{rid}/aksi", data={"csrf": other, "to": "accepted"})
    assert refused.status_code == 403 and status_of(session, rid) is ReferralStatus.sent


def test_the_facilitator_sees_no_agency_action_and_may_withdraw_before_enrolment(
    client: TestClient, session: Session
) -> None:
    rid = refer_prse_woman(client, session)
    page = client.get(f"/rujukan/{rid}").text
    assert "Batalkan rujukan" in page
    for agency_action in ("Terima rujukan", "Tolak rujukan", "Daftarkan ke program", "Simpan hasil", "Keluar dari"):
        assert agency_action not in page
    assert 'value="accepted"' not in page and 'value="declined"' not in page
    refused = move(client, rid, "accepted")
    assert refused.status_code == 403 and "bukan untuk peran Anda" in refused.text
    assert status_of(session, rid) is ReferralStatus.sent
    withdrawn = move(client, rid, "withdrawn", note="Keluarga pindah")
    assert withdrawn.status_code == 303 and status_of(session, rid) is ReferralStatus.withdrawn
    closed = board_column(client.get("/rujukan").text, "closed")
    assert f'href="/rujukan/{rid}"' in closed and "Dibatalkan" in closed


def test_someone_else_acting_first_is_shown_on_the_page(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    sign_in(client, DINSOS)
    page = client.get(f"/rujukan/{rid}").text
    stale = {
        "csrf": csrf_of(page),
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
    }
    assert client.post(f"/rujukan/{rid}/aksi", data={**stale, "to": "accepted"}).status_code == 200  # followed
    # The same, now stale, page: declining is refused with the referral as it is now.
    late = client.post(
        f"/rujukan/{rid}/aksi", data={**stale, "to": "declined", "reason": "other"}, follow_redirects=False
    )
    assert late.status_code == 409
    assert "sudah diubah oleh orang lain" in late.text and "statusnya sekarang Diterima" in late.text
    assert status_of(session, rid) is ReferralStatus.accepted
    # Without the version (an older form), the service's own check answers 409 with its message.
    again = client.post(f"/rujukan/{rid}/aksi", data={"csrf": stale["csrf"], "to": "accepted"})
    assert again.status_code == 409 and "it cannot become accepted" in again.text
    assert "Rujukan ini baru saja diubah oleh orang lain" in again.text


def test_another_facilitator_and_other_roles_do_not_see_the_referral(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    h = household(session, PRSE_CASE)
    sign_in(client, JAKTIM)
    assert f'href="/rujukan/{rid}"' not in client.get("/rujukan").text
    hidden = client.get(f"/rujukan/{rid}")
    assert hidden.status_code == 404 and h.head_name not in hidden.text
    token = csrf_of(client.get("/rujukan").text)
    assert client.post(f"/rujukan/{rid}/aksi", data={"csrf": token, "to": "withdrawn"}).status_code == 404
    assert status_of(session, rid) is ReferralStatus.sent
    assert client.get("/rujukan/999999").status_code == 404 and client.get("/rujukan/satu").status_code == 404
    for username in ("forum.bandung", "admin"):
        sign_in(client, username)
        for path in ("/rujukan", f"/rujukan/{rid}"):
            refused = client.get(path)
            assert refused.status_code == 403, (username, path)
            assert "Halaman rujukan hanya untuk pendamping sosial dan staf lembaga" in refused.text
            assert h.head_name not in refused.text
        assert '<a href="/rujukan">' not in client.get("/").text
    client.cookies.clear()
    out = client.get(f"/rujukan/{rid}", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == f"/login?next=%2Frujukan%2F{rid}"


def test_an_agency_of_another_organisation_does_not_see_it(client: TestClient, session: Session) -> None:
    from models.protection import hash_password
    from models.users import Role, User

    rid = refer_prse_woman(client, session)
    kemensos = session.exec(
        select(Organization).where(Organization.name == "Kementerian Sosial Republik Indonesia")
    ).one()
    session.add(
        User(
            username="staf.pena",
            full_name="Petugas PENA (uji)",
            password_hash=hash_password("staf-pena-uji-2026"),
            role=Role.agency_staff,
            organization_id=kemensos.id,
        )
    )
    session.commit()
    client.cookies.clear()
    client.post("/login", data={"username": "staf.pena", "password": "staf-pena-uji-2026", **login_form(client)})
    assert f'href="/rujukan/{rid}"' not in client.get("/rujukan").text
    assert client.get(f"/rujukan/{rid}").status_code == 404


# --- language and weight --------------------------------------------------------------------------


def test_referral_pages_in_english_and_under_200_kb(client: TestClient, session: Session) -> None:
    rid = refer_prse_woman(client, session)
    h = household(session, PRSE_CASE)
    english = client.get(f"/rujukan/{rid}?lang=en").text
    assert "Withdraw the referral" in english and "History" in english and "Sent" in english
    board = client.get("/rujukan").text  # the language stays (cookie)
    assert "My referrals" in board and "changed today" in board
    sizes = {}
    for path in ("/rujukan", f"/rujukan/{rid}", f"/kpm/{h.id}", "/rujukan?status=sent"):
        for lang in ("id", "en"):
            response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response.status_code == 200, path
            sizes[path, lang] = len(response.content)
    sign_in(client, DINSOS)
    for path in ("/rujukan", f"/rujukan/{rid}"):
        sizes[path, "agency"] = len(client.get(path).content)
    assert max(sizes.values()) < 200_000, sizes


@pytest.mark.parametrize("raw", ["Rp 1.500.000", "1.500.000", "1,500,000", "1500000", " rp1500000 "])
def test_rupiah_amounts_are_read_as_written(raw: str) -> None:
    from service.web.referrals import _rupiah_amount

    assert _rupiah_amount(raw) == 1_500_000
