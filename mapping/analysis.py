"""What the network tells a forum to do: its gaps and suggested links (pure functions, no database).

Inputs are the stakeholder graph of a region (``mapping.network``) and its households screened
against the programmes serving it (``Screened``: status codes 2 eligible, 1 unknown, 0 no, with
reach already applied, so a programme that is paused, closed, full or out of its window scores
0 for everyone). Households never leave this module one by one: every output is a count.

"Covered" means eligible or possibly eligible (facts missing: the facilitator can ask) for an
active programme with places left that meets the need. The vectorised screener does not count a
household's failing criteria, so near misses (failing one criterion) are not counted as covered:
the unmet demand reported is the upper bound.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from mapping.catalog import KIND_MEETS_NEEDS
from mapping.labels import Lang
from mapping.matching import ProgramFacts
from mapping.network import DemandCount, node_id
from mapping.screening import ELIGIBLE, NEED_BITS, UNKNOWN, HouseholdColumns, choice_codes
from models.eligibility import NEEDS, SECTORS

Ints = NDArray[np.int64]

TIE_WORDS: dict[str, tuple[str, str]] = {
    "partnership": ("kemitraan", "partnership"),
    "referral": ("rujukan", "referral"),
    "forum": ("forum bersama", "shared forum"),
}

# Paper 001: a facilitator should serve at most about 200 KPM; 88 % serve more.
CASELOAD_MARK = 200


@dataclass
class Screened:
    """A region's households screened against the programmes serving it.

    ``codes`` is programmes x households; business rows carry their household's index, their
    stated needs as ``NEED_BITS`` and their sector's index in ``SECTORS`` (-1 unknown).
    """

    household_ids: Ints
    villages: list[str]
    facilitators: Ints  # facilitator id per household, -1 for none
    programs: list[ProgramFacts]
    program_orgs: list[int]  # owning organisation per programme
    codes: NDArray[np.int8]
    row_household: Ints = field(default_factory=lambda: np.zeros(0, np.int64))
    row_needs: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    row_sectors: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    lats: NDArray[np.float64] | None = None  # per household (NaN unknown), when the loader read them
    lons: NDArray[np.float64] | None = None

    @property
    def n_households(self) -> int:
        return int(self.household_ids.shape[0])

    def subset(self, keep: NDArray[np.bool_]) -> Screened:
        """The same screening restricted to the households where ``keep`` is true."""
        index = np.flatnonzero(keep)
        new_of_old = np.full(self.n_households, -1, dtype=np.int64)
        new_of_old[index] = np.arange(index.shape[0])
        rows = keep[self.row_household] if self.row_household.shape[0] else np.zeros(0, dtype=bool)
        return Screened(
            household_ids=self.household_ids[index],
            villages=[self.villages[i] for i in index],
            facilitators=self.facilitators[index],
            programs=self.programs,
            program_orgs=self.program_orgs,
            codes=self.codes[:, index],
            row_household=new_of_old[self.row_household[rows]],
            row_needs=self.row_needs[rows],
            row_sectors=self.row_sectors[rows],
            lats=None if self.lats is None else self.lats[index],
            lons=None if self.lons is None else self.lons[index],
        )


def program_need_bits(programs: Sequence[ProgramFacts]) -> Ints:
    """The ``NEED_BITS`` each programme's kind meets."""
    return np.array(
        [sum(NEED_BITS[n] for n in KIND_MEETS_NEEDS.get(p.kind, frozenset())) for p in programs], dtype=np.int64
    ).reshape(len(programs))


def covered_by_need(s: Screened, programs: NDArray[np.bool_] | None = None) -> dict[str, NDArray[np.bool_]]:
    """Per need: households eligible or possibly eligible for a programme (of ``programs``, or
    any) that meets it."""
    bits = program_need_bits(s.programs)
    chosen = np.ones(len(s.programs), dtype=bool) if programs is None else programs
    reachable = s.codes >= UNKNOWN
    out: dict[str, NDArray[np.bool_]] = {}
    for need in NEEDS:
        meets = chosen & ((bits & NEED_BITS[need]) != 0)
        out[need] = reachable[meets].any(axis=0) if meets.any() else np.zeros(s.n_households, dtype=bool)
    return out


# --- gaps -------------------------------------------------------------------------------------


class UnmetDemand(NamedTuple):  # a tuple: a province has hundreds of thousands of these rows
    village_code: str
    need: str
    sector: str | None
    households: int


def unmet_demand(chunks: Screened | Sequence[Screened]) -> list[UnmetDemand]:
    """Per village x need x sector: households with a business stating the need that no
    programme covers. A household counts once per (village, need, sector). ``chunks`` are
    screenings of disjoint households (a region's regencies, screened one by one)."""
    counts: Counter[tuple[str, str, int]] = Counter()
    for s in _chunks(chunks):
        covered = covered_by_need(s)
        village_codes, village_index = np.unique(np.array(s.villages, dtype=object), return_inverse=True)
        for need in NEEDS:
            has = (s.row_needs & NEED_BITS[need]) != 0
            rows = np.flatnonzero(has & ~covered[need][s.row_household])
            if not rows.shape[0]:
                continue
            # one unit per (household, sector); the household fixes the village
            units = np.unique(s.row_household[rows] * (len(SECTORS) + 1) + (s.row_sectors[rows] + 1))
            households, sectors = np.divmod(units, len(SECTORS) + 1)
            keys, n = np.unique(village_index[households] * (len(SECTORS) + 1) + sectors, return_counts=True)
            for key, k in zip(keys.tolist(), n.tolist(), strict=True):
                v, sector = divmod(key, len(SECTORS) + 1)
                counts[(str(village_codes[v]), need, sector - 1)] += k
    order = sorted((-n, v, need, sector) for (v, need, sector), n in counts.items())
    return [UnmetDemand(v, need, SECTORS[sector] if sector >= 0 else None, -n) for n, v, need, sector in order]


def unmet_households(s: Screened, *, need: str | None = None, sector: str | None = None) -> NDArray[np.bool_]:
    """Per household: it has a business (of ``sector``, when given) stating ``need`` (or any
    need) that no programme it is eligible or possibly eligible for meets."""
    covered = covered_by_need(s)
    out = np.zeros(s.n_households, dtype=bool)
    rows = np.ones(s.row_household.shape[0], dtype=bool)
    if sector is not None:
        rows &= s.row_sectors == SECTORS.index(sector)
    for n in NEEDS if need is None else (need,):
        has = rows & ((s.row_needs & NEED_BITS[n]) != 0)
        hit = s.row_household[has]
        out[hit[~covered[n][hit]]] = True
    return out


def _chunks(chunks: Screened | Sequence[Screened]) -> Sequence[Screened]:
    return [chunks] if isinstance(chunks, Screened) else chunks


@dataclass(frozen=True)
class UnusedSupply:
    program_id: int
    name: str
    organization: str
    eligible_households: int


def unused_supply(chunks: Screened | Sequence[Screened], referrals_by_program: Mapping[int, int]) -> list[UnusedSupply]:
    """Programmes with eligible households in the region that received no referral."""
    eligible: Counter[int] = Counter()
    facts: dict[int, ProgramFacts] = {}
    for s in _chunks(chunks):
        for i, n in enumerate((s.codes == ELIGIBLE).sum(axis=1).tolist()):
            p = s.programs[i]
            facts[p.program_id] = p
            eligible[p.program_id] += int(n)
    out = [
        UnusedSupply(pid, facts[pid].name, facts[pid].organization_name, n)
        for pid, n in eligible.items()
        if n > 0 and not referrals_by_program.get(pid)
    ]
    return sorted(out, key=lambda u: (-u.eligible_households, u.name, u.program_id))


def _programs_of(g: nx.MultiDiGraph, org: str) -> list[str]:
    return [b for _, b, t in g.out_edges(org, data="type") if t == "offers"]


@dataclass(frozen=True)
class Isolated:
    node: str
    kind: str
    label: str
    reason: str  # "no_facilitator_tie" | "no_partnership"


def isolated_stakeholders(g: nx.MultiDiGraph) -> list[Isolated]:
    """Organisations with no tie to any facilitator of the region (a tie being a partnership, a
    referral to one of its programmes, or a forum both belong to), and facilitators with no
    partnership. One pass over the raw adjacency: a province graph has 160,000 edges."""
    kind: dict[str, str] = dict(g.nodes(data="kind"))
    offers: dict[str, list[str]] = defaultdict(list)
    referred: set[str] = set()  # programmes some facilitator referred to
    forums_of: dict[str, set[str]] = defaultdict(set)
    forums_with_facilitators: set[str] = set()
    partnered: set[str] = set()
    partnered_with_facilitator: set[str] = set()
    for a, neighbours in g.adjacency():
        for b, keyed in neighbours.items():
            for data in keyed.values():
                t = data["type"]
                if t == "offers":
                    offers[a].append(b)
                elif t == "refers":
                    referred.add(b)
                elif t == "member_of":
                    forums_of[a].add(b)
                    if kind[a] == "facilitator":
                        forums_with_facilitators.add(b)
                elif t == "partners":
                    partnered |= {a, b}
                    if kind[a] == "facilitator":
                        partnered_with_facilitator.add(b)
                    if kind[b] == "facilitator":
                        partnered_with_facilitator.add(a)
    out = []
    for v, k in kind.items():
        if k == "organization":
            tied = (
                v in partnered_with_facilitator
                or any(p in referred for p in offers[v])
                or bool(forums_of[v] & forums_with_facilitators)
            )
            if not tied:
                out.append(Isolated(v, k, g.nodes[v].get("label", v), "no_facilitator_tie"))
        elif k == "facilitator" and v not in partnered:
            out.append(Isolated(v, k, g.nodes[v].get("label", v), "no_partnership"))
    return sorted(out, key=lambda i: (i.reason, i.label, i.node))


@dataclass(frozen=True)
class Caseload:
    facilitator_id: int
    name: str
    households: int

    @property
    def over_mark(self) -> bool:
        return self.households > CASELOAD_MARK


def load_summary(caseloads: Sequence[Caseload]) -> dict[str, Any]:
    """Caseloads against the 200-KPM mark: how many facilitators exceed it, and the spread."""
    sizes = sorted(c.households for c in caseloads)
    over = sum(1 for c in caseloads if c.over_mark)
    return {
        "mark": CASELOAD_MARK,
        "facilitators": len(sizes),
        "over_mark": over,
        "share_over_mark": over / len(sizes) if sizes else None,
        "median": float(np.median(sizes)) if sizes else None,
        "max": sizes[-1] if sizes else None,
    }


# --- suggestions ------------------------------------------------------------------------------


@dataclass
class LinkSuggestion:
    organization: str  # node id
    label: str
    eligible_households: int  # of the facilitator's families, eligible for one of its programmes
    possible_households: int  # not eligible for any, but possibly (facts missing)
    programs: list[tuple[str, int]]  # (programme name, eligible families), most first
    tied: bool
    tie_kinds: list[str]

    def reason(self, lang: Lang, shown: Callable[[int], str] = str) -> str:
        """Why this organisation, in the user's language; every count is written by ``shown``
        (which withholds small counts from those who may not see them)."""
        programs = ", ".join(f"{name} ({shown(n)})" for name, n in self.programs[:3])
        en = lang == "en"
        eligible, possible = shown(self.eligible_households), shown(self.possible_households)
        text = ""
        if self.eligible_households:
            text = (
                f"{eligible} of your families qualify for its programmes: {programs}."
                if en
                else f"{eligible} keluarga dampingan Anda memenuhi syarat programnya: {programs}."
            )
        if self.possible_households:
            more = (
                f" {possible} more may qualify once their data is complete."
                if en
                else f" {possible} keluarga lagi mungkin memenuhi syarat bila datanya dilengkapi."
            )
            text = (text + more).strip()
        if self.tied:
            kinds = ", ".join(TIE_WORDS[k][1 if en else 0] for k in self.tie_kinds)
            return text + (f" Already tied: {kinds}." if en else f" Sudah terhubung: {kinds}.")
        return text + (" No partnership, referral or shared forum yet." if en
                       else " Belum ada kemitraan, rujukan, atau forum bersama.")  # fmt: skip


def link_suggestions(g: nx.MultiDiGraph, facilitator_id: int, s: Screened) -> list[LinkSuggestion]:
    """Organisations for facilitator ``facilitator_id`` to meet first: those whose programmes
    would serve most of the facilitator's families (``s`` holds only them), untied ones first
    (a tie being a partnership, a referral or a shared forum)."""
    me = node_id("facilitator", facilitator_id)
    by_org: dict[int, list[int]] = defaultdict(list)
    for i, org in enumerate(s.program_orgs):
        by_org[org].append(i)
    out = []
    for org, rows in by_org.items():
        v = node_id("organization", org)
        codes = s.codes[rows]
        eligible = (codes == ELIGIBLE).any(axis=0)
        possible = (codes == UNKNOWN).any(axis=0) & ~eligible
        if not eligible.any() and not possible.any():
            continue
        per_program = sorted(
            ((s.programs[i].name, int((s.codes[i] == ELIGIBLE).sum())) for i in rows), key=lambda x: (-x[1], x[0])
        )
        kinds = sorted(_tie_kinds(g, me, v)) if v in g and me in g else []
        label = g.nodes[v]["label"] if v in g else s.programs[rows[0]].organization_name
        programs = [x for x in per_program if x[1] > 0]
        out.append(LinkSuggestion(v, label, int(eligible.sum()), int(possible.sum()), programs, bool(kinds), kinds))
    out.sort(key=lambda x: (x.tied, -x.eligible_households, -x.possible_households, x.label))
    return out


def _tie_kinds(g: nx.MultiDiGraph, facilitator: str, org: str) -> set[str]:
    kinds: set[str] = set()
    for a, b, t in [*g.out_edges(org, data="type"), *g.in_edges(org, data="type")]:
        if t == "partners" and facilitator in (a, b):
            kinds.add("partnership")
    programs = set(_programs_of(g, org))
    if any(t == "refers" and b in programs for _, b, t in g.out_edges(facilitator, data="type")):
        kinds.add("referral")
    mine = {b for _, b, t in g.out_edges(facilitator, data="type") if t == "member_of"}
    if any(t == "member_of" and b in mine for _, b, t in g.out_edges(org, data="type")):
        kinds.add("forum")
    return kinds


@dataclass(frozen=True)
class Invitation:
    organization: str  # node id
    label: str
    marginal_households: int  # (household, need) pairs newly covered, counted as households
    marginal_units: int
    cumulative_units: int
    programs: list[str]

    def reason(self, lang: Lang, shown: Callable[[int], str] = str) -> str:
        names = ", ".join(self.programs[:3])
        n = shown(self.marginal_households)
        if lang == "en":
            return f"Its programmes ({names}) would reach {n} more families whose needs no member of the forum meets."
        return f"Programnya ({names}) menjangkau {n} keluarga lagi yang kebutuhannya belum dilayani anggota forum."


def forum_invitations(
    chunks: Screened | Sequence[Screened], members: set[int], labels: Mapping[int, str], *, limit: int = 10
) -> tuple[int, list[Invitation]]:
    """Greedy cover: the organisations outside the forum whose programmes would cover the most
    of the demand its members leave unmet, each with its marginal gain over those chosen before.

    A unit of demand is a (household, need) pair from a business's stated needs. Returns the
    number of units the members leave unmet, and the invitations in order. Greedy cover is
    within 1 - 1/e of the best choice of that many organisations (Nemhauser et al. 1978); lazy
    evaluation keeps it to a few set operations per pick. Units are numbered across ``chunks``
    (need-major within each chunk, chunks one after another).
    """
    bits_of = {need: NEED_BITS[need] for need in NEEDS}
    unit_arrays: dict[int, list[Ints]] = defaultdict(list)
    names: dict[int, set[str]] = defaultdict(set)
    offset = 0
    unmet_units = 0
    starts: list[tuple[int, int]] = []  # (first unit, households) per chunk, to count households
    for s in _chunks(chunks):
        n_h = s.n_households
        wants = np.zeros((len(NEEDS), n_h), dtype=bool)
        for k, need in enumerate(NEEDS):
            rows = (s.row_needs & bits_of[need]) != 0
            wants[k, s.row_household[rows]] = True
        member_programs = np.array([o in members for o in s.program_orgs], dtype=bool)
        covered_now = covered_by_need(s, member_programs)
        unmet = wants & ~np.stack([covered_now[need] for need in NEEDS]) if n_h else wants
        unmet_units += int(unmet.sum())
        bits = program_need_bits(s.programs)
        reachable = s.codes >= UNKNOWN
        by_org: dict[int, list[int]] = defaultdict(list)
        for i, o in enumerate(s.program_orgs):
            if o not in members:
                by_org[o].append(i)
        for org, rows_of in sorted(by_org.items()):
            cover = np.zeros_like(unmet)
            for i in rows_of:
                for k, need in enumerate(NEEDS):
                    if bits[i] & bits_of[need]:
                        cover[k] |= reachable[i]
            units = np.flatnonzero((cover & unmet).ravel())
            if units.shape[0]:
                unit_arrays[org].append(units + offset)
                names[org] |= {s.programs[i].name for i in rows_of}
        starts.append((offset, n_h))
        offset += unmet.size
    gains = {org: np.concatenate(arrays) for org, arrays in unit_arrays.items()}
    first_units = np.array([a for a, _ in starts], dtype=np.int64)
    sizes = np.array([n for _, n in starts], dtype=np.int64)

    def household_keys(units: Ints) -> Ints:
        chunk = np.searchsorted(first_units, units, side="right") - 1
        return first_units[chunk] + (units - first_units[chunk]) % np.maximum(sizes[chunk], 1)

    taken = np.zeros(offset, dtype=bool)
    heap = [(-int(u.shape[0]), org) for org, u in gains.items()]
    heapq.heapify(heap)
    out: list[Invitation] = []
    total = 0
    while heap and len(out) < limit:
        _, org = heapq.heappop(heap)
        fresh = gains[org][~taken[gains[org]]]
        if fresh.shape[0] == 0:
            continue
        if heap and (-int(fresh.shape[0]), org) > heap[0]:  # the gain shrank: re-queue with its true value
            heapq.heappush(heap, (-int(fresh.shape[0]), org))
            continue
        taken[fresh] = True
        total += int(fresh.shape[0])
        households = int(np.unique(household_keys(fresh)).shape[0])
        v = node_id("organization", org)
        out.append(Invitation(v, labels.get(org, v), households, int(fresh.shape[0]), total, sorted(names[org])))
    return unmet_units, out


@dataclass(frozen=True)
class VillageCounts:
    """A village's families against an organisation's programmes (exact counts)."""

    households: int
    fitting: int  # with a business in a sector the programmes serve and a need their kinds meet
    eligible: int  # eligible for at least one of the programmes
    referred: int  # referred to one of the programmes, ever


def demand_per_village(
    cols: HouseholdColumns, programs: Sequence[ProgramFacts], codes: NDArray[np.int8], referred_ids: Sequence[int]
) -> dict[str, VillageCounts]:
    """Per village: families, those whose business the programmes could serve (a sector some
    programme serves, or any when one names none, with a stated need some programme's kind
    meets), those eligible for one of them (``codes`` of ``programs`` against ``cols``), and
    those ever referred (``referred_ids``).

    Parameters
    ----------
    cols
        The families of the organisation's service areas.
    programs, codes
        Its programmes and their screening of ``cols``.
    referred_ids
        Household ids referred to one of the programmes.

    Returns
    -------
    dict
        Village code to its counts, for every village with a family.
    """
    sectors = choice_codes("business.sector")
    any_sector = any(not p.sectors for p in programs)
    wanted_sectors = np.array(sorted({sectors[s] for p in programs for s in p.sectors}), dtype=np.int16)
    sector_fit = cols.has_business & (
        np.ones(cols.n_rows, dtype=bool) if any_sector else np.isin(cols.choices["business.sector"], wanted_sectors)
    )
    need_mask = 0
    for p in programs:
        for need in KIND_MEETS_NEEDS.get(p.kind, frozenset()):
            need_mask |= NEED_BITS[need]
    fits_row = sector_fit & ((cols.needs & need_mask) != 0)
    fits = np.logical_or.reduceat(fits_row, cols.row_starts) if cols.n_rows else fits_row
    eligible = (codes == ELIGIBLE).any(axis=0)
    referred = np.isin(cols.household_ids, np.array(sorted(set(referred_ids)), dtype=np.int64))
    code_of = {rid: code for code, rid in cols.region_ids.items()}
    village_of = [code_of[int(rid)] for rid in cols.regions[3][cols.row_starts]]
    totals: Counter[str] = Counter(village_of)
    counts: dict[str, Counter[str]] = {"fit": Counter(), "eligible": Counter(), "referred": Counter()}
    for i, code in enumerate(village_of):
        counts["fit"][code] += int(fits[i])
        counts["eligible"][code] += int(eligible[i])
        counts["referred"][code] += int(referred[i])
    return {
        code: VillageCounts(totals[code], counts["fit"][code], counts["eligible"][code], counts["referred"][code])
        for code in totals
    }


def eligible_counts(chunks: Sequence[Screened], program_ids: set[int]) -> list[DemandCount]:
    """Eligible households (screener code 2) per (village, programme) of ``program_ids``.

    Parameters
    ----------
    chunks
        A region's screening, regency by regency.
    program_ids
        The programmes to count for.

    Returns
    -------
    list of DemandCount
        One per village and programme with at least one eligible household, sorted.
    """
    counts: Counter[tuple[str, int]] = Counter()
    for screened in chunks:
        if not screened.n_households or not screened.programs:
            continue
        villages = np.array(screened.villages, dtype=object)
        for row, p in enumerate(screened.programs):
            if p.program_id not in program_ids:
                continue
            hit = screened.codes[row] == ELIGIBLE
            if hit.any():
                for code, n in Counter(villages[hit].tolist()).items():
                    counts[(code, p.program_id)] += n
    return [DemandCount(v, p, n) for (v, p), n in sorted(counts.items())]
