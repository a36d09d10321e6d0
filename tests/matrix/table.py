"""The role x route table: every mounted route, what each role gets on its own tenant's objects and
on another tenant's.

How to add a route (a new router or page): add one ``Row`` below, in the block of its router.

    Row("POST", "/api/v1/auth/logout", by_role(anonymous=401, admin=204, facilitator=204, agency=204, organiser=204),
        fresh=True),

* ``method`` and ``path``: exactly as FastAPI mounts them (``{param}`` names as in the route).
* ``expect``: ``by_role(...)`` names all five roles (anonymous, admin, facilitator, agency,
  organiser) with the status each gets on objects of its own tenant (``OWN`` in ``world.py``:
  the Kebon Jayanti family, Dinas Sosial Kota Bandung and its programme, Kota Bandung ...).
* Path, query, JSON body and form values written ``"{name}"`` are filled from ``OWN`` (and, for the
  cross-tenant run, ``FOREIGN``). ``"{version:household:household_id}"`` is that record's current
  version. ``ids={"organization_id": "organization.empty_own"}`` names another object of
  ``World.ids`` for a parameter (``foreign_ids`` the same for the cross-tenant run).
* Any tenant parameter used (household_id, business_id, consent_id, benefit_id, referral_id, program_id,
  organization_id, facilitator_id, forum_id, job_id, region) makes the row also run with
  another tenant's objects. By default a role that succeeds on its own objects must get 404 on
  another tenant's (admins: the same as on their own; roles refused anyway: the same refusal);
  ``cross={role: status}`` states anything else. ``nested=("program_id",)`` also runs with only
  that parameter foreign (a programme of another organisation inside a referral's body;
  ``"group_id+village_code"`` swaps both); whoever succeeds on its own must then get 404
  (``nested_cross={"program_id": {role: status}}`` overrides).
* ``body`` may be ``PerRole({...})`` when each role sends its own (a referral move); ``form`` is a
  list of form fields (the CSRF token is added) or a function ``(served, params, role) -> fields``;
  ``files={"file": (name, bytes, content type)}`` sends the form as multipart/form-data with them.
* Writes (any method but GET and HEAD, unless ``writes=False``) that should succeed run on a fresh
  copy of the database; refused writes (and an anonymous visitor's, sent to sign in) run on the
  shared copy and must leave it unchanged. Administrators' writes run on their own objects only
  (they have no tenant); their reads also on another tenant's.
* Current behaviour that is wrong stays asserted with a ``# LEAK: ...`` comment until it is fixed
  (never an xfail); the fix flips the number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from service.web.kit import LOGIN_COOKIE, csrf_token
from tests.imports.helpers import csv_bytes, family
from tests.matrix.world import FOREIGN_NIK, OWN_NIK, OWN_REGION, ROLES

SUCCESS = range(200, 400)
CHECKIN_DAY = (
    (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
)  # past in every time zone, after the demo business started


def by_role(*, anonymous: int, admin: int, facilitator: int, agency: int, organiser: int) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "admin": admin,
        "facilitator": facilitator,
        "agency": agency,
        "organiser": organiser,
    }


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, **others: int) -> dict[str, int]:
    """401 for anonymous API callers, ``status`` for every signed-in role unless named."""
    return {"anonymous": 401, **dict.fromkeys(ROLES[1:], status), **others}


def admins_only(status: int, refused: int = 403) -> dict[str, int]:
    return by_role(anonymous=401, admin=status, facilitator=refused, agency=refused, organiser=refused)


def page(status: int = 200, **others: int) -> dict[str, int]:
    """Pages: anonymous visitors are sent to sign in (303), others as named."""
    return {"anonymous": 303, **dict.fromkeys(ROLES[1:], status), **others}


@dataclass(frozen=True)
class PerRole:
    """A body that differs by role (``"*"``: everyone else)."""

    bodies: dict[str, Any]

    def for_role(self, role: str) -> Any:
        return self.bodies.get(role, self.bodies.get("*"))


Form = list[tuple[str, str]] | Callable[..., list[tuple[str, str]]]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expect: dict[str, int]
    cross: dict[str, int] = field(default_factory=dict)
    nested: tuple[str, ...] = ()
    nested_cross: dict[str, dict[str, int]] = field(default_factory=dict)  # nested param -> {role: status}
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    form: Form | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None  # the form goes as multipart/form-data with these
    ids: dict[str, str] = field(default_factory=dict)
    foreign_ids: dict[str, str] = field(default_factory=dict)
    writes: bool | None = None
    fresh: bool = False  # always on a fresh copy (sign-out revokes the session it is called with)
    cookies: dict[str, str] = field(default_factory=dict)  # sent with the request (the sign-in form's seed)
    hides: tuple[str, ...] = ()  # params whose foreign object's name a 2xx cross-tenant answer must not show
    schema: bool = False  # the body describes fields (OpenAPI), it holds no record: keys not checked
    label: str = ""
    why: str = ""

    def __post_init__(self) -> None:
        assert set(self.expect) == set(ROLES), (self.method, self.path, sorted(self.expect))

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def is_write(self) -> bool:
        return self.writes if self.writes is not None else self.method not in ("GET", "HEAD")

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.label}]" if self.label else "")


# Routes not in the table, each with the reason; the coverage test accepts nothing else.
EXCLUDED: dict[tuple[str, str], str] = {
    ("MOUNT", "/static"): "static files (CSS, JS, Leaflet): the same bytes for everyone, no data",
}


# --- the forms the pages post -------------------------------------------------------------------


def program_form(action: str, *, new: bool) -> Callable[..., list[tuple[str, str]]]:
    """The programme form as an administrator's browser reads it (so the post is valid), with ``action``."""

    def build(served: Any, params: dict[str, Any], role: str) -> list[tuple[str, str]]:
        from tests.web.test_agency_pages import read_form

        url = (
            f"/lembaga/program/baru?org={params['organization_id']}"
            if new
            else f"/lembaga/program/{params['program_id']}"
        )
        shown = served.send("admin", "GET", url)
        if shown.status_code != 200:  # another tenant's programme: post the own one's fields
            shown = served.send("admin", "GET", f"/lembaga/program/{params['own_program_id']}")
        assert shown.status_code == 200, shown.text
        fields = [(n, v) for n, v in read_form(shown.text) if n not in ("csrf", "action")]
        if new:
            fields = [(n, v) for n, v in fields if n not in ("name", "service_area", "org")]
            fields += [
                ("name", f"Program Matriks {role}"),
                ("service_area", "32.73"),
                ("org", str(params["organization_id"])),
            ]
        else:
            fields = [(n, v) for n, v in fields if n != "description"] + [("description", f"diubah oleh {role}")]
        return [*fields, ("action", action)]

    return build


def profile_form(served: Any, params: dict[str, Any], role: str) -> list[tuple[str, str]]:
    """The profile form as the role's browser reads it (an administrator's for roles without one),
    with a new description."""
    from tests.web.test_agency_profile_pages import read_form

    shown = served.send(role, "GET", f"/lembaga/profil?org={params['organization_id']}")
    if shown.status_code != 200:
        shown = served.send("admin", "GET", f"/lembaga/profil?org={params['organization_id']}")
    assert shown.status_code == 200, shown.text
    fields = [(n, v) for n, v in read_form(shown.text, "profile-form") if n not in ("csrf", "description")]
    return [*fields, ("description", f"diubah oleh {role}")]


LOGIN_SEED = "matrix-sign-in-form-seed-0000000"  # the sign-in form's cookie, as GET /login sets it


def login_form(served: Any, params: dict[str, Any], role: str) -> list[tuple[str, str]]:
    """The sign-in form with the token GET /login gave this browser (its seed in ``LOGIN_COOKIE``)."""
    return [
        ("username", "pendamping.kebonjayanti"),
        ("password", "pendamping-demo-2026"),
        ("csrf", csrf_token("login:" + LOGIN_SEED, served.settings)),
    ]


def own_password_form(served: Any, params: dict[str, Any], role: str) -> list[tuple[str, str]]:
    """The own-password form: the role's demo password as the current one, and a new one."""
    from tests.conftest import DEMO_PASSWORDS
    from tests.matrix.world import USERNAMES

    current = DEMO_PASSWORDS[USERNAMES[role]] if role in USERNAMES else "tidak-masuk"
    return [("current", current), ("new", "matriks-sandi-2026"), ("confirm", "matriks-sandi-2026")]


# A caseload file of two new families in the Kebon Jayanti facilitator's village.
CASELOAD_FILE = ("kpm.csv", csv_bytes([family(1), family(2)]), "text/csv")

# --- the table ------------------------------------------------------------------------------------

PROPOSE = {"party_b_kind": "organization", "party_b_id": "{party_b}", "kind": "informal", "note": "matriks"}
TENANT_REFERRAL_MOVE = PerRole({"agency": {"status": "accepted"}, "*": {"status": "withdrawn"}})

TABLE: list[Row] = [
    # --- framework and system ---------------------------------------------------------------------
    Row("GET", "/openapi.json", everyone(200), schema=True),
    Row("GET", "/docs", everyone(200)),
    Row("GET", "/docs/oauth2-redirect", everyone(200)),
    Row("GET", "/redoc", everyone(200)),
    Row("GET", "/healthz", everyone(200)),
    Row(
        "POST",
        "/api/v1/auth/token",
        everyone(200),
        form=[("username", "pendamping.kebonjayanti"), ("password", "pendamping-demo-2026")],
        writes=False,
        why="sign-in is open to all; the credentials decide",
    ),
    # Sign-out revokes the session it is called with (so on a fresh copy).
    Row(
        "POST",
        "/api/v1/auth/logout",
        by_role(anonymous=401, admin=204, facilitator=204, agency=204, organiser=204),
        fresh=True,
    ),
    Row("GET", "/api/v1/me", signed_in(200)),
    # Reference data: every region for every signed-in role.
    Row("GET", "/api/v1/regions", signed_in(200), query={"parent": "{region}"}, cross=signed_in(200)),
    Row("GET", "/api/v1/regions/{code}", signed_in(200)),
    # --- HSDS: the public catalogue (published programmes of every organisation) ------------------
    Row("GET", "/hsds/", everyone(200)),
    Row("GET", "/hsds/profile", everyone(200)),
    Row("GET", "/hsds/organizations", everyone(200)),
    Row("GET", "/hsds/organizations/{organization_id}", everyone(200), ids={"organization_id": "hsds.organization"}),
    Row("GET", "/hsds/services", everyone(200)),
    Row("GET", "/hsds/services/{service_id}", everyone(200), ids={"service_id": "hsds.service"}),
    Row(
        "GET",
        "/hsds/services/{service_id}",
        everyone(404),
        ids={"service_id": "hsds.draft_service"},  # HSDS ids are uuid5 of the programme id: guessable
        label="another organisation's draft",
    ),
    Row("GET", "/hsds/service_at_locations", everyone(200)),
    Row(
        "GET",
        "/hsds/service_at_locations/{service_at_location_id}",
        everyone(200),
        ids={"service_at_location_id": "hsds.sal"},
    ),
    Row("GET", "/hsds/taxonomies", everyone(200)),
    Row("GET", "/hsds/taxonomies/{taxonomy_id}", everyone(200), ids={"taxonomy_id": "hsds.taxonomy"}),
    Row("GET", "/hsds/taxonomy_terms", everyone(200)),
    Row("GET", "/hsds/taxonomy_terms/{taxonomy_term_id}", everyone(200), ids={"taxonomy_term_id": "hsds.term"}),
    # --- matching ---------------------------------------------------------------------------------
    Row(
        "GET",
        "/api/v1/households/{household_id}/matches",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    Row(
        "POST",
        "/api/v1/screenings",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        body={"household_ids": ["{household_id}"]},
        writes=False,
        # Another caseload's family named in the body is left out (counted, never screened).
        cross={"facilitator": 200},
    ),
    Row(
        "POST",
        "/api/v1/programs/preview",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=200),
        body={"eligibility": None, "service_area": ["{region}"]},
        writes=False,
        # #15.1: a preview outside the caller's reach is refused, naming the reach.
        cross={"agency": 403, "organiser": 403},
    ),
    # --- consents and referrals -------------------------------------------------------------------
    Row(
        "POST",
        "/api/v1/households/{household_id}/consents",
        by_role(anonymous=401, admin=403, facilitator=201, agency=403, organiser=403),
        body={"organization_id": "{organization_id}", "share_phone": False},
        ids={"organization_id": "organization.empty_own"},
        foreign_ids={"organization_id": "organization.empty_own"},
    ),
    Row(
        "GET",
        "/api/v1/households/{household_id}/consents",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    Row(
        "DELETE",
        "/api/v1/households/{household_id}/consents/{consent_id}",
        by_role(anonymous=401, admin=403, facilitator=200, agency=403, organiser=403),
        nested=("consent_id",),
    ),
    Row(
        "POST",
        "/api/v1/referrals",
        by_role(anonymous=401, admin=403, facilitator=201, agency=403, organiser=403),
        body={"household_id": "{household_id}", "program_id": "{program_id}", "note": "matriks"},
        ids={"program_id": "program.pena"},
        nested=("household_id", "program_id"),
        # A programme the caller may not see is refused as the body's bad value, as an unknown id is.
        nested_cross={"program_id": {"facilitator": 422}},
    ),
    Row("GET", "/api/v1/referrals", by_role(anonymous=401, admin=200, facilitator=200, agency=200, organiser=403)),
    Row(
        "GET",
        "/api/v1/referrals",
        by_role(anonymous=401, admin=200, facilitator=200, agency=200, organiser=403),
        query={"program_id": "{program_id}"},
        # Filtering by another organisation's programme lists nothing (200, empty).
        cross={"facilitator": 200, "agency": 200},
        label="by programme",
    ),
    Row(
        "GET",
        "/api/v1/referrals/{referral_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=200, organiser=403),
    ),
    Row(
        "PATCH",
        "/api/v1/referrals/{referral_id}",
        by_role(anonymous=401, admin=403, facilitator=200, agency=200, organiser=403),
        body=TENANT_REFERRAL_MOVE,
    ),
    # --- a family's benefit record: its facilitator and administrators -------------------------------
    Row(
        "GET",
        "/api/v1/households/{household_id}/benefits",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/benefits",
        by_role(anonymous=401, admin=201, facilitator=201, agency=404, organiser=404),
        body={"kind": "capital_grant", "received_on": "2026-01-05", "provider": "Matriks", "amount": 1000000},
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/benefits/{benefit_id}/confirm",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        body={},
        nested=("benefit_id",),
    ),
    # --- a family's data-subject requests (UU PDP): its facilitator and administrators --------------
    Row(
        "GET",
        "/api/v1/households/{household_id}/data-requests",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/data-requests/access",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        body={"note": "matriks"},
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/data-requests/correction",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        body={"changes": {"version": "{version:household:household_id}", "address": "Jl. Koreksi 1"}},
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/data-requests/restriction",
        by_role(anonymous=401, admin=201, facilitator=201, agency=404, organiser=404),
        body={},
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/data-requests/lift-restriction",
        # The family is not restricted: 409 for those who may see it; another caseload's: 404.
        by_role(anonymous=401, admin=409, facilitator=409, agency=404, organiser=404),
        body={},
        cross={"facilitator": 404},
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/data-requests/erasure",
        by_role(anonymous=401, admin=201, facilitator=201, agency=404, organiser=404),
        body={},
    ),
    # --- organisations, locations, programmes -----------------------------------------------------
    Row("GET", "/api/v1/organizations", signed_in(200)),
    Row(
        "POST",
        "/api/v1/organizations",
        admins_only(201),
        body={"name": "Lembaga Matriks Baru", "kind": "community_group", "region_code": "{region}"},
    ),
    Row(
        "GET",
        "/api/v1/organizations/{organization_id}",
        signed_in(200),
        cross={"facilitator": 200},  # facilitators see every organisation (whom to refer to)
    ),
    # Staff keep their own organisation's profile, locations and programmes (self-service);
    # another organisation's answers 404, as one they may not see does.
    Row(
        "PATCH",
        "/api/v1/organizations/{organization_id}",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=403),
        body={"version": "{version:organization:organization_id}", "description": "diubah"},
        cross={"organiser": 404},
    ),
    Row(
        "PATCH",
        "/api/v1/organizations/{organization_id}",
        # An agency's reach is its organisation's region (#6): only admins move it (#15.6).
        by_role(anonymous=401, admin=200, facilitator=403, agency=403, organiser=403),
        body={"version": "{version:organization:organization_id}", "region_code": "31"},
        cross={"agency": 404, "organiser": 404},
        label="another region",
    ),
    Row(
        "DELETE",
        "/api/v1/organizations/{organization_id}",
        by_role(anonymous=401, admin=204, facilitator=403, agency=404, organiser=403),
        ids={"organization_id": "organization.empty_own"},
        foreign_ids={"organization_id": "organization.empty_foreign"},
        cross={"organiser": 404},
    ),
    Row(
        "GET",
        "/api/v1/organizations/{organization_id}/locations",
        signed_in(200),
        cross={"facilitator": 200},
    ),
    Row(
        "POST",
        "/api/v1/organizations/{organization_id}/locations",
        by_role(anonymous=401, admin=201, facilitator=403, agency=201, organiser=403),
        cross={"organiser": 404},
        body={"name": "Titik Matriks", "region_code": "32.73.16.1002", "latitude": -6.92, "longitude": 107.64},
    ),
    # A service point is changed and closed by its organisation's staff (#13, item 6); the
    # organiser sees Dinas Sosial's but changes nothing, Jakarta Timur's is not found.
    Row(
        "PATCH",
        "/api/v1/organizations/{organization_id}/locations/{location_id}",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=403),
        body={
            "version": "{version:location:location_id}",
            "phone": "022-7000000",
            "opening_hours": [{"day": "mo", "opens": "08:00", "closes": "15:00"}],
        },
        cross={"organiser": 404},
    ),
    Row(
        "POST",
        "/api/v1/organizations/{organization_id}/locations/{location_id}/close",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=403),
        cross={"organiser": 404},
    ),
    Row(
        "PUT",
        "/api/v1/organizations/{organization_id}/verification",
        by_role(anonymous=401, admin=200, facilitator=403, agency=403, organiser=200),
        body={"verified": True},
        cross={"agency": 404},
    ),
    Row(
        "PUT",
        "/api/v1/organizations/{organization_id}/verification",
        # Kemensos, a national body (visible to the Bandung organiser because its PENA serves
        # Bandung), is verified by administrators only (#11).
        by_role(anonymous=401, admin=200, facilitator=403, agency=404, organiser=403),
        body={"verified": True},
        ids={"organization_id": "organization.kemensos"},
        cross={"agency": 404, "organiser": 404},  # the foreign run: Jakarta Timur's, not visible to them
        label="a national body",
    ),
    Row(
        "GET",
        "/api/v1/organizations/{organization_id}/demand",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=200),
    ),
    # --- forum invitations (#13, item 3): the forum's organiser invites, the invited staff answer ----
    Row(
        "POST",
        "/api/v1/forums/{forum_id}/invitations",
        by_role(anonymous=401, admin=201, facilitator=404, agency=404, organiser=201),
        body={"organization_id": "{organization_id}"},
        ids={"organization_id": "organization.empty_own"},  # not a member yet
        foreign_ids={"organization_id": "organization.empty_foreign"},
    ),
    Row(
        "GET",
        "/api/v1/forums/{forum_id}/invitations",
        by_role(anonymous=401, admin=200, facilitator=404, agency=404, organiser=200),
    ),
    Row("GET", "/api/v1/invitations", signed_in(200, facilitator=403)),
    Row(
        "GET",
        "/api/v1/invitations/{invitation_id}",
        by_role(anonymous=401, admin=200, facilitator=404, agency=200, organiser=200),
    ),
    Row(
        "PATCH",
        "/api/v1/invitations/{invitation_id}",
        by_role(anonymous=401, admin=200, facilitator=404, agency=200, organiser=200),
        body=PerRole({"agency": {"status": "accepted"}, "*": {"status": "withdrawn"}}),
    ),
    Row("GET", "/api/v1/programs", signed_in(200)),
    Row(
        "GET",
        "/api/v1/programs",
        signed_in(200),
        query={"organization_id": "{organization_id}"},
        cross={"facilitator": 200, "agency": 200, "organiser": 200},  # lists only what each may see
        label="by organisation",
    ),
    Row(
        "POST",
        "/api/v1/programs",
        by_role(anonymous=401, admin=201, facilitator=403, agency=201, organiser=403),
        body={
            "name": "Program Matriks API",
            "kind": "training",
            "organization_id": "{organization_id}",
            "service_area": ["{region}"],
        },
    ),
    Row("GET", "/api/v1/programs/{program_id}", signed_in(200)),
    Row(
        "PATCH",
        "/api/v1/programs/{program_id}",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=403),
        body={"version": "{version:program:program_id}", "description": "diubah"},
        cross={"facilitator": 404, "organiser": 404},  # a programme they may not see
    ),
    Row(
        "DELETE",
        "/api/v1/programs/{program_id}",
        # The spare programme is a draft: facilitators and organisers do not see it.
        by_role(anonymous=401, admin=204, facilitator=404, agency=204, organiser=404),
        ids={"program_id": "program.spare"},
    ),
    Row(
        "GET",
        "/api/v1/programs/{program_id}/revisions",
        # The history (values before publication, who changed them) is for the organisation's staff,
        # the organisers of its region and admins (#15); facilitators see the programme, not its history.
        signed_in(200, facilitator=403),
        cross={"facilitator": 404},  # another organisation's draft: not even the programme
    ),
    Row(
        "GET",
        "/api/v1/programs/{program_id}/revisions",
        # Facilitators and another organisation's staff see the published programme, not its history (#15).
        by_role(anonymous=401, admin=200, facilitator=403, agency=403, organiser=404),
        cross={"facilitator": 404, "agency": 404},  # the foreign run: another organisation's draft
        ids={"program_id": "program.jakarta"},
        label="another organisation's published programme",
    ),
    # Only approved areas beyond an organisation's region widen its reach (#6): admins approve.
    Row(
        "PUT",
        "/api/v1/programs/{program_id}/service-area/{region_code}/approval",
        admins_only(200),
        body={"approved": True},
        ids={"program_id": "program.spare", "region_code": OWN_REGION},
    ),
    # --- households and businesses ----------------------------------------------------------------
    # A NIK travels in the body; another caseload's family is not found (an empty page, checked by
    # the body checks: its name, PKH id and place must not show).
    Row(
        "POST",
        "/api/v1/households/lookup",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        body={"nik": OWN_NIK},
        writes=False,
        label="a family of the caseload",
    ),
    Row(
        "POST",
        "/api/v1/households/lookup",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        body={"nik": FOREIGN_NIK},
        writes=False,
        label="another caseload's family",
    ),
    Row("GET", "/api/v1/households", by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403)),
    Row(
        "GET",
        "/api/v1/households",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        query={"facilitator_id": "{facilitator_id}"},
        cross={"facilitator": 200},  # another facilitator's id filters the own caseload to nothing
        label="by facilitator",
    ),
    Row(
        "POST",
        "/api/v1/households",
        admins_only(201),
        body={
            "pkh_id": "PKH-MATRIKS-0001",
            "head_name": "Keluarga Matriks",
            "village_code": "32.73.16.1002",
            "nik": "3273160001900001",
        },
    ),
    Row(
        "GET",
        "/api/v1/households/{household_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    Row(
        "PATCH",
        "/api/v1/households/{household_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        body={"version": "{version:household:household_id}", "address": "Jl. Matriks 1"},
    ),
    Row(
        "PATCH",
        "/api/v1/households/{household_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        body={
            "version": "{version:household:household_id}",
            "village_code": "{village_code}",
            "group_id": "{group_id}",
        },
        nested=("group_id+village_code",),
        # Another caseload's KPM group in the body (with its village): a facilitator is told it does
        # not exist, as an unknown group (this put a family into another facilitator's group before).
        nested_cross={"group_id+village_code": {"admin": 200, "facilitator": 422}},
        label="into a KPM group",
    ),
    Row(
        "DELETE",
        "/api/v1/households/{household_id}",
        by_role(anonymous=401, admin=204, facilitator=403, agency=404, organiser=404),
        ids={"household_id": "household.deletable"},
        cross={"facilitator": 404},
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/businesses",
        by_role(anonymous=401, admin=201, facilitator=201, agency=404, organiser=404),
        body={"sector": "culinary", "needs": ["capital"]},
    ),
    Row(
        "PATCH",
        "/api/v1/households/{household_id}/businesses/{business_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        body={"version": "{version:business:business_id}", "workers": 2},
        nested=("business_id",),
    ),
    Row(
        "DELETE",
        "/api/v1/households/{household_id}/businesses/{business_id}",
        by_role(anonymous=401, admin=204, facilitator=204, agency=404, organiser=404),
        nested=("business_id",),
    ),
    # Business check-ins (#14.1): the family's facilitator and admins; anyone else 404.
    Row(
        "POST",
        "/api/v1/households/{household_id}/businesses/{business_id}/checkins",
        by_role(anonymous=401, admin=201, facilitator=201, agency=404, organiser=404),
        body={"checked_on": CHECKIN_DAY, "monthly_revenue": 1_000_000, "certifications": ["nib"]},
        nested=("business_id",),
    ),
    Row(
        "GET",
        "/api/v1/households/{household_id}/businesses/{business_id}/checkins",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        nested=("business_id",),
    ),
    # Graduation (#14.5, #14.7): readiness and the record for the family's facilitator and admins
    # (anyone else 404); the ranked list for those with a caseload; the rules read by all, set by
    # admins; indicators for admins, facilitators (their own) and organisers (their region, rounded);
    # the regency report for admins and organisers.
    Row(
        "GET",
        "/api/v1/households/{household_id}/readiness",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    Row(
        "POST",
        "/api/v1/households/{household_id}/graduation",
        by_role(anonymous=401, admin=201, facilitator=201, agency=404, organiser=404),
        body={"graduated_on": CHECKIN_DAY, "type": "graduated_natural", "reason": "Matriks"},
    ),
    Row("GET", "/api/v1/readiness", by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403)),
    Row("GET", "/api/v1/readiness/rules", signed_in(200)),
    Row(
        "PUT",
        "/api/v1/readiness/rules",
        admins_only(200),
        body={"region_code": OWN_REGION, "indicators": [{"name": "agreed", "weight": 1}]},
    ),
    Row("GET", "/api/v1/indicators", by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=200)),
    Row(
        "GET",
        "/api/v1/indicators",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=200),
        query={"region": "{region}", "year": "2025"},
        label="of a region",
    ),
    Row(
        "GET",
        "/api/v1/indicators/report.xlsx",
        by_role(anonymous=401, admin=200, facilitator=403, agency=403, organiser=200),
        query={"region": "{region}"},
    ),
    # --- KPM groups (#12): facilitators their own (another's: 404), admins all, no caseload: 403 ----
    Row("GET", "/api/v1/groups", by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403)),
    Row(
        "POST",
        "/api/v1/groups",
        by_role(anonymous=401, admin=201, facilitator=201, agency=403, organiser=403),
        body={"name": "Kelompok Matriks", "village_code": "{village_code}"},
    ),
    Row(
        "POST",
        "/api/v1/groups",
        by_role(anonymous=401, admin=201, facilitator=403, agency=403, organiser=403),
        body={"name": "Kelompok Matriks", "village_code": "{village_code}"},
        ids={"village_code": "village.jaktim"},
        label="in another facilitator's village",
    ),
    Row(
        "GET",
        "/api/v1/groups/{group_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
    ),
    Row(
        "PATCH",
        "/api/v1/groups/{group_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        body={"version": "{version:group:group_id}", "name": "Kelompok Matriks Baru"},
    ),
    Row(
        "POST",
        "/api/v1/groups/{group_id}/members",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        body={"household_ids": ["{household_id}"]},
        nested=("household_id",),
        # Another caseload's family into the own group: not in the caller's caseload (422).
        nested_cross={"household_id": {"facilitator": 422}},
    ),
    Row(
        "DELETE",
        "/api/v1/groups/{group_id}/members/{household_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=403),
        ids={"household_id": "household.group_kj"},
        foreign_ids={"household_id": "household.group_jaktim"},
    ),
    # --- facilitators -----------------------------------------------------------------------------
    Row("GET", "/api/v1/facilitators", by_role(anonymous=401, admin=200, facilitator=200, agency=403, organiser=200)),
    Row(
        "POST",
        "/api/v1/facilitators",
        admins_only(201),
        body={"name": "Pendamping Matriks", "education_background": "social_work", "region_code": "{region}"},
    ),
    Row(
        "GET",
        "/api/v1/facilitators/{facilitator_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=200),
    ),
    Row(
        "PATCH",
        "/api/v1/facilitators/{facilitator_id}",
        by_role(anonymous=401, admin=200, facilitator=403, agency=404, organiser=403),
        body={"version": "{version:facilitator:facilitator_id}", "phone": "0812-9999-0000"},
        cross={"facilitator": 404, "organiser": 404},  # a facilitator they may not see
    ),
    Row(
        "POST",
        "/api/v1/facilitators/{facilitator_id}/transfer",
        admins_only(200),  # refused before the facilitator is looked up: 403 on another tenant's too
        body={"to_facilitator_id": "{to_facilitator_id}"},
        ids={"to_facilitator_id": "facilitator.jaktim"},
    ),
    # --- the forums kept by their users (API) ---------------------------------------------------------
    # Admins: every forum; the organiser: their own (another forum: 404); facilitators and agency staff
    # read the forums they belong to (the KJ facilitator and Dinas Sosial Bandung are members of the
    # Bandung forum) and change nothing but their own commitments (403; another forum: 404).
    Row("GET", "/api/v1/forums", signed_in(200)),
    Row(
        "POST",
        "/api/v1/forums",
        admins_only(201),
        body={"name": "Forum Matriks", "region_code": "32.73.16", "description": "dibentuk oleh matriks"},
    ),
    Row("GET", "/api/v1/forums/{forum_id}", signed_in(200), hides=("forum_id",)),
    Row(
        "PATCH",
        "/api/v1/forums/{forum_id}",
        signed_in(200, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"version": "{version:forum:forum_id}", "description": "diubah oleh matriks"},
    ),
    Row("GET", "/api/v1/forums/{forum_id}/members", signed_in(200)),
    Row(
        "POST",
        "/api/v1/forums/{forum_id}/members",
        signed_in(201, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"member_kind": "organization", "member_id": "{organization_id}", "role": "member", "joined_on": None},
        ids={"organization_id": "organization.empty_own"},
    ),
    Row(
        "PATCH",
        "/api/v1/forums/{forum_id}/members/{member_kind}/{member_id}",
        signed_in(200, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"role": "secretary"},
        ids={"member_kind": "organization", "member_id": "organization.dinsos"},
        foreign_ids={"member_id": "organization.jaktim"},
    ),
    Row("GET", "/api/v1/forums/{forum_id}/plan", signed_in(200)),
    Row(
        "POST",
        "/api/v1/forums/{forum_id}/plan",
        signed_in(201, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"title": "Rencana matriks", "due_on": "2027-01-31"},
    ),
    Row(
        "PATCH",
        "/api/v1/forums/{forum_id}/plan/{item_id}",
        signed_in(200, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"version": "{version:workitem:item_id}", "status": "done"},
    ),
    Row(
        "DELETE",
        "/api/v1/forums/{forum_id}/plan/{item_id}",
        signed_in(204, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
    ),
    Row("GET", "/api/v1/forums/{forum_id}/meetings", signed_in(200)),
    Row(
        "POST",
        "/api/v1/forums/{forum_id}/meetings",
        signed_in(201, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"held_on": "2026-12-01", "place": "Balai matriks", "attendance": [], "commitments": []},
    ),
    Row("GET", "/api/v1/meetings/{meeting_id}", signed_in(200)),
    Row(
        "POST",
        "/api/v1/meetings/{meeting_id}/commitments",
        signed_in(201, facilitator=403, agency=403),
        cross={"facilitator": 404, "agency": 404},
        body={"party_kind": "organization", "party_id": "{organization_id}", "text": "Komitmen matriks baru"},
    ),
    Row("GET", "/api/v1/commitments/{commitment_id}", signed_in(200)),
    Row(
        "PATCH",
        "/api/v1/commitments/{commitment_id}",
        signed_in(200, facilitator=403),  # Dinas Sosial's own commitment: its staff follow it up
        cross={"facilitator": 404},
        body={"status": "done", "note": "selesai menurut matriks"},
    ),
    # --- pathways (API) ------------------------------------------------------------------------------
    # Agency staff define them for their organisation, organisers for their forum, admins for either;
    # everyone reads their own and those of their reach (another area's: 404); only the owner changes one.
    Row("GET", "/api/v1/pathways", signed_in(200)),
    Row(
        "POST",
        "/api/v1/pathways",
        by_role(anonymous=401, admin=201, facilitator=403, agency=201, organiser=201),
        body=PerRole(
            {
                "admin": {
                    "name": "Jalur Matriks",
                    "region_code": "32.73.16",
                    "forum_id": "{forum_id}",
                    "steps": [{"program_id": "{program_id}"}, {"program_kind": "marketing"}],
                },
                "*": {
                    "name": "Jalur Matriks",
                    "region_code": "32.73.16",
                    "steps": [{"program_id": "{program_id}"}, {"program_kind": "marketing"}],
                },
            }
        ),
        cross={"agency": 422, "organiser": 422},
        why="another tenant's programme in a step is one the caller cannot see: 422 naming steps[0].program_id",
    ),
    Row("GET", "/api/v1/pathways/{pathway_id}", signed_in(200), hides=("pathway_id",)),
    Row(
        "PATCH",
        "/api/v1/pathways/{pathway_id}",
        by_role(anonymous=401, admin=200, facilitator=403, agency=200, organiser=200),
        cross={"facilitator": 404},
        body={"version": "{version:pathway:pathway_id}", "goal": "diubah oleh matriks"},
    ),
    Row(
        "GET",
        "/api/v1/households/{household_id}/next-steps",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
    ),
    # --- partnerships ---------------------------------------------------------------------------
    Row("GET", "/api/v1/partnerships", signed_in(200)),
    Row(
        "POST",
        "/api/v1/partnerships",
        signed_in(201),
        body=PerRole(
            {
                "facilitator": PROPOSE | {"party_a_kind": "facilitator", "party_a_id": "{facilitator_id}"},
                "organiser": PROPOSE | {"party_a_kind": "forum", "party_a_id": "{forum_id}"},
                "*": PROPOSE | {"party_a_kind": "organization", "party_a_id": "{organization_id}"},
            }
        ),
        cross={"facilitator": 403, "agency": 403, "organiser": 403},  # party A is someone else's side
        why="party A is the caller's own side (admins: anyone)",
    ),
    Row("GET", "/api/v1/partnerships/{partnership_id}", signed_in(200)),
    Row(
        "PATCH",
        "/api/v1/partnerships/{partnership_id}",
        signed_in(200),
        body={"status": "confirmed"},
        why="party B confirms a proposal made to it",
    ),
    # --- the network ------------------------------------------------------------------------------
    Row("GET", "/api/v1/network/changes", signed_in(200), query={"region": "{region}"}),
    Row("GET", "/api/v1/network/graph", signed_in(200), query={"region": "{region}"}),
    Row("GET", "/api/v1/network/metrics", signed_in(200), query={"region": "{region}"}),
    Row("GET", "/api/v1/network/gaps", signed_in(200), query={"region": "{region}"}),
    Row(
        "GET",
        "/api/v1/network/suggestions",
        # Organisers help the facilitators of their region (counts, never families).
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=200),
        query={"facilitator_id": "{facilitator_id}"},
        label="for a facilitator",
    ),
    Row(
        "GET",
        "/api/v1/network/suggestions",
        by_role(anonymous=401, admin=200, facilitator=404, agency=404, organiser=200),
        query={"forum_id": "{forum_id}"},
        label="for a forum",
    ),
    Row(
        "POST",
        "/api/v1/network/referral-plan",
        signed_in(200),
        body={"region": "{region}"},
        writes=False,
    ),
    # --- jobs -------------------------------------------------------------------------------------
    Row("GET", "/api/v1/jobs", signed_in(200)),
    Row("GET", "/api/v1/jobs/{job_id}", signed_in(200)),
    Row("POST", "/api/v1/jobs/{job_id}/retry", signed_in(202)),
    # --- notifications: each caller's own (#13.7) --------------------------------------------------
    Row("GET", "/api/v1/notifications", signed_in(200), query={"unread": "true"}),
    Row("GET", "/api/v1/notifications/unread", signed_in(200)),
    Row("GET", "/api/v1/notifications/deliveries", admins_only(200), query={"status": "failed"}),
    Row("POST", "/api/v1/notifications/read", signed_in(200)),
    Row("POST", "/api/v1/notifications/{notification_id}/read", signed_in(200)),
    Row("GET", "/api/v1/notifications/settings", signed_in(200)),
    Row(
        "PUT",
        "/api/v1/notifications/settings",
        signed_in(200),
        body={"email": "matriks@example.org", "email_enabled": True, "email_mode": "daily"},
    ),
    # --- the caseload import ---------------------------------------------------------------------
    Row(
        "POST",
        "/api/v1/imports/households",
        by_role(anonymous=401, admin=202, facilitator=202, agency=403, organiser=403),
        form=[],
        files={"file": CASELOAD_FILE},
    ),
    Row(
        "POST",
        "/api/v1/imports/households",
        by_role(anonymous=401, admin=202, facilitator=202, agency=403, organiser=403),
        form=[("facilitator_id", "{facilitator_id}")],
        files={"file": CASELOAD_FILE},
        cross={"facilitator": 403},  # into another facilitator's caseload: refused, not hidden
        label="into a caseload",
    ),
    Row("GET", "/api/v1/imports/households/template.xlsx", admins_only(200, refused=403) | {"facilitator": 200}),
    Row("GET", "/api/v1/imports/households/export.xlsx", admins_only(200, refused=403) | {"facilitator": 200}),
    Row(
        "GET",
        "/api/v1/imports/households/{job_id}/report.xlsx",
        admins_only(200, refused=403) | {"facilitator": 200},
        ids={"job_id": "import.kj"},
        foreign_ids={"job_id": "import.jaktim"},
    ),
    # --- pages everyone shares --------------------------------------------------------------------
    Row("GET", "/login", everyone(200)),
    Row("POST", "/login", everyone(303), form=login_form, cookies={LOGIN_COOKIE: LOGIN_SEED}, writes=False),
    Row(
        "POST",
        "/login",
        everyone(403),  # a sign-in posted from another site (login CSRF) is refused
        form=[("username", "pendamping.kebonjayanti"), ("password", "pendamping-demo-2026")],
        writes=False,
        label="without the sign-in form's token",
    ),
    Row("POST", "/logout", everyone(303), form=[], fresh=True),
    Row("GET", "/lang/{code}", everyone(303), ids={"code": "en"}),
    Row("GET", "/", page(200)),
    Row("GET", "/about", everyone(200)),
    Row("GET", "/akun/sandi", page(200)),
    Row("POST", "/akun/sandi", page(303), form=own_password_form),
    Row("GET", "/pemberitahuan", page(200)),
    Row("POST", "/pemberitahuan/baca-semua", page(303), form=[]),
    Row("POST", "/pemberitahuan/{notification_id}/buka", page(303), form=[]),
    Row("GET", "/pemberitahuan/pengaturan", page(200)),
    Row(
        "POST",
        "/pemberitahuan/pengaturan",
        page(303),
        form=[("email", "matriks@example.org"), ("email_enabled", "ya"), ("email_mode", "daily")],
    ),
    # --- the administrators' pages (#12.5): every other role gets 403 -------------------------------
    Row("GET", "/admin/akun", page(403, admin=200), query={"role": "forum_organizer"}),
    Row("GET", "/admin/akun/baru", page(403, admin=200)),
    Row(
        "POST",
        "/admin/akun/baru",
        page(403, admin=200),  # 200: the answer shows the temporary password once
        form=[("username", "matriks.baru"), ("role", "admin")],
    ),
    Row("GET", "/admin/akun/{user_id}", page(403, admin=200), ids={"user_id": "user.organiser"}),
    Row(
        "POST",
        "/admin/akun/{user_id}/nonaktifkan",
        page(403, admin=303),
        form=[("confirm", "ya")],
        ids={"user_id": "user.organiser"},
    ),
    Row(
        "POST",
        "/admin/akun/{user_id}/reset",
        page(403, admin=200),
        form=[("confirm", "ya")],
        ids={"user_id": "user.organiser"},
    ),
    Row("GET", "/admin/pindah-kpm", page(403, admin=200), query={"dari": "{facilitator_id}"}),
    Row(
        "POST",
        "/admin/pindah-kpm",
        page(403, admin=200),
        form=[("dari", "{facilitator_id}"), ("ke", "{to_facilitator_id}"), ("semua", "ya"), ("confirm", "ya")],
        ids={"to_facilitator_id": "facilitator.jaktim"},
    ),
    # --- the facilitator's pages ------------------------------------------------------------------
    Row("GET", "/kpm", page(200, agency=403, organiser=403)),
    Row("GET", "/kpm/skrining", page(200, agency=403, organiser=403)),
    Row("GET", "/kpm/skrining.csv", page(200, agency=403, organiser=403)),
    Row("GET", "/kpm/{household_id}", page(200, agency=403, organiser=403)),
    Row("GET", "/kpm/kelompok", page(200, agency=403, organiser=403)),
    Row(
        "POST",
        "/kpm/kelompok",
        page(303, agency=403, organiser=403),
        form=[("name", "Kelompok Matriks"), ("village_code", "{village_code}")],
    ),
    Row(
        "POST",
        "/kpm/kelompok",
        page(303, facilitator=403, agency=403, organiser=403),
        form=[("name", "Kelompok Matriks"), ("village_code", "{village_code}")],
        ids={"village_code": "village.jaktim"},
        label="in another facilitator's village",
    ),
    Row("GET", "/kpm/kelompok/{group_id}", page(200, agency=403, organiser=403)),
    Row(
        "POST",
        "/kpm/kelompok/{group_id}",
        page(303, agency=403, organiser=403),
        form=[("action", "rename"), ("version", "{version:group:group_id}"), ("name", "Kelompok Matriks Baru")],
    ),
    Row(
        "POST",
        "/kpm/kelompok/{group_id}/anggota",
        page(303, agency=403, organiser=403),
        form=[("household_id", "{household_id}")],
        nested=("household_id",),
        nested_cross={"household_id": {"facilitator": 422}},
    ),
    Row(
        "POST",
        "/kpm/kelompok/{group_id}/keluarkan",
        page(303, agency=403, organiser=403),
        form=[("household_id", "{household_id}")],
        ids={"household_id": "household.group_kj"},
        foreign_ids={"household_id": "household.group_jaktim"},
    ),
    # Keeping a family current from its page (#12.3): the household, its businesses, answers in place.
    Row("GET", "/kpm/{household_id}/ubah", page(200, agency=403, organiser=403)),
    Row(
        "POST",
        "/kpm/{household_id}/ubah",
        page(303, agency=403, organiser=403),
        form=[("version", "{version:household:household_id}"), ("address", "Jl. Matriks 2")],
    ),
    Row("GET", "/kpm/{household_id}/usaha/baru", page(200, agency=403, organiser=403)),
    Row(
        "POST",
        "/kpm/{household_id}/usaha/baru",
        page(303, agency=403, organiser=403),
        form=[("sector", "culinary"), ("needs", "capital")],
    ),
    Row(
        "GET",
        "/kpm/{household_id}/usaha/{business_id}/ubah",
        page(200, agency=403, organiser=403),
        nested=("business_id",),
    ),
    Row(
        "POST",
        "/kpm/{household_id}/usaha/{business_id}/ubah",
        page(303, agency=403, organiser=403),
        form=[("version", "{version:business:business_id}"), ("workers", "2")],
        nested=("business_id",),
    ),
    Row(
        "GET",
        "/kpm/{household_id}/usaha/{business_id}/checkin",
        page(200, agency=403, organiser=403),
        nested=("business_id",),
    ),
    Row(
        "POST",
        "/kpm/{household_id}/usaha/{business_id}/checkin",
        page(303, agency=403, organiser=403),
        form=[("checked_on", CHECKIN_DAY), ("monthly_revenue", "1000000"), ("sales_channels", "whatsapp")],
        nested=("business_id",),
    ),
    Row("GET", "/kpm/potensial", page(200, agency=403, organiser=403)),
    Row("GET", "/kpm/{household_id}/lulus", page(200, agency=403, organiser=403)),
    Row(
        "POST",
        "/kpm/{household_id}/lulus",
        page(303, agency=403, organiser=403),
        form=[("graduated_on", CHECKIN_DAY), ("type", "graduated_natural"), ("reason", "Matriks")],
    ),
    Row("GET", "/laporan/kelulusan", page(403, admin=200, organiser=200), query={"region": "{region}"}),
    Row("GET", "/laporan/kelulusan.xlsx", page(403, admin=200, organiser=200), query={"region": "{region}"}),
    Row(
        "POST",
        "/kpm/{household_id}/jawab",
        page(303, agency=403, organiser=403),
        form=[
            ("field", "household.school_age_children"),
            ("value", "2"),
            ("version", "{version:household:household_id}"),
        ],
    ),
    Row(
        "POST",
        "/kpm/{household_id}/jawab",
        page(303, agency=403, organiser=403),
        form=[
            ("field", "business.workers"),
            ("business_id", "{business_id}"),
            ("value", "3"),
            ("version", "{version:business:business_id}"),
        ],
        nested=("business_id",),
        label="a business's",
    ),
    Row(
        "POST",
        "/kpm/{household_id}/jawab",
        by_role(anonymous=303, admin=403, facilitator=303, agency=403, organiser=403),
        form=[("field", "household.disability"), ("value", "true"), ("version", "{version:household:household_id}")],
        label="sensitive: the family's own facilitator only",
    ),
    Row(
        "POST",
        "/kpm/{household_id}/bantuan",
        page(303, agency=403, organiser=403),
        form=[("kind", "loan"), ("provider", "Matriks"), ("received_on", "2026-01-05"), ("amount", "1.000.000")],
    ),
    Row(
        "POST",
        "/kpm/{household_id}/bantuan/{benefit_id}/konfirmasi",
        page(303, agency=403, organiser=403),
        form=[],
        nested=("benefit_id",),
    ),
    Row("GET", "/kpm/impor", page(200, agency=403, organiser=403)),
    Row("POST", "/kpm/impor", page(303, agency=403, organiser=403), form=[], files={"file": CASELOAD_FILE}),
    Row("GET", "/kpm/impor/{upload_id}", page(200, agency=403, organiser=403)),
    Row("POST", "/kpm/impor/{upload_id}/mulai", page(303, agency=403, organiser=403), form=[("accept_partial", "1")]),
    Row(
        "POST",
        "/kpm/impor/{upload_id}/mulai",
        page(303, agency=403, organiser=403),
        form=[("facilitator_id", "{facilitator_id}")],
        foreign_ids={"upload_id": "upload.kj"},  # the own file, into another facilitator's caseload
        cross={"facilitator": 403},
        label="into a caseload",
    ),
    Row(
        "GET",
        "/kpm/impor/tugas/{job_id}",
        page(200, agency=403, organiser=403),
        ids={"job_id": "import.kj"},
        foreign_ids={"job_id": "import.jaktim"},
    ),
    Row(
        "GET",
        "/kpm/impor/tugas/{job_id}/ditolak.xlsx",
        page(200, agency=403, organiser=403),
        ids={"job_id": "import.kj"},
        foreign_ids={"job_id": "import.jaktim"},
    ),
    Row("GET", "/kpm/templat.xlsx", page(200, agency=403, organiser=403)),
    Row("GET", "/kpm/ekspor.xlsx", page(200, agency=403, organiser=403)),
    Row("GET", "/jejaring", page(404, facilitator=200)),
    # --- the agency's pages -----------------------------------------------------------------------
    Row(
        "GET",
        "/lembaga/program",
        page(200, facilitator=403, organiser=403),
        query={"org": "{organization_id}"},
        hides=("organization_id",),
        cross={"agency": 200},  # staff always see their own organisation, whatever ?org= says
    ),
    Row(
        "GET",
        "/lembaga/program/baru",
        page(200, facilitator=403, organiser=403),
        query={"org": "{organization_id}"},
        hides=("organization_id",),
        cross={"agency": 200},
    ),
    Row(
        "POST",
        "/lembaga/program/pratinjau",
        by_role(anonymous=403, admin=200, facilitator=403, agency=200, organiser=403),
        form=[("service_area", "{region}"), ("action", "preview")],
        writes=False,
        # #15.1: the page's preview outside the agency's reach is refused.
        cross={"agency": 403},
    ),
    Row("GET", "/lembaga/program/{program_id}", page(200, facilitator=403, organiser=403)),
    Row(
        "POST",
        "/lembaga/program/baru",
        page(303, facilitator=403, organiser=403),
        form=program_form("draft", new=True),
        cross={"agency": 303},  # staff's new programme is their organisation's, whatever org= says
    ),
    Row(
        "POST",
        "/lembaga/program/{program_id}",
        page(303, facilitator=403, organiser=403),
        form=program_form("draft", new=False),
    ),
    Row(
        "GET",
        "/lembaga/permintaan",
        page(200, facilitator=403, organiser=403),
        query={"org": "{organization_id}"},
        hides=("organization_id",),
        cross={"agency": 200},
    ),
    # The organisation's profile and service points (#13, item 6): staff see and change their own
    # whatever ?org= or the form's org says; admins choose the organisation.
    Row(
        "GET",
        "/lembaga/profil",
        page(200, facilitator=403, organiser=403),
        query={"org": "{organization_id}"},
        hides=("organization_id",),
        cross={"agency": 200},
    ),
    Row("POST", "/lembaga/profil", page(303, facilitator=403, organiser=403), form=profile_form),
    Row(
        "GET",
        "/lembaga/lokasi/baru",
        page(200, facilitator=403, organiser=403),
        query={"org": "{organization_id}"},
        hides=("organization_id",),
        cross={"agency": 200},
    ),
    Row(
        "POST",
        "/lembaga/lokasi/baru",
        page(303, facilitator=403, organiser=403),
        form=[
            ("org", "{organization_id}"),
            ("name", "Titik Matriks Halaman"),
            ("region_code", "32.73.16.1002"),
            ("opens_mo", "08:00"),
            ("closes_mo", "15:00"),
            ("action", "save"),
        ],
        cross={"agency": 303},  # staff's new service point is their organisation's, whatever org= says
    ),
    Row("GET", "/lembaga/lokasi/{location_id}", page(200, facilitator=403, organiser=403)),
    Row(
        "POST",
        "/lembaga/lokasi/{location_id}",
        page(303, facilitator=403, organiser=403),
        form=[("version", "{version:location:location_id}"), ("action", "close")],
    ),
    # The invited organisation's staff answer a forum's invitation from their home page.
    Row(
        "POST",
        "/lembaga/undangan/{invitation_id}",
        page(303, admin=403, facilitator=403, organiser=403),
        form=[("status", "accepted")],
    ),
    # --- the referral pages -----------------------------------------------------------------------
    Row(
        "POST",
        "/rujukan/baru",
        page(303, admin=403, agency=403, organiser=403),
        form=[
            ("household_id", "{household_id}"),
            ("program_id", "{program_id}"),
            ("key", "matriks-rujukan-0001"),
            ("consent", "ya"),
        ],
        ids={"program_id": "program.pena"},
        nested=("household_id", "program_id"),
        nested_cross={"program_id": {"facilitator": 422}},  # as the API: a programme they may not see is a bad value
    ),
    Row("GET", "/rujukan", page(200, admin=403, organiser=403)),
    Row("GET", "/rujukan/{referral_id}", page(200, admin=403, organiser=403)),
    Row(
        "POST",
        "/rujukan/{referral_id}/aksi",
        page(303, admin=403, organiser=403),
        form=lambda served, params, role: [
            ("to", "accepted" if role == "agency" else "withdrawn"),
            ("version", str(params["referral_version"])),
        ],
    ),
    # --- the partnerships page ---------------------------------------------------------------------
    Row("GET", "/kemitraan", page(200)),
    Row(
        "POST",
        "/kemitraan",
        page(303, admin=403),  # admins act for no side: they propose through the API
        form=lambda served, params, role: [("party", f"organization:{params['party_b']}"), ("kind", "informal")],
    ),
    Row("POST", "/kemitraan/{partnership_id}", page(303), form=[("status", "confirmed")]),
    # --- the forum's pages ------------------------------------------------------------------------
    Row("GET", "/forum", page(200, facilitator=404, agency=404), query={"region": "{region}"}),
    Row(
        "GET",
        "/forum",
        page(200, facilitator=404, agency=404),
        query={"forum_id": "{forum_id}"},
        cross={"organiser": 200},  # an organiser always sees their own forum, whatever forum_id says
        hides=("forum_id",),
        label="by forum",
    ),
    Row(
        "POST",
        "/forum/undangan",
        page(303, facilitator=404, agency=404),
        form=[("forum_id", "{forum_id}"), ("organization_id", "{organization_id}")],
        ids={"organization_id": "organization.empty_own"},
        foreign_ids={"organization_id": "organization.empty_foreign"},
    ),
    Row("GET", "/forum/ekspor.csv", page(200, facilitator=404, agency=404), query={"region": "{region}"}),
    Row("GET", "/forum/ekspor.xlsx", page(200, facilitator=404, agency=404), query={"region": "{region}"}),
    # --- the forum's own pages (organisers and admins; others: 404) -------------------------------------
    Row("GET", "/forum/kelola", page(200, facilitator=404, agency=404)),
    Row(
        "POST",
        "/forum/kelola",
        page(403, admin=303, facilitator=404, agency=404),
        form=[("name", "Forum Matriks Halaman"), ("region_code", "32.73.16")],
        why="organisers see the list, but only admins start a forum (the page says so with 403)",
    ),
    Row("GET", "/forum/kelola/{forum_id}", page(200, facilitator=404, agency=404), hides=("forum_id",)),
    Row(
        "POST",
        "/forum/kelola/{forum_id}/anggota",
        page(303, facilitator=404, agency=404),
        form=lambda served, params, role: [
            ("member", f"organization:{params['organization_id']}"),
            ("role", "member"),
            ("joined_on", ""),
        ],
        ids={"organization_id": "organization.empty_own"},
    ),
    Row(
        "POST",
        "/forum/kelola/{forum_id}/anggota/ubah",
        page(303, facilitator=404, agency=404),
        form=lambda served, params, role: [
            ("member", f"organization:{params['organization_id']}"),
            ("role", "secretary"),
        ],
    ),
    Row(
        "POST",
        "/forum/kelola/{forum_id}/rencana",
        page(303, facilitator=404, agency=404),
        form=[("title", "Rencana halaman matriks"), ("status", "planned")],
    ),
    Row(
        "POST",
        "/forum/kelola/{forum_id}/rencana/{item_id}",
        page(303, facilitator=404, agency=404),
        form=[("status", "in_progress"), ("version", "{version:workitem:item_id}")],
    ),
    Row("GET", "/forum/kelola/{forum_id}/rapat/baru", page(200, facilitator=404, agency=404)),
    Row(
        "POST",
        "/forum/kelola/{forum_id}/rapat/baru",
        page(303, facilitator=404, agency=404),
        form=[("held_on", "2026-12-01"), ("place", "Balai matriks"), ("minutes", "Notulen halaman matriks")],
    ),
    Row("GET", "/forum/rapat/{meeting_id}", page(200)),  # members read their forum's meetings
    Row("GET", "/forum/rapat/{meeting_id}/cetak", page(200)),  # members read their forum's meetings
    Row("GET", "/forum/rapat/{meeting_id}/ekspor.xlsx", page(200)),  # members read their forum's meetings
    Row(
        "POST",
        "/forum/rapat/{meeting_id}/komitmen",
        page(303, facilitator=404, agency=404),
        form=lambda served, params, role: [
            ("party", f"organization:{params['organization_id']}"),
            ("text", "Komitmen halaman matriks"),
        ],
    ),
    Row(
        "POST",
        "/forum/komitmen/{commitment_id}",
        page(303, facilitator=403),  # Dinas Sosial's own commitment: its staff follow it up
        cross={"facilitator": 404},
        form=[("status", "done"), ("note", "selesai")],
    ),
    # --- pathway pages (agency staff, organisers, admins; facilitators: 404) -----------------------------
    Row("GET", "/jalur", page(200, facilitator=404)),
    Row("GET", "/jalur/baru", page(200, facilitator=404)),
    Row(
        "POST",
        "/jalur/baru",
        page(303, facilitator=404),
        form=lambda served, params, role: [
            ("name", "Jalur Halaman Matriks"),
            ("region_code", "32.73.16"),
            ("s0_target", f"program:{params['program_id']}"),
            ("s1_target", "kind:marketing"),
            *([("owner", f"forum:{params['forum_id']}")] if role == "admin" else []),
        ],
    ),
    Row("GET", "/jalur/{pathway_id}", page(200, facilitator=404), hides=("pathway_id",)),
    Row(
        "POST",
        "/jalur/{pathway_id}",
        page(303, facilitator=404),
        form=[
            ("version", "{version:pathway:pathway_id}"),
            ("name", "Jalur Diubah Matriks"),
            ("region_code", "32.73"),
            ("s0_target", "kind:training"),
        ],
    ),
    # --- maps (page cookie or bearer token) -------------------------------------------------------
    Row("GET", "/maps/stakeholders", signed_in(200), query={"region": "{region}", "tiles": "false"}),
    Row(
        "GET",
        "/maps/stakeholders",
        signed_in(200),
        query={"region": "{region}", "format": "geojson"},
        label="geojson",
    ),
    Row(
        "GET",
        "/maps/households/{household_id}",
        by_role(anonymous=401, admin=200, facilitator=200, agency=404, organiser=404),
        query={"format": "geojson"},
    ),
    Row("GET", "/maps/gaps", signed_in(200), query={"region": "{region}", "format": "geojson"}),
]
