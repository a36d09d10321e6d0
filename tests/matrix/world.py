"""The world the role x route matrix runs in: the demo plus a few records every tenant needs, the
signed-in callers, how a request of the table is sent, and the checks of what a body may carry.

The demo has one account per role. Its tenants (the objects a role owns, and another tenant's)
are named here once (``OWN``, ``FOREIGN``) and the table refers to them by path parameter.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.forums import Commitment, Meeting, MeetingAttendance, MemberKind, WorkItem
from models.households import Business, Facilitator, Household, KpmGroup
from models.invitations import ForumInvitation
from models.jobs import Job, JobStatus, Upload, UploadPurpose
from models.network import Forum, Partnership, PartnershipKind, PartnershipStatus, PartyKind
from models.notifications import Notification
from models.organizations import (
    Location,
    Organization,
    OrganizationKind,
    Program,
    ProgramServiceArea,
    ProgramStatus,
)
from models.protection import mask_nik, nik_hash
from models.referrals import Consent, ConsentPurpose, Referral
from models.types import utcnow
from models.users import User
from seeds.demo import DEMO_CASES
from service.app import create_app
from service.db import make_engine
from service.deps import SESSION_COOKIE
from service.households.imports import KIND as IMPORT_KIND
from service.households.imports.sheets import report as report_sheet
from service.hsds.ids import service_uuid
from service.jobs.files import store_file
from service.settings import Settings
from service.web.kit import csrf_token
from tests.conftest import DEMO_PASSWORDS, Backend, settings_for
from tests.imports import helpers as caseload_files

Response = Any  # the test client's response (an httpx2 response)

ROLES = ("anonymous", "admin", "facilitator", "agency", "organiser")
USERNAMES = {
    "admin": "admin",
    "facilitator": "pendamping.kebonjayanti",
    "agency": "dinsos.bandung",
    "organiser": "forum.bandung",
}
KEBON_JAYANTI_FACILITATOR = "Nenden Sri Rahayu"
JAKTIM_FACILITATOR = "Dimas Aji Saputra"
DINSOS_BANDUNG = "Dinas Sosial Kota Bandung"
SUDINSOS_JAKTIM = "Suku Dinas Sosial Kota Administrasi Jakarta Timur"
FORUM_CSR = "Forum CSR Kota Bandung"
KEMENSOS = "Kementerian Sosial Republik Indonesia"
OWN_REGION = "32.73"  # Kota Bandung: every demo role's own ground
# NIKs the matrix gives its two families (the demo's are generated), for POST /households/lookup.
OWN_NIK = "3273164101850099"
FOREIGN_NIK = "3175034101850099"
FOREIGN_REGION = "31.75"  # Jakarta Timur: none of theirs

# --- what each role may see of the families ------------------------------------------------------

# Keys that must never carry a value (null, "" and [] carry nothing) anywhere in a JSON body the
# role reads. Household values (names, phones, PKH ids, NIKs, places) are checked by value below.
ALWAYS_FORBIDDEN = frozenset({"nik", "nik_hash", "password", "password_hash"})
NO_IDENTIFIERS = ALWAYS_FORBIDDEN | {
    "nik_masked",
    "nik_last4",
    "pkh_id",
    "household_id",
    "household_ids",
    "head_birth_date",
    "dtsen_decile",
}
FORBIDDEN_KEYS: dict[str, frozenset[str]] = {
    "anonymous": NO_IDENTIFIERS | {"head_name"},
    "admin": ALWAYS_FORBIDDEN,
    "facilitator": ALWAYS_FORBIDDEN,
    "agency": NO_IDENTIFIERS,  # the family's name, village and business, for referrals to its programmes
    "organiser": NO_IDENTIFIERS | {"head_name"},  # aggregates only
}


@dataclass(frozen=True)
class Family:
    id: int
    facilitator_id: int | None
    head_name: str
    phone_digits: str | None
    pkh_id: str
    lat: str | None
    lon: str | None


@dataclass
class Visibility:
    """The households whose name, phone, PKH id and place a role may see."""

    names: set[int]
    phones: set[int]
    pkh_ids: set[int]
    places: set[int]


@dataclass
class World:
    """Ids of named objects (``ids["household.own"]``) and the facts the body checks need."""

    ids: dict[str, Any]
    versions: dict[tuple[str, int], int]
    families: list[Family]
    nik_hashes: set[str]
    nik_key: str
    visibility: dict[str, Visibility]
    not_names: set[str]  # names of staff, organisations and programmes (never a family's only)
    names: dict[tuple[str, Any], str]  # (param, id) -> the object's name, for ``Row.hides``

    def own(self, role: str) -> dict[str, Any]:
        """The parameters naming the role's own tenant's objects (``OWN``)."""
        return {k: self._value(v, role) for k, v in OWN.items()}

    def foreign(self, role: str) -> dict[str, Any]:
        """The parameters naming another tenant's objects (``FOREIGN``)."""
        return {k: self._value(v, role) for k, v in FOREIGN.items()}

    def _value(self, value: str | dict[str, str], role: str) -> Any:
        name = value if isinstance(value, str) else value.get(role, value["*"])
        return self.ids.get(name, name)


# Path, query and body parameters: the object of the role's own tenant, and another tenant's.
# A value names an entry of ``World.ids`` (or is the literal value); a dict chooses per role.
OWN: dict[str, str | dict[str, str]] = {
    "household_id": "household.kj",  # in the Kebon Jayanti facilitator's caseload
    "business_id": "business.kj",
    "consent_id": "consent.kj",  # household.kj -> Dinas Sosial Kota Bandung, phone shared
    "referral_id": "referral.kj",  # household of Kebon Jayanti -> a Dinas Sosial Bandung programme, sent
    "program_id": "program.dinsos",  # Dinas Sosial Kota Bandung's published programme
    "organization_id": "organization.dinsos",
    "facilitator_id": "facilitator.kj",
    "forum_id": "forum.bandung",
    "group_id": "group.kj",  # a KPM group of the Kebon Jayanti facilitator
    "village_code": "village.kj",  # the village that group meets in
    "job_id": {"*": "job.facilitator", "agency": "job.agency", "organiser": "job.organiser"},
    "upload_id": "upload.kj",  # a caseload file the Kebon Jayanti facilitator uploaded (not yet imported)
    "meeting_id": "meeting.bandung",  # a meeting of the Bandung forum, Dinas Sosial and the KJ facilitator present
    "commitment_id": "commitment.bandung",  # Dinas Sosial Kota Bandung's commitment at that meeting
    "item_id": "workitem.bandung",  # an item of the Bandung forum's work plan
    # A proposal to the role's own side (party B), which it may see and confirm.
    "partnership_id": {
        "*": "partnership.to_agency",
        "facilitator": "partnership.to_facilitator",
        "organiser": "partnership.to_forum",
    },
    "party_b": "organization.empty_foreign",  # whom a new proposal goes to (no tenant's)
    "location_id": "location.dinsos",  # a service point of Dinas Sosial Kota Bandung
    "invitation_id": "invitation.kj",  # Bandung's forum invites Dinas Sosial Kota Bandung, not yet answered
    # each caller's own notification
    "notification_id": {
        "*": "notification.facilitator",
        "admin": "notification.admin",
        "agency": "notification.agency",
        "organiser": "notification.organiser",
    },
    "region": OWN_REGION,
    "code": OWN_REGION,
}
FOREIGN: dict[str, str | dict[str, str]] = {
    **OWN,
    "household_id": "household.jaktim",  # the Jakarta Timur facilitator's
    "business_id": "business.jaktim",
    "consent_id": "consent.jaktim",  # household.jaktim -> Suku Dinas Sosial Jakarta Timur
    "referral_id": "referral.jaktim",  # Jakarta Timur family -> Jakpreneur, sent
    # Another organisation's draft (nobody but its staff and admins sees it); for the Bandung
    # organiser, a published programme serving Jakarta Timur only.
    "program_id": {"*": "program.draft_other", "organiser": "program.jakarta"},
    "organization_id": "organization.jaktim",
    "facilitator_id": "facilitator.jaktim",
    "forum_id": "forum.jaktim",
    "group_id": "group.jaktim",  # a KPM group of the Jakarta Timur facilitator
    "village_code": "village.jaktim",
    "job_id": "job.jaktim",  # the Jakarta Timur facilitator's job
    "upload_id": "upload.jaktim",  # a caseload file the Jakarta Timur facilitator uploaded
    "meeting_id": "meeting.jaktim",  # the Jakarta Timur forum's
    "commitment_id": "commitment.jaktim",
    "item_id": "workitem.jaktim",
    "partnership_id": "partnership.jaktim",  # a proposal between two Jakarta Timur parties
    "location_id": "location.jaktim",  # a service point of Suku Dinas Sosial Jakarta Timur
    "invitation_id": "invitation.jaktim",  # Jakarta Timur's forum invites its Suku Dinas Sosial
    "notification_id": "notification.jaktim",  # the Jakarta Timur facilitator's notification
    "region": FOREIGN_REGION,
}


def _one(session: Session, statement: Any) -> Any:
    return session.exec(statement).one()


def augment(session: Session, nik_key: bytes, secret_key: str) -> None:
    """What the demo lacks for the matrix: consents, an organisation without programmes in each
    city, a programme nobody was referred to, a deletable family, each caller's failed job,
    known NIKs for the two families, and for each of the two facilitators an uploaded caseload
    file and a finished import with its report of refused rows."""
    dinsos = _one(session, select(Organization).where(Organization.name == DINSOS_BANDUNG))
    sudinsos = _one(session, select(Organization).where(Organization.name == SUDINSOS_JAKTIM))
    kemensos = _one(session, select(Organization).where(Organization.name == KEMENSOS))
    own = _one(session, select(Household).where(Household.pkh_id == DEMO_CASES["kebon_jayanti_age35_culinary"]))
    jaktim = _one(session, select(Household).where(Household.pkh_id == DEMO_CASES["jaktim_business_8_months"]))
    for family, nik in ((own, OWN_NIK), (jaktim, FOREIGN_NIK)):
        family.nik_hash, family.nik_masked = nik_hash(nik, key=nik_key), mask_nik(nik)
        session.add(family)
    session.add(
        Consent(household_id=own.id, organization_id=dinsos.id, purpose=ConsentPurpose.referral, share_phone=True)
    )
    session.add(Consent(household_id=own.id, organization_id=kemensos.id, purpose=ConsentPurpose.referral))
    session.add(Consent(household_id=jaktim.id, organization_id=sudinsos.id, purpose=ConsentPurpose.referral))
    for name, region in (("Lembaga Matriks Bandung", OWN_REGION), ("Lembaga Matriks Jakarta", FOREIGN_REGION)):
        session.add(Organization(name=name, kind=OrganizationKind.community_group, region_code=region))
    # An invitation of each city's forum to its Dinas Sosial, waiting for an answer (each is a member
    # already, as the demo has it: accepting keeps the membership as it is).
    forums = {f.region_code: f for f in session.exec(select(Forum)).all()}
    for forum_region, invited in ((OWN_REGION, dinsos), (FOREIGN_REGION, sudinsos)):
        session.add(ForumInvitation(forum_id=forums[forum_region].id, organization_id=invited.id))
    spare = Program(
        name="Program Matriks Tanpa Rujukan", kind="training", status=ProgramStatus.draft, organization_id=dinsos.id
    )
    session.add(spare)
    session.flush()
    session.add(ProgramServiceArea(program_id=spare.id, region_code=OWN_REGION))
    _proposals(session)
    users = {u.username: u for u in session.exec(select(User)).all()}
    for username in (*USERNAMES.values(), "pendamping.jaktim"):
        session.add(
            Job(
                kind="matrix.test",
                status=JobStatus.failed,
                error="failed for the matrix",
                owner_user_id=users[username].id,
                finished_at=utcnow() - timedelta(minutes=5),
            )
        )
    for username, refused in (("pendamping.kebonjayanti", own), ("pendamping.jaktim", jaktim)):
        _import_of(session, users[username].id, refused, secret_key)
    _forum_work(session, OWN_REGION, dinsos.id, own.facilitator_id)
    _forum_work(session, FOREIGN_REGION, sudinsos.id, jaktim.facilitator_id)
    for username in (*USERNAMES.values(), "pendamping.jaktim"):
        session.add(
            Notification(
                user_id=users[username].id,
                event="matrix.test",
                text_key="notice.referral.created",
                params={"program": "Program Matriks", "referral": 1},
                url="/rujukan",
            )
        )
    session.commit()


def _forum_work(session: Session, region: str, organization_id: Any, facilitator_id: Any) -> None:
    """The forum of ``region``: a work plan item, and a meeting the organisation and the facilitator
    (both members) attended where the organisation made a commitment."""
    forum = _one(session, select(Forum).where(Forum.region_code == region))
    session.add(WorkItem(forum_id=forum.id, title=f"Rencana Matriks {region}"))
    meeting = Meeting(forum_id=forum.id, held_on=utcnow().date(), place="Balai Matriks", minutes="Notulen matriks")
    session.add(meeting)
    session.flush()
    for kind, member in ((MemberKind.organization, organization_id), (MemberKind.facilitator, facilitator_id)):
        session.add(MeetingAttendance(meeting_id=meeting.id, member_kind=kind, member_id=member))
    session.add(
        Commitment(
            meeting_id=meeting.id,
            forum_id=forum.id,
            party_kind=MemberKind.organization,
            party_id=organization_id,
            text=f"Komitmen matriks {region}",
        )
    )
    session.flush()


# Partnerships each role's side is asked to confirm (party B), and one in Jakarta Timur.
PROPOSALS = {
    "partnership.to_facilitator": ("Lembaga Matriks Bandung", ("facilitator", KEBON_JAYANTI_FACILITATOR)),
    "partnership.to_agency": ("Lembaga Matriks Bandung", ("organization", DINSOS_BANDUNG)),
    "partnership.to_forum": ("Lembaga Matriks Bandung", ("forum", OWN_REGION)),
    "partnership.jaktim": ("Lembaga Matriks Jakarta", ("organization", SUDINSOS_JAKTIM)),
}


def _proposals(session: Session) -> None:
    orgs = {o.name: o.id for o in session.exec(select(Organization)).all()}
    facilitators = {f.name: f.id for f in session.exec(select(Facilitator)).all()}
    forums = {f.region_code: f.id for f in session.exec(select(Forum)).all()}
    found = {"organization": orgs, "facilitator": facilitators, "forum": forums}
    for key, (proposer, (kind, name)) in PROPOSALS.items():
        session.add(
            Partnership(
                party_a_kind=PartyKind.organization,
                party_a_id=orgs[proposer],
                party_b_kind=PartyKind(kind),
                party_b_id=found[kind][name],
                kind=PartnershipKind.informal,
                status=PartnershipStatus.proposed,
                proposed_by_kind=PartyKind.organization,
                proposed_by_id=orgs[proposer],
                note=key,
            )
        )
    session.flush()


def _import_of(session: Session, owner_user_id: int, refused: Household, secret_key: str) -> None:
    """A caseload file the user uploaded (sealed, as the import keeps it) and an import of theirs
    that ended with one refused row (the family ``refused``) in its report."""
    store_file(
        session,
        owner_user_id=owner_user_id,
        purpose=UploadPurpose.import_source,
        filename="kpm-matriks.csv",
        data=caseload_files.csv_bytes([caseload_files.family(1), caseload_files.family(2)]),
        secret_key=secret_key,
    )
    job = Job(
        kind=IMPORT_KIND,
        status=JobStatus.succeeded,
        owner_user_id=owner_user_id,
        params={"upload_id": "gone", "dry_run": False, "accept_partial": True, "lang": "id"},
        progress=1.0,
        finished_at=utcnow() - timedelta(minutes=4),
    )
    session.add(job)
    session.flush()
    header = ["ID PKH", "Nama Pengurus", "Tanggal Lahir"]
    data = report_sheet(header, [(3, [refused.pkh_id, refused.head_name, "31/02/1985"], "Tanggal Lahir: tidak ada")])
    sheet = store_file(
        session,
        owner_user_id=owner_user_id,
        purpose=UploadPurpose.import_report,
        filename="kpm-matriks-ditolak.xlsx",
        data=data,
        job_id=job.id,
    )
    job.result = {
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "refused": [{"line": 3, "column": "Tanggal Lahir", "reason": "tidak ada"}],
        "refused_rows": 1,
        "refused_listed": 1,
        "refused_total": 1,
        "stored": True,
        "dry_run": False,
        "households_created": 1,
        "businesses_created": 1,
        "groups_created": 0,
        "report_id": sheet.id,
    }
    session.add(job)


def build_world(session: Session, settings: Settings, client: TestClient) -> World:
    ids: dict[str, Any] = {}

    def org(name: str) -> int:
        return int(_one(session, select(Organization.id).where(Organization.name == name)))

    def household(case: str) -> Household:
        return _one(session, select(Household).where(Household.pkh_id == DEMO_CASES[case]))

    users = {u.username: u for u in session.exec(select(User)).all()}
    ids["organization.dinsos"] = org(DINSOS_BANDUNG)
    ids["organization.jaktim"] = org(SUDINSOS_JAKTIM)
    ids["organization.kemensos"] = org(KEMENSOS)
    ids["organization.empty_own"] = org("Lembaga Matriks Bandung")
    ids["organization.empty_foreign"] = org("Lembaga Matriks Jakarta")
    own, jaktim = household("kebon_jayanti_age35_culinary"), household("jaktim_business_8_months")
    ids["household.kj"], ids["household.jaktim"] = own.id, jaktim.id
    # A family without referrals or consents (deleting it is allowed): the KJ non-PRSE woman.
    ids["household.deletable"] = household("kebon_jayanti_non_prse_woman").id
    ids["business.kj"] = _one(session, select(sa.func.min(Business.id)).where(Business.household_id == own.id))
    ids["business.jaktim"] = _one(session, select(sa.func.min(Business.id)).where(Business.household_id == jaktim.id))
    consents = session.exec(select(Consent)).all()
    ids["consent.kj"] = next(c.id for c in consents if c.household_id == own.id and c.share_phone)
    ids["consent.jaktim"] = next(c.id for c in consents if c.household_id == jaktim.id)
    programs = {p.name: p for p in session.exec(select(Program)).all()}
    dinsos_programs = [p for p in programs.values() if p.organization_id == ids["organization.dinsos"]]
    ids["program.dinsos"] = next(p.id for p in dinsos_programs if p.status == ProgramStatus.active)
    ids["program.spare"] = programs["Program Matriks Tanpa Rujukan"].id
    ids["program.draft_other"] = next(
        p.id
        for p in programs.values()
        if p.status == ProgramStatus.draft and p.organization_id != ids["organization.dinsos"] and p.id
    )
    ids["program.jakarta"] = next(
        p.id for p in programs.values() if p.organization_id == ids["organization.jaktim"] and p.status == "active"
    )
    ids["program.pena"] = programs["PENA Berdikari"].id
    ids["hsds.draft_service"] = service_uuid(ids["program.draft_other"])
    referrals = session.exec(select(Referral).order_by(col(Referral.id))).all()
    facilitators = {f.name: f for f in session.exec(select(Facilitator)).all()}
    ids["facilitator.kj"] = facilitators[KEBON_JAYANTI_FACILITATOR].id
    ids["facilitator.jaktim"] = facilitators[JAKTIM_FACILITATOR].id
    ids["referral.kj"] = next(
        r.id
        for r in referrals
        if r.program_id == ids["program.dinsos"] and r.status == "sent" and r.facilitator_id == ids["facilitator.kj"]
    )
    jakarta_programs = {p.id for p in programs.values() if p.organization_id != ids["organization.dinsos"]}
    ids["referral.jaktim"] = next(
        r.id
        for r in referrals
        if r.status == "sent" and r.facilitator_id != ids["facilitator.kj"] and r.program_id in jakarta_programs
    )
    for name, facilitator in (("kj", ids["facilitator.kj"]), ("jaktim", ids["facilitator.jaktim"])):
        group = session.exec(
            select(KpmGroup).where(KpmGroup.facilitator_id == facilitator).order_by(col(KpmGroup.id).desc())
        ).first()
        assert group is not None
        ids[f"group.{name}"], ids[f"village.{name}"] = group.id, group.village_code
        # A family of that facilitator in that group (one to take out of it).
        ids[f"household.group_{name}"] = _one(
            session,
            select(sa.func.min(Household.id)).where(
                Household.group_id == group.id, Household.facilitator_id == facilitator
            ),
        )
    forums = {f.region_code: f for f in session.exec(select(Forum)).all()}
    ids["forum.bandung"], ids["forum.jaktim"] = forums[OWN_REGION].id, forums[FOREIGN_REGION].id
    for name, region in (("bandung", OWN_REGION), ("jaktim", FOREIGN_REGION)):
        forum_id = forums[region].id
        ids[f"meeting.{name}"] = _one(session, select(Meeting.id).where(Meeting.forum_id == forum_id))
        ids[f"commitment.{name}"] = _one(session, select(Commitment.id).where(Commitment.forum_id == forum_id))
        ids[f"workitem.{name}"] = _one(session, select(WorkItem.id).where(WorkItem.forum_id == forum_id))
    proposals = {t.note: t.id for t in session.exec(select(Partnership).where(col(Partnership.note).in_(PROPOSALS)))}
    ids |= proposals
    for name, organization in (("dinsos", "organization.dinsos"), ("jaktim", "organization.jaktim")):
        ids[f"location.{name}"] = _one(
            session, select(sa.func.min(Location.id)).where(Location.organization_id == ids[organization])
        )
    for name, forum in (("kj", "forum.bandung"), ("jaktim", "forum.jaktim")):
        invited = select(ForumInvitation.id).where(ForumInvitation.forum_id == ids[forum])
        ids[f"invitation.{name}"] = _one(session, invited)
    jobs = {j.owner_user_id: j.id for j in session.exec(select(Job).where(Job.kind == "matrix.test")).all()}
    for role, username in USERNAMES.items():
        ids[f"job.{role}"] = jobs[users[username].id]
    ids["job.jaktim"] = jobs[users["pendamping.jaktim"].id]
    ids["user.organiser"] = users["forum.bandung"].id  # an account the administrators' pages act on
    notices = {n.user_id: n.id for n in session.exec(select(Notification).where(Notification.event == "matrix.test"))}
    for role, username in USERNAMES.items():
        ids[f"notification.{role}"] = notices[users[username].id]
    ids["notification.jaktim"] = notices[users["pendamping.jaktim"].id]
    for name, username in (("kj", "pendamping.kebonjayanti"), ("jaktim", "pendamping.jaktim")):
        owner = users[username].id
        ids[f"import.{name}"] = _one(session, select(Job.id).where(Job.kind == IMPORT_KIND, Job.owner_user_id == owner))
        ids[f"upload.{name}"] = _one(
            session,
            select(Upload.id).where(Upload.purpose == UploadPurpose.import_source, Upload.owner_user_id == owner),
        )
    for key, path in (
        ("hsds.organization", "/hsds/organizations"),
        ("hsds.service", "/hsds/services"),
        ("hsds.sal", "/hsds/service_at_locations"),
        ("hsds.taxonomy", "/hsds/taxonomies"),
        ("hsds.term", "/hsds/taxonomy_terms"),
    ):
        listed = client.get(path)
        assert listed.status_code == 200, (path, listed.text)
        ids[key] = listed.json()["contents"][0]["id"]

    versions: dict[tuple[str, int], int] = {}
    for model, name in (
        (Household, "household"),
        (Business, "business"),
        (Program, "program"),
        (Organization, "organization"),
        (Facilitator, "facilitator"),
        (Referral, "referral"),
        (KpmGroup, "group"),
        (Forum, "forum"),
        (WorkItem, "workitem"),
        (Location, "location"),
    ):
        for row_id, version in session.exec(select(model.id, model.version)).all():  # type: ignore[attr-defined]
            versions[(name, row_id)] = version

    families = [
        Family(
            id=h.id,
            facilitator_id=h.facilitator_id,
            head_name=h.head_name,
            phone_digits=re.sub(r"\D", "", h.phone) if h.phone else None,
            pkh_id=h.pkh_id,
            lat=repr(h.latitude) if h.latitude is not None else None,
            lon=repr(h.longitude) if h.longitude is not None else None,
        )
        for h in session.exec(select(Household)).all()
        if h.id is not None
    ]
    everyone = {f.id for f in families}
    caseload = {f.id for f in families if f.facilitator_id == ids["facilitator.kj"]}
    dinsos_programs_ids = {p.id for p in programs.values() if p.organization_id == ids["organization.dinsos"]}
    referred = {r.household_id for r in referrals if r.program_id in dinsos_programs_ids}
    shared_phone = {
        c.household_id
        for c in consents
        if c.organization_id == ids["organization.dinsos"] and c.share_phone and c.withdrawn_at is None
    }
    visibility = {
        "anonymous": Visibility(set(), set(), set(), set()),
        "admin": Visibility(everyone, everyone, everyone, everyone),
        "facilitator": Visibility(caseload, caseload, caseload, caseload),
        "agency": Visibility(referred, referred & shared_phone, set(), set()),
        "organiser": Visibility(set(), set(), set(), set()),
    }
    not_names = {u.full_name for u in users.values() if u.full_name}
    not_names |= set(facilitators) | set(programs)
    not_names |= {o.name for o in session.exec(select(Organization)).all()}
    names: dict[tuple[str, Any], str] = {}
    names |= {("organization_id", o.id): o.name for o in session.exec(select(Organization)).all()}
    names |= {("program_id", p.id): p.name for p in programs.values()}
    names |= {("forum_id", f.id): f.name for f in forums.values()}
    return World(
        names=names,
        ids=ids,
        versions=versions,
        families=families,
        nik_hashes=set(session.exec(select(Household.nik_hash)).all()),
        nik_key=settings.nik_hash_key,
        visibility=visibility,
        not_names=not_names,
    )


# --- the databases ----------------------------------------------------------------------------


def matrix_backend(backend: Backend, template_url: str, workdir: Path) -> Backend:
    """A template of its own: the demo template copied once, with ``augment`` applied."""
    assert template_url
    url = backend.clone()
    settings = settings_for(url)
    engine = make_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        augment(session, settings.nik_hash_key, settings.secret_key)
    engine.dispose()
    matrix = dataclasses.replace(backend, workdir=workdir, template="")
    matrix.freeze_template(url)
    return matrix


def matrix_settings(url: str, jobs_dir: Path) -> Settings:
    return settings_for(url).model_copy(
        update={"jobs_url": f"sqlite:///{jobs_dir / 'jobs.db'}", "jobs_queue": f"matrix_{jobs_dir.name}"}
    )


@dataclass
class Served:
    """One database copy served by one app, with a signed-in session per role."""

    app: FastAPI
    client: TestClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: str) -> str | None:
        if role == "anonymous":
            return None
        if role not in self.tokens:
            username = USERNAMES[role]
            response = self.client.post(
                "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORDS[username]}
            )
            assert response.status_code == 200, response.text
            self.client.cookies.clear()
            self.tokens[role] = response.json()["access_token"]
        return self.tokens[role]

    def send(
        self,
        role: str,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        form: list[tuple[str, str]] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Response:
        """The request as the role's browser or API client sends it: the bearer token and the
        session cookie (and, on a form, the session's CSRF token unless the form carries its own,
        as the sign-in form does with ``cookies`` holding its seed). With ``files`` the form is
        sent as multipart/form-data, the files ((name, bytes, content type) by field) after its fields."""
        token = self.token(role)
        headers: dict[str, str] = {}
        jar = dict(cookies or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
            jar[SESSION_COOKIE] = token
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        self.client.cookies.clear()  # nothing carried over from an earlier answer (sign-in, language)
        kwargs: dict[str, Any] = {"params": params, "headers": headers, "follow_redirects": False}
        if form is not None:
            own_token = any(name == "csrf" for name, _ in form)
            fields = form if own_token else [*form, ("csrf", csrf_token(token, self.settings) if token else "")]
            if files is not None:
                kwargs["data"], kwargs["files"] = dict(fields), files
            else:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                kwargs["content"] = urlencode(fields)
        elif json_body is not None:
            kwargs["json"] = json_body
        response = self.client.request(method, url, **kwargs)
        self.client.cookies.clear()
        return response


@contextmanager
def serve(url: str, jobs_dir: Path) -> Iterator[Served]:
    settings = matrix_settings(url, jobs_dir)
    app = create_app(settings)
    with TestClient(app) as client:
        yield Served(app, client, settings)
    app.state.engine.dispose()


# --- what a body may carry --------------------------------------------------------------------

_NIK_RUN = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
_PHONE_RUN = re.compile(r"(?<![0-9])(?:\+62|0)[0-9][0-9\- ]{7,16}[0-9](?![0-9])")
_PKH_ID = re.compile(r"PKH-[0-9]{10}-[0-9]{4}")
_DECIMAL = re.compile(r"-?[0-9]{1,3}\.[0-9]+")
_CAPITALISED_RUN = re.compile(r"[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+")


def body_text(response: Response) -> str:
    """The body as text; a spreadsheet's sheets as their XML."""
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind or response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return response.text


def forbidden_keys_found(body: Any, keys: frozenset[str], path: str = "$") -> list[str]:
    """JSON paths of ``keys`` that carry a value (null, "", [] and {} carry nothing)."""
    found: list[str] = []
    if isinstance(body, dict):
        for k, v in body.items():
            here = f"{path}.{k}"
            if k in keys and v not in (None, "", [], {}):
                found.append(here)
            found += forbidden_keys_found(v, keys, here)
    elif isinstance(body, list):
        for i, v in enumerate(body):
            found += forbidden_keys_found(v, keys, f"{path}[{i}]")
    return found


def leaks(world: World, role: str, response: Response, *, keys: bool = True) -> list[str]:
    """What the body carries that ``role`` may not see: forbidden JSON keys, any NIK, and the
    names, phones, PKH ids and places of families outside the role's visibility."""
    out: list[str] = []
    text = body_text(response)
    if keys and "json" in response.headers.get("content-type", ""):
        with suppress(ValueError):
            out += [f"key {p}" for p in forbidden_keys_found(json.loads(text), FORBIDDEN_KEYS[role])]
    for run in set(_NIK_RUN.findall(text)):
        if nik_hash(run, key=world.nik_key) in world.nik_hashes:
            out.append(f"a family's NIK {run[:4]}…")
    seen = world.visibility[role]
    phones = {re.sub(r"\D", "", p) for p in _PHONE_RUN.findall(text)}
    pkh_ids = set(_PKH_ID.findall(text))
    decimals = set(_DECIMAL.findall(text))
    runs = [m.split() for m in _CAPITALISED_RUN.findall(text)]
    spans = {" ".join(r[i:j]) for r in runs for i in range(len(r)) for j in range(i + 2, len(r) + 1)}
    allowed_names = {f.head_name for f in world.families if f.id in seen.names} | world.not_names
    for f in world.families:
        if f.id not in seen.phones and f.phone_digits and f.phone_digits in phones:
            out.append(f"phone of household {f.id}")
        if f.id not in seen.pkh_ids and f.pkh_id in pkh_ids:
            out.append(f"PKH id of household {f.id}")
        if f.id not in seen.places and f.lat and f.lat in decimals and f.lon in decimals:
            out.append(f"place of household {f.id}")
        if f.id not in seen.names and f.head_name in spans and f.head_name not in allowed_names:
            out.append(f"name of household {f.id} ({f.head_name})")
    return out


# --- a fingerprint of everything a write could change ---------------------------------------

FINGERPRINT_TABLES = (
    "household",
    "business",
    "businesscheckin",
    "consent",
    "referral",
    "referralevent",
    "program",
    "programservicearea",
    "programlocation",
    "organization",
    "location",
    "facilitator",
    "facilitatorvillage",
    "kpmgroup",
    "job",
    "upload",
    "datasubjectrequest",
    "forum_invitation",
    "forummember",
)


def fingerprint(app: FastAPI) -> dict[str, Any]:
    """Row counts, version sums and the few columns a write changes without a version."""
    out: dict[str, Any] = {}
    with app.state.engine.connect() as conn:
        for table in FINGERPRINT_TABLES:
            columns = {c["name"] for c in sa.inspect(conn).get_columns(table)}
            parts = ["count(*)"]
            if "version" in columns:
                parts.append("sum(version)")
            out[table] = tuple(conn.execute(sa.text(f"SELECT {', '.join(parts)} FROM {table}")).one())
        out["consent.withdrawn"] = conn.execute(sa.text("SELECT count(withdrawn_at) FROM consent")).scalar()
        out["organization.verified"] = conn.execute(sa.text("SELECT count(verified_at) FROM organization")).scalar()
        out["job.status"] = tuple(conn.execute(sa.text("SELECT status, count(*) FROM job GROUP BY status ORDER BY 1")))
        out["program.capacity"] = conn.execute(sa.text("SELECT sum(capacity_remaining) FROM program")).scalar()
        out["household.restricted"] = conn.execute(sa.text("SELECT count(restricted_at) FROM household")).scalar()
        out["area.approved"] = conn.execute(sa.text("SELECT count(approved_at) FROM programservicearea")).scalar()
        out["location.closed"] = conn.execute(sa.text("SELECT count(closed_on) FROM location")).scalar()
        out["invitation.status"] = tuple(
            conn.execute(sa.text("SELECT status, count(*) FROM forum_invitation GROUP BY status ORDER BY 1"))
        )
    return out
