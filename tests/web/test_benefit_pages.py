"""The benefit record on the pages: the family page lists it and takes a benefit received outside
Jejaring, the facilitator confirms a certificate there (the business and the matches follow), the
refer form, the referral page and the plan show the double-funding warning, the receiving
organisation's page without amounts or givers."""

from __future__ import annotations

from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.benefits import Benefit
from models.households import Business, Household
from models.organizations import Program
from models.referrals import Consent, Referral, ReferralStatus
from tests.web.test_referral_pages import csrf_of, sign_in

KJ, JAKTIM = "pendamping.kebonjayanti", "pendamping.jaktim"
LOAN = "Jakpreneur: Pinjaman Modal Usaha"
KEMENSOS = "Kementerian Sosial Republik Indonesia"


def funded_family(session: Session, prefix: str) -> Household:
    """The demo family of the area whose PENA capital grant came 30 days ago."""
    pena = session.exec(select(Program).where(Program.name == "PENA Berdikari")).one()
    rows = session.exec(
        select(Household, Benefit)
        .join(Benefit, col(Benefit.household_id) == col(Household.id))
        .where(Benefit.program_id == pena.id, col(Household.village_code).startswith(prefix))
    ).all()
    return next(h for h, b in rows if (date.today() - b.received_on).days == 30)


def text(html: str) -> str:
    return unescape(html)


def test_the_family_page_lists_the_record_and_warns_on_the_refer_form(client: TestClient, session: Session) -> None:
    family = funded_family(session, "31.75")
    loan = session.exec(select(Program).where(Program.name == LOAN)).one()
    sign_in(client, JAKTIM)
    page = client.get(f"/kpm/{family.id}")
    assert page.status_code == 200
    html = text(page.text)
    record = html[html.index('id="bantuan"') :]
    assert "Riwayat bantuan" in record and "PENA Berdikari" in record and "Rp 2.400.000" in record
    match = html[html.index(f'id="program-{loan.id}"') :]
    match = match[: match.index("</article>")]
    assert "Sudah didanai untuk kebutuhan ini (modal)" in match and KEMENSOS in match


def test_a_benefit_received_outside_jejaring_is_recorded_from_the_family_page(
    client: TestClient, session: Session
) -> None:
    family = funded_family(session, "32.73.16.1002")
    sign_in(client, KJ)
    csrf = csrf_of(client.get(f"/kpm/{family.id}").text)
    form = {"csrf": csrf, "kind": "equipment", "provider": "Forum CSR (sebelum Jejaring)", "amount": "Rp 1.250.000",
            "received_on": "2026-02-03", "note": "Etalase"}  # fmt: skip
    refused = client.post(f"/kpm/{family.id}/bantuan", data={**form, "received_on": "2999-01-01"})
    assert refused.status_code == 422 and "tidak boleh di masa depan" in text(refused.text)
    assert 'value="Forum CSR (sebelum Jejaring)"' in text(refused.text)  # what was typed comes back
    saved = client.post(f"/kpm/{family.id}/bantuan", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/kpm/{family.id}?ok=benefit#bantuan"
    html = text(client.get(saved.headers["location"]).text)
    assert "Bantuan dicatat" in html and "Forum CSR (sebelum Jejaring)" in html and "Rp 1.250.000" in html
    stored = session.exec(select(Benefit).where(Benefit.provider == "Forum CSR (sebelum Jejaring)")).one()
    assert (stored.kind, stored.need, stored.amount, stored.source) == ("equipment", "equipment", 1_250_000, "manual")
    sign_in(client, JAKTIM)
    assert client.post(f"/kpm/{family.id}/bantuan", data={**form, "csrf": csrf}).status_code in (403, 404)


def test_the_facilitator_confirms_the_demos_halal_certificate_and_the_business_has_it(
    client: TestClient, session: Session
) -> None:
    halal = session.exec(select(Program).where(Program.name.startswith("Jakpreneur: Fasilitasi Label"))).one()  # type: ignore[attr-defined]
    benefit = session.exec(select(Benefit).where(Benefit.program_id == halal.id)).one()
    assert benefit.certificates == ["halal"] and benefit.confirmed_at is None
    sign_in(client, JAKTIM)
    page = text(client.get(f"/kpm/{benefit.household_id}").text)
    action = f'action="/kpm/{benefit.household_id}/bantuan/{benefit.id}/konfirmasi"'
    assert action in page and "Konfirmasi sertifikat sudah diterima" in page
    done = client.post(
        f"/kpm/{benefit.household_id}/bantuan/{benefit.id}/konfirmasi", data={"csrf": csrf_of(page)},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303, done.text
    after = text(client.get(done.headers["location"]).text)
    assert "Sertifikat dikonfirmasi" in after and action not in after
    assert "halal Ya" in after or "halal ya" in after.lower()
    business = session.exec(select(Business).where(Business.household_id == benefit.household_id)).first()
    assert business is not None
    session.refresh(business)
    assert business.has_halal is True
    again = client.post(f"/kpm/{benefit.household_id}/bantuan/{benefit.id}/konfirmasi", data={"csrf": csrf_of(after)})
    assert again.status_code == 409 and "sudah dikonfirmasi" in text(again.text)


def test_the_referral_page_warns_the_facilitator_in_full_and_the_agency_without_amounts(
    client: TestClient, session: Session
) -> None:
    family = funded_family(session, "32.73.16.1002")
    prse = session.exec(
        select(Program).where(Program.name == "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat")
    ).one()
    consent = Consent(household_id=family.id, organization_id=prse.organization_id)
    session.add(consent)
    session.flush()
    referral = Referral(household_id=family.id, program_id=prse.id, facilitator_id=family.facilitator_id,
                        status=ReferralStatus.sent, consent_id=consent.id)  # fmt: skip
    session.add(referral)
    session.commit()
    sign_in(client, KJ)
    mine = text(client.get(f"/rujukan/{referral.id}").text)
    assert "Sudah didanai untuk kebutuhan ini (modal)" in mine and "Rp 2.400.000" in mine and KEMENSOS in mine
    sign_in(client, "dinsos.bandung")
    theirs = text(client.get(f"/rujukan/{referral.id}").text)
    assert "Sudah didanai untuk kebutuhan ini (modal)" in theirs
    assert "2.400.000" not in theirs and KEMENSOS not in theirs and "PENA" not in theirs
    inbox = text(client.get("/rujukan").text)
    card = inbox[inbox.index(f'href="/rujukan/{referral.id}"') :]
    assert "Sudah didanai" in card[: card.index("</li>")]


def test_the_plan_page_marks_the_funded_family(client: TestClient, session: Session) -> None:
    family = funded_family(session, "31.75")
    loan = session.exec(select(Program).where(Program.name == LOAN)).one()
    sign_in(client, JAKTIM)
    html = text(client.get(f"/jejaring?program={loan.id}").text)
    row = html[html.index(f'data-household="{family.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Sudah didanai untuk kebutuhan ini (modal)" in row
