"""Message keys that Babel's extraction cannot find, marked so that it puts them into messages.pot.

``pybabel extract`` (``make messages``, see README.md, Translations) finds the keys written out
in ``t("key")`` calls. A key built while the program runs (``t(f"role.{role}")``,
``t('ref.s.' ~ status)`` in a template) or passed around as a plain string and looked up
elsewhere is invisible to it, and ``pybabel update`` would then drop it from the catalogues.
Every such key is listed here, inside ``N_()`` (gettext's "no-op" marker), by the code that
builds it. Nothing imports this module when the service runs.

Adding a value to one of the families below (a new ``ReferralStatus``, a new forum column...)
means adding its key here and its text to both .po files; the test suite's strict mode
(tests/conftest.py) fails when a page looks up a key that is missing from a catalogue.
"""

from __future__ import annotations


def N_(key: str) -> str:
    """Mark ``key`` for extraction; return it unchanged."""
    return key


KEYS = (
    # Passed to a template or a helper as a plain string, then looked up there: the sign-in error
    # (service/web/pages.py -> login.html ``t(error)``), the filter choices of _kpm_filters.html,
    # the match sections and headings of kpm_household.html and referral_detail.html, the refused
    # moves of service/web/referral_pages.py and the bad-query fields of forum_pages.py and
    # network_pages.py (``BadQuery(key)``).
    N_("login.failed"),
    N_("kpm.yes"),
    N_("kpm.no"),
    N_("m.eligible"),
    N_("m.unknown"),
    N_("m.near"),
    N_("ref.err.side"),
    N_("ref.err.conflict"),
    N_("fo.f.region"),
    N_("fo.f.forum"),
    N_("fo.f.sort"),
    N_("fo.f.villages"),
    N_("nw.f.program"),
    # channel.{SalesChannel}: the family's sales channels (kpm_household.html, referral_detail.html).
    N_("channel.whatsapp"),
    N_("channel.marketplace"),
    N_("channel.bazaar"),
    N_("channel.shop"),
    N_("channel.social_media"),
    N_("channel.door_to_door"),
    # kind.{ProgramKind}: programme kinds (agency pages and templates).
    N_("kind.training"),
    N_("kind.capital_grant"),
    N_("kind.loan"),
    N_("kind.marketing"),
    N_("kind.certification"),
    N_("kind.mentoring"),
    N_("kind.equipment"),
    # r.{mapping.matching.Result}: a reason's result, for screen readers.
    N_("r.pass"),
    N_("r.fail"),
    N_("r.unknown"),
    # ag.status.{ProgramStatus}, ag.saved.{ProgramStatus or unchanged}, ag.unit.{CapacityUnit}.
    N_("ag.status.draft"),
    N_("ag.status.active"),
    N_("ag.status.paused"),
    N_("ag.status.closed"),
    N_("ag.unit.rupiah"),
    N_("ag.saved.draft"),
    N_("ag.saved.active"),
    N_("ag.saved.paused"),
    N_("ag.saved.closed"),
    N_("ag.saved.unchanged"),
    # ag.f.{field}: the programme form's fields (service/web/agency_pages.py, agency_program_form.html).
    N_("ag.f.name"),
    N_("ag.f.benefit_min"),
    N_("ag.f.benefit_max"),
    N_("ag.f.interest_rate"),
    N_("ag.f.capacity"),
    N_("ag.f.capacity_remaining"),
    N_("ag.f.opens_on"),
    N_("ag.f.closes_on"),
    N_("ag.f.valid_from"),
    N_("ag.f.valid_to"),
    N_("ag.f.source_url"),
    N_("ag.f.service_area"),
    N_("ag.f.status"),
    N_("ag.f.eligibility"),
    N_("ag.f.form"),
    # ag.fg.{group}: the rule fields' groups (FIELD_GROUPS in service/web/agency_pages.py).
    N_("ag.fg.head"),
    N_("ag.fg.household"),
    N_("ag.fg.business"),
    N_("ag.fg.history"),
    # ag.op.{operator}: the rule builder's operators (OPERATORS_BY_TYPE in service/web/agency_pages.py).
    N_("ag.op.eq"),
    N_("ag.op.ne"),
    N_("ag.op.lt"),
    N_("ag.op.le"),
    N_("ag.op.gt"),
    N_("ag.op.ge"),
    N_("ag.op.between"),
    N_("ag.op.in"),
    N_("ag.op.not_in"),
    N_("ag.op.contains"),
    N_("ag.op.within"),
    N_("ag.op.exists"),
    # ag.rev.{action}: a programme revision's action.
    N_("ag.rev.create"),
    N_("ag.rev.update"),
    N_("ag.rev.publish"),
    # ref.s.{ReferralStatus}, ref.g.{group} (referral_list.html), ref.a.{move} (referral_detail.html),
    # ref.dr.{DeclineReason}.
    N_("ref.s.sent"),
    N_("ref.s.accepted"),
    N_("ref.s.declined"),
    N_("ref.s.enrolled"),
    N_("ref.s.completed"),
    N_("ref.s.dropped"),
    N_("ref.s.withdrawn"),
    N_("ref.g.sent"),
    N_("ref.g.accepted"),
    N_("ref.g.enrolled"),
    N_("ref.g.completed"),
    N_("ref.g.declined"),
    N_("ref.g.closed"),
    N_("ref.a.accepted"),
    N_("ref.a.enrolled"),
    N_("ref.a.dropped"),
    N_("ref.a.withdrawn"),
    N_("ref.dr.not_eligible"),
    N_("ref.dr.no_capacity"),
    N_("ref.dr.could_not_contact"),
    N_("ref.dr.family_not_interested"),
    N_("ref.dr.other"),
    # The forum dashboard (service/web/forum_pages.py, forum_dashboard.html): fo.method.{community
    # method}, fo.kind.{node kind}, fo.edge.{edge type}, fo.col.{column} (COLUMNS), fo.iso.{reason}.
    N_("fo.method.louvain"),
    N_("fo.method.leiden"),
    N_("fo.kind.organization"),
    N_("fo.kind.program"),
    N_("fo.kind.facilitator"),
    N_("fo.kind.forum"),
    N_("fo.kind.village"),
    N_("fo.edge.offers"),
    N_("fo.edge.partners"),
    N_("fo.edge.member_of"),
    N_("fo.edge.refers"),
    N_("fo.edge.serves"),
    N_("fo.edge.demand"),
    N_("fo.col.community"),
    N_("fo.col.degree"),
    N_("fo.col.weighted_degree"),
    N_("fo.col.betweenness"),
    N_("fo.col.closeness"),
    N_("fo.col.pagerank"),
    N_("fo.col.two_step_reach"),
    N_("fo.col.constraint"),
    N_("fo.col.effective_size"),
    N_("fo.iso.no_facilitator_tie"),
    N_("fo.iso.no_partnership"),
    # nw.tie.{kind}: a facilitator's ties (mapping.analysis.TIE_WORDS's keys; facilitator_network.html).
    N_("nw.tie.partnership"),
    N_("nw.tie.referral"),
    N_("nw.tie.forum"),
    # The maps (service/maps.py): map.layer.{key}, map.outcome.{OUTCOME_COLOURS}, map.status.{STATUS_COLOURS},
    # map.orgkind.{OrganizationKind}.
    N_("map.layer.unmet_cells"),
    N_("map.outcome.completed"),
    N_("map.outcome.open"),
    N_("map.outcome.closed"),
    N_("map.status.eligible"),
    N_("map.status.unknown"),
    N_("map.status.ineligible"),
    N_("map.orgkind.government_agency"),
    N_("map.orgkind.ministry_programme"),
    N_("map.orgkind.csr_company"),
    N_("map.orgkind.ngo"),
    N_("map.orgkind.financial_institution"),
    N_("map.orgkind.cooperative"),
    N_("map.orgkind.training_centre"),
    N_("map.orgkind.marketplace"),
    N_("map.orgkind.community_group"),
    # The education backgrounds on the new facilitator form (admin_account_new.html,
    # ``t('admin.edu.' ~ value)``).
    N_("admin.edu.social_work"),
    N_("admin.edu.other"),
    N_("admin.edu.other_with_volunteer_experience"),
    # Business check-ins (kpm_checkin.html, service/web/facilitator/checkin.py): the fields'
    # labels (``checkin.f.{field}``), certificates (``cert.{Certification}``) and loan
    # repayment (``loan.{LoanStatus}``).
    N_("checkin.f.checked_on"),
    N_("checkin.f.monthly_revenue"),
    N_("checkin.f.monthly_costs"),
    N_("checkin.f.workers"),
    N_("checkin.f.sales_channels"),
    N_("checkin.f.certifications"),
    N_("checkin.f.loan_status"),
    N_("checkin.f.note"),
    N_("cert.nib"),
    N_("cert.pirt"),
    N_("cert.halal"),
    N_("loan.current"),
    N_("loan.late"),
    N_("loan.repaid"),
    # No caller found in service/ when the keys moved from the MESSAGES dict into the catalogues;
    # kept with their text. Delete them here and in the .po files once you are sure they are unused.
    N_("login.expired"),
    N_("nav.screening"),
    N_("scr.open"),
    N_("ref.refer_to"),
    N_("map.legend"),
)
