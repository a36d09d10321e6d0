"""The caseload import: a file's rows matched to stored families, refused with reasons or stored in bulk.

``import_households`` reads the file in batches. Each batch is parsed (``rows.Reader``), its
villages checked, its families matched to the file's earlier rows (the same family twice with
different data is refused) and to stored households (by ``pkh_id``, else by the NIK's keyed
hash, only within the caller's reach), and then written with a few statements per batch.

Modes (``ImportOptions``):

* ``dry_run``: nothing is written; the counts are what an import would do.
* ``accept_partial``: refused rows are left out, every other row is stored (a commit per batch).
* neither (the default): all or nothing. On PostgreSQL one pass in one transaction, rolled back
  if any row is refused. On SQLite, whose single writer would be held for the whole file, a
  first pass only checks (it writes nothing), and the rows are written, a commit per batch,
  only when it refused none.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.engine import Connection
from sqlmodel import Session

from models.households import PkhStatus
from models.types import utcnow
from models.users import Role
from service.core.audit import record_event
from service.core.scope import Scope
from service.errors import Forbidden, InvalidInput
from service.households.imports import queries
from service.households.imports.rows import Layout, Problem, Row
from service.households.imports.stream import Opener, batches_ahead, open_checked
from service.households.imports.values import mask_cell

VILLAGES_AT_ONCE: Final = 500
"""A batch naming more unknown villages than this loads the whole village list instead."""
REPORT_ROWS: Final = 50_000
"""Refused rows kept for the error report (their cells, NIK masked); the counts cover every row."""
PROBLEMS_KEPT: Final = 100_000


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    accept_partial: bool = False
    facilitator_id: int | None = None
    sheet: str | None = None


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run or a refused all-or-nothing import, would have done)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    stored: bool = False
    header: list[str] = field(default_factory=list)
    header_line: int = 1
    nik_index: int | None = None
    refused_cells: list[tuple[int, list[object]]] = field(default_factory=list)
    identities: dict[str, dict[str, str]] = field(default_factory=dict)
    households_created: int = 0
    businesses_created: int = 0
    groups_created: int = 0


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=65_536)
def _group_key(village: str, name: str) -> tuple[str, str]:
    return village, _SPACES.sub(" ", name).strip().casefold()


@dataclass
class _Seen:
    line: int
    fingerprint: int
    household_id: int | None  # None: the family's first row was refused


class _Pass:
    """One pass over the file: the state that spans batches."""

    def __init__(self, session: Session, scope: Scope, options: ImportOptions, *, write: bool) -> None:
        self.session = session
        self.conn: Connection = session.connection()
        self.scope = scope
        self.options = options
        self.write = write
        self.now = utcnow()
        self.outcome = ImportOutcome()
        self.seen: dict[str, _Seen] = {}
        self.seen_nik: dict[int, int] = {}  # first 16 hex digits of the NIK hash -> line
        self.villages_ok: set[str] = set()
        self.villages_bad: set[str] = set()
        self.villages_all = False
        self.mine: set[str] | None = None
        self.facilitator_id: int | None = options.facilitator_id
        if scope.role is Role.facilitator:
            assert scope.facilitator_id is not None
            self.facilitator_id = scope.facilitator_id
            self.mine = queries.facilitator_villages(self.conn, scope.facilitator_id)
        self.groups: dict[tuple[str, str], int] = {}
        self.group_villages: set[str] = set()
        self.foreign_groups: set[tuple[str, str]] = set()
        self.pending = queries.pending_identities(self.conn, scope.user_id, self.now) if scope.user_id else {}
        self.fake_ids = itertools.count(-1, -1)
        self.sim_businesses: dict[int, list[dict[str, Any]]] = {}

    # --- refusals -----------------------------------------------------------------------------

    def refuse(self, row: Row, cells: list[object], problems: list[Problem], nik_index: int | None) -> None:
        out = self.outcome
        out.refused_rows += 1
        room = PROBLEMS_KEPT - len(out.problems)
        if room > 0:
            out.problems.extend(problems[:room])
        if len(out.refused_cells) < REPORT_ROWS:
            shown = list(cells)
            if nik_index is not None and nik_index < len(shown):
                shown[nik_index] = mask_cell(shown[nik_index])
            out.refused_cells.append((row.line, shown))
            if row.nik_hash and row.pkh_id and not row.masked_input:
                out.identities[row.pkh_id] = {"hash": row.nik_hash, "masked": row.nik_masked or ""}

    # --- one batch ----------------------------------------------------------------------------

    def batch(self, rows: list[tuple[Row, list[object]]], layout: Layout, nik_index: int | None) -> None:
        live: list[tuple[Row, list[object]]] = []
        for row, cells in rows:
            self.outcome.rows += 1
            if row.problems:
                self.refuse(row, cells, row.problems, nik_index)
            else:
                live.append((row, cells))
        live = self._check_villages(live, layout, nik_index)
        firsts, repeats = self._within_file(live, layout, nik_index)
        ids = self._households(firsts, layout, nik_index)
        kept = []
        for row, cells, seen in repeats:
            if seen.household_id is None:
                problem = Problem(row.line, layout.header_of("pkh_id"), "imp.r.first_refused", {"line": seen.line})
                self.refuse(row, cells, [problem], nik_index)
            else:
                kept.append((row, cells, seen))
        self._businesses(firsts, kept, ids)

    def _check_villages(
        self, rows: list[tuple[Row, list[object]]], layout: Layout, nik_index: int | None
    ) -> list[tuple[Row, list[object]]]:
        codes = {r.household["village_code"] for r, _ in rows}
        unknown = codes - self.villages_ok - self.villages_bad
        if len(unknown) > VILLAGES_AT_ONCE and not self.villages_all:
            self.villages_ok = queries.all_villages(self.conn)  # a file across the country: load the list once
            self.villages_all = True
            unknown -= self.villages_ok
            self.villages_bad |= unknown
            unknown = set()
        if unknown and not self.villages_all:
            found = queries.known_villages(self.conn, unknown)
            self.villages_ok |= found
            self.villages_bad |= unknown - found
        elif unknown:  # the whole list is loaded: what is not in it does not exist
            self.villages_bad |= unknown
        kept = []
        title = layout.header_of("village_code")
        for row, cells in rows:
            code = row.household["village_code"]
            if code in self.villages_bad:
                self.refuse(row, cells, [Problem(row.line, title, "imp.r.region_unknown", {"code": code})], nik_index)
            elif self.mine is not None and code not in self.mine:
                self.refuse(row, cells, [Problem(row.line, title, "imp.r.region_not_yours", {"code": code})], nik_index)
            else:
                kept.append((row, cells))
        return kept

    def _within_file(
        self, rows: list[tuple[Row, list[object]]], layout: Layout, nik_index: int | None
    ) -> tuple[list[tuple[Row, list[object]]], list[tuple[Row, list[object], _Seen]]]:
        firsts: list[tuple[Row, list[object]]] = []
        repeats: list[tuple[Row, list[object], _Seen]] = []
        for row, cells in rows:
            if row.masked_input and row.nik_hash is None:
                identity = self.pending.get(row.pkh_id)
                if identity and identity.get("masked") == row.nik_masked:
                    row.nik_hash = identity["hash"]
            seen = self.seen.get(row.pkh_id)
            fingerprint = row.fingerprint()
            if seen is not None:
                if seen.fingerprint != fingerprint:
                    problem = Problem(row.line, layout.header_of("pkh_id"), "imp.r.twice", {"line": seen.line})
                    self.refuse(row, cells, [problem], nik_index)
                else:
                    repeats.append((row, cells, seen))  # its family's first row may still be refused below
                continue
            if row.nik_hash is not None:
                short = int(row.nik_hash[:16], 16)
                earlier = self.seen_nik.get(short)
                if earlier is not None:
                    problem = Problem(row.line, layout.header_of("nik"), "imp.r.nik_twice", {"line": earlier})
                    self.refuse(row, cells, [problem], nik_index)
                    continue
                self.seen_nik[short] = row.line
            self.seen[row.pkh_id] = _Seen(row.line, fingerprint, None)
            firsts.append((row, cells))
        return firsts, repeats

    # --- families -----------------------------------------------------------------------------

    def _reachable(self, stored: dict[str, Any]) -> bool:
        if stored["anonymised"]:
            return False
        if self.scope.is_admin:
            return True
        return self.scope.role is Role.facilitator and stored.get("facilitator_id") == self.scope.facilitator_id

    def _prepare_groups(self, rows: list[tuple[Row, list[object]]]) -> None:
        """Load the groups of the batch's villages and create the ones the rows name that are new."""
        wanted = list(dict.fromkeys((r.household["village_code"], r.group) for r, _ in rows if r.group))
        villages = {v for v, _ in wanted} - self.group_villages
        for group_id, code, group_name, owner in queries.groups_in(self.conn, villages):
            if self.mine is not None and owner != self.facilitator_id:
                self.foreign_groups.add(_group_key(code, group_name))  # another facilitator's group
            else:
                self.groups.setdefault(_group_key(code, group_name), group_id)
        self.group_villages |= villages
        missing: dict[tuple[str, str], dict[str, Any]] = {}
        for village, name in wanted:
            key = _group_key(village, name)
            if key not in self.groups and key not in missing and key not in self.foreign_groups:
                missing[key] = {
                    "name": _SPACES.sub(" ", name).strip(),
                    "village_code": village,
                    "facilitator_id": self.facilitator_id,
                    "leader_household_id": None,
                    "version": 1,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
        if not missing:
            return
        values = list(missing.values())
        ids = (
            queries.insert_rows(self.conn, queries.GROUP, values)
            if self.write
            else [next(self.fake_ids) for _ in values]
        )
        self.groups.update(zip(missing, ids, strict=True))
        self.outcome.groups_created += len(ids)

    def _group_id(self, village: str, name: str | None) -> int | None:
        """The id of the group ``name`` in ``village`` (prepared for the batch), ``None`` for no group."""
        if not name:
            return None
        key = _group_key(village, name)
        if key not in self.groups:  # a village that changed after the batch was prepared
            self._prepare_groups_for(village, name)
        return self.groups[key]

    def _prepare_groups_for(self, village: str, name: str) -> None:
        row = Row(0, {"village_code": village}, None, name, True, None, None, False, [])
        self.group_villages.discard(village)
        self._prepare_groups([(row, [])])

    def _households(
        self, rows: list[tuple[Row, list[object]]], layout: Layout, nik_index: int | None
    ) -> dict[int, int]:
        """Store (or match) the family of each first row; return row line -> household id."""
        by_pkh, by_nik = queries.households_by_identity(
            self.conn, [r.pkh_id for r, _ in rows], [r.nik_hash for r, _ in rows if r.nik_hash]
        )
        ids: dict[int, int] = {}
        inserts: list[tuple[Row, dict[str, Any]]] = []
        self._prepare_groups(rows)
        id_title, nik_title = layout.header_of("pkh_id"), layout.header_of("nik")
        for row, cells in rows:
            stored = by_pkh.get(row.pkh_id)
            owner = by_nik.get(row.nik_hash) if row.nik_hash else None
            problem: Problem | None = None
            if stored is not None and owner is not None and owner["id"] != stored["id"]:
                problem = Problem(row.line, nik_title, "imp.r.identity_refused")
            stored = stored or owner
            if row.group and _group_key(row.household["village_code"], row.group) in self.foreign_groups:
                problem = Problem(row.line, layout.header_of("group"), "imp.r.group_not_yours", {"group": row.group})
            if problem is None and stored is not None and not self._reachable(stored):
                problem = Problem(row.line, id_title, "imp.r.identity_refused")
            if problem is None and stored is not None and stored["restricted"]:
                problem = Problem(row.line, id_title, "imp.r.restricted")
            if problem is None and row.masked_input:
                if stored is not None and stored["nik_masked"] != row.nik_masked:
                    problem = Problem(row.line, nik_title, "imp.r.nik_masked_other")
                elif stored is None and row.nik_hash is None:
                    problem = Problem(row.line, nik_title, "imp.r.nik_masked_new")
            if problem is not None:
                self.refuse(row, cells, [problem], nik_index)
                continue
            if stored is None:
                inserts.append((row, self._new_household(row)))
                continue
            changed = self._update_household(row, stored)
            if changed is None:
                self.refuse(row, cells, [Problem(row.line, id_title, "imp.r.changed_meanwhile")], nik_index)
                continue
            ids[row.line] = stored["id"]
            self.seen[row.pkh_id].household_id = stored["id"]
            row.outcome = "updated" if changed else "unchanged"
        if inserts:
            values = [v for _, v in inserts]
            new_ids = (
                queries.insert_rows(self.conn, queries.HOUSEHOLD, values)
                if self.write
                else [next(self.fake_ids) for _ in values]
            )
            for (row, _), new_id in zip(inserts, new_ids, strict=True):
                ids[row.line] = new_id
                self.seen[row.pkh_id].household_id = new_id
                row.outcome = "created"
            self.outcome.households_created += len(inserts)
        return ids

    def _new_household(self, row: Row) -> dict[str, Any]:
        values: dict[str, Any] = dict.fromkeys(queries.HOUSEHOLD_COLUMNS)
        values.pop("id")
        values.update(row.household)
        status = values.get("pkh_status") or PkhStatus.active
        values.update(
            pkh_status=str(status),
            nik_hash=row.nik_hash,
            nik_masked=row.nik_masked,
            facilitator_id=self.facilitator_id,
            group_id=self._group_id(values["village_code"], row.group),
            version=1,
            created_at=self.now,
            updated_at=self.now,
            exited_on=None if status == PkhStatus.active else self.now.date(),
        )
        return values

    def _update_household(self, row: Row, stored: dict[str, Any]) -> bool | None:
        """Write what differs; ``True`` changed, ``False`` nothing to change, ``None`` moved meanwhile."""
        changes = {k: v for k, v in row.household.items() if stored.get(k) != v}
        if row.nik_hash is not None and row.nik_hash != stored["nik_hash"]:
            changes.update(nik_hash=row.nik_hash, nik_masked=row.nik_masked)
        village = row.household.get("village_code", stored["village_code"])
        facilitator_id = stored["facilitator_id"]
        if self.options.facilitator_id is not None and self.options.facilitator_id != facilitator_id:
            facilitator_id = changes["facilitator_id"] = self.options.facilitator_id
        if row.group_given:
            group_id = self._group_id(village, row.group)
            if group_id != stored["group_id"]:
                changes["group_id"] = group_id
        elif village != stored["village_code"] and stored["group_id"] is not None:
            changes["group_id"] = None  # the family moved away from its group's village
        if "pkh_status" in changes and (changes["pkh_status"] == PkhStatus.active) != (
            stored["pkh_status"] == PkhStatus.active
        ):
            changes["exited_on"] = None if changes["pkh_status"] == PkhStatus.active else self.now.date()
        if not changes:
            return False
        if not self.write:
            return True
        changes["updated_at"] = self.now
        if "pkh_status" in changes:
            changes["pkh_status"] = str(changes["pkh_status"])
        ok = queries.update_row(
            self.conn, queries.HOUSEHOLD, row_id=stored["id"], version=stored["version"], values=changes
        )
        return True if ok else None

    # --- businesses ---------------------------------------------------------------------------

    def _businesses(
        self,
        firsts: list[tuple[Row, list[object]]],
        repeats: list[tuple[Row, list[object], _Seen]],
        ids: dict[int, int],
    ) -> None:
        work: list[tuple[Row, int]] = [(r, ids[r.line]) for r, _ in firsts if r.line in ids]
        work += [(r, seen.household_id) for r, _, seen in repeats if seen.household_id is not None]
        work.sort(key=lambda item: item[0].line)
        needed = {hid for r, hid in work if r.business is not None}
        lists = queries.businesses_of(self.conn, [hid for hid in needed if hid > 0])
        if not self.write:  # what earlier batches of this check would have added
            for hid in needed:
                if hid in self.sim_businesses:
                    lists.setdefault(hid, []).extend(self.sim_businesses[hid])
        inserts: list[dict[str, Any]] = []
        for row, hid in work:
            outcome = row.outcome
            if row.business is not None:
                known = lists.setdefault(hid, [])
                business = row.business
                match = next(
                    (
                        b
                        for b in known
                        if b["sector"] == business["sector"]
                        and ("started_on" not in business or b["started_on"] == business["started_on"])
                    ),
                    None,
                )
                if match is None:
                    values: dict[str, Any] = dict.fromkeys(queries.BUSINESS_COLUMNS)
                    values.pop("id")
                    values.update(sales_channels=[], needs=[])
                    values.update(business)
                    values.update(
                        household_id=hid,
                        sector=str(business["sector"]),
                        version=1,
                        created_at=self.now,
                        updated_at=self.now,
                    )
                    if self.write:
                        known.append(values)
                        inserts.append(values)
                    else:
                        known.append(dict(business))
                        self.sim_businesses.setdefault(hid, []).append(known[-1])
                    outcome = "created" if outcome != "updated" else outcome
                else:
                    changes = {k: v for k, v in business.items() if match.get(k) != v}
                    if changes:
                        if self.write and match.get("id") is not None:
                            changes["updated_at"] = self.now
                            if not queries.update_row(
                                self.conn,
                                queries.BUSINESS,
                                row_id=match["id"],
                                version=match["version"],
                                values=changes,
                            ):
                                raise InvalidInput("A business changed while it was imported; import the file again")
                            match["version"] += 1
                        match.update(changes)
                        if outcome == "unchanged":
                            outcome = "updated"
            if outcome == "created":
                self.outcome.created += 1
            elif outcome == "updated":
                self.outcome.updated += 1
            else:
                self.outcome.unchanged += 1
        if inserts:
            queries.insert_rows(self.conn, queries.BUSINESS, inserts)
        self.outcome.businesses_created += len(inserts)


def may_import(scope: Scope) -> None:
    """403 unless the caller is an administrator or a facilitator linked to a facilitator record."""
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return
    if not scope.is_admin:
        raise Forbidden("Only administrators and facilitators (their own caseload) import households")


def check_caller(session: Session, scope: Scope, options: ImportOptions) -> None:
    """Who may import into which caseload, before anything is read or kept."""
    may_import(scope)
    if options.sheet is not None and len(options.sheet) > 100:
        raise InvalidInput("sheet: a sheet's name has at most 100 characters", loc=("body", "sheet"))
    if scope.role is Role.facilitator and options.facilitator_id not in (None, scope.facilitator_id):
        raise Forbidden("A facilitator imports families into their own caseload only")
    if options.facilitator_id is not None and not queries.facilitator_exists(
        session.connection(), options.facilitator_id
    ):
        raise InvalidInput(f"facilitator {options.facilitator_id} does not exist", loc=("body", "facilitator_id"))


def import_households(
    session: Session,
    scope: Scope,
    *,
    opener: Opener,
    options: ImportOptions,
    nik_key: bytes,
    progress: Callable[[float, int], None] | None = None,
    request_id: str | None = None,
    job_id: str | None = None,
    one_transaction: bool | None = None,
) -> ImportOutcome:
    """Import a caseload file for the caller (``FileRefused`` for a file that cannot be read at all).

    ``one_transaction`` (default: on PostgreSQL only) makes an all-or-nothing import one pass in
    one transaction; otherwise it checks first and writes a batch per commit (module docstring).
    """
    check_caller(session, scope, options)
    postgres = session.connection().dialect.name == "postgresql"
    single = postgres if one_transaction is None else one_transaction
    check_first = not options.dry_run and not options.accept_partial and not single
    passes = [False, True] if check_first else [not options.dry_run]
    outcome = ImportOutcome()
    for number, write in enumerate(passes):
        weight, offset = (0.5, 0.5 * number) if len(passes) == 2 else (1.0, 0.0)
        table, layout, nik_index = open_checked(opener, options.sheet)
        run = _Pass(session, scope, options, write=write)
        per_batch_commit = write and (options.accept_partial or check_first)
        for batch in batches_ahead(table, layout, nik_key):
            run.batch(batch, layout, nik_index)
            if per_batch_commit:
                session.commit()
                run.conn = session.connection()
            if progress is not None:
                progress(offset + weight * table.fraction(), run.outcome.rows)
            if write and run.outcome.refused_rows and not options.accept_partial and not single:
                break  # a race after the check: stop here (README: the SQLite all-or-nothing import)
        outcome = run.outcome
        outcome.header = [("" if c is None else str(c)) for c in table.header]
        outcome.header_line, outcome.nik_index = table.header_line, nik_index
        if not write and check_first and outcome.refused_rows:
            break
    keep = not options.dry_run and (options.accept_partial or outcome.refused_rows == 0)
    if keep:
        record_event(
            session,
            actor_user_id=scope.user_id,
            action="import",
            entity="household",
            entity_id=job_id,
            request_id=request_id,
            detail={
                "rows": outcome.rows,
                "households_created": outcome.households_created,
                "businesses_created": outcome.businesses_created,
                "updated": outcome.updated,
                "refused": outcome.refused_rows,
            },
        )
        session.commit()
        outcome.stored = True
    else:
        session.rollback()
    return outcome
