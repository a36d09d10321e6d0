"""An imported package's rows, indexed: entity rows by HSDS id, child rows by their parent's id,
attributes by the record they link to, and the Jejaring term each attribute names. Every row
ends taken, refused (with its reason) or ignored; this module keeps that account, with no
database in sight."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from service.hsds.cells import service_ids_in
from service.hsds.ids import parse_uuid
from service.hsds.limits import PackageLimits, PackageRefused
from service.hsds.package import TABLES, read_csv
from service.hsds.report import ImportReport, Row
from service.hsds.taxonomy import FIELD, TAXONOMIES, TERM_BY_CODE, TERMS, Term

_LINKED_ENTITIES = ("organization", "location", "service", "schedule")


def _paths(descriptor: dict[str, Any]) -> dict[str, str]:
    """The file of each table: ours, unless the descriptor's resources name another."""
    paths = {t.name: t.path for t in TABLES} | {"address": "addresses.csv"}  # addresses: other publishers
    for res in descriptor.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("name"), str) and isinstance(res.get("path"), str):
            paths[res["name"]] = res["path"]
    return paths


class PackageRows:
    """The rows of one package by table, entity and parent, and what became of each."""

    def __init__(
        self,
        descriptor: dict[str, Any],
        files: dict[str, bytes],
        report: ImportReport,
        limits: PackageLimits | None = None,
    ) -> None:
        self.report = report
        self.limits = limits or PackageLimits()
        self.paths = _paths(descriptor)
        known = set(self.paths.values())
        total = 0
        for name, data in sorted(files.items()):
            rows = read_csv(name, data, report, self.limits, total)
            total += len(rows)
            report.files[name] = rows
            if name not in known:
                for r in rows:
                    r.status, r.reason = r.status or "ignored", r.reason or "table not kept by Jejaring"
        self.tables: dict[str, list[Row]] = {table: report.files.get(path, []) for table, path in self.paths.items()}
        self.refused_entities: dict[str, Row] = {}  # HSDS id -> its refused row

        self.orgs = self._index("organization")
        self.locs = self._index("location")
        self.svcs = self._index("service")
        self.terms = self._terms()
        self.attrs = self._linked_attributes()
        self.phones = self._children("phone", "organization_id")
        self.addresses = self._children("address", "location_id")
        self.areas = self._children("service_area", "service_id")
        self.schedules = self._children("schedule", "service_id")
        self.capacities = self._children("service_capacity", "service_id")
        self.sals = self._children("service_at_location", "service_id")
        self.units = self._index("unit")
        for row in self.units.values():
            row.status = "taken"
        self.schedule_ids = {parse_uuid(r.get("id")): r for rows in self.schedules.values() for r in rows}

    # --- indexing

    def _index(self, table: str) -> dict[str, Row]:
        """Rows of an entity table by id; rows without a valid or with a repeated id are refused."""
        out: dict[str, Row] = {}
        for row in self.tables.get(table, []):
            if row.status:
                continue
            rid = parse_uuid(row.get("id"))
            if rid is None:
                row.refuse(f"id {row.get('id')!r} is not a UUID")
            elif rid in out:
                row.refuse(f"id {rid} repeats {out[rid].where}")
            else:
                out[rid] = row
        return out

    def _children(self, table: str, key: str) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for row in self.tables.get(table, []):
            if row.status:
                continue
            parent = parse_uuid(row.get(key))
            if parent is None:
                if table == "phone" and not row.get(key):
                    row.ignore("not an organisation's phone")
                elif table == "schedule" and not row.get(key) and row.get("location_id"):
                    row.ignore("a service point's opening hours (not imported)")
                else:
                    row.refuse(f"{key} {row.get(key)!r} is not a UUID")
                continue
            out[parent].append(row)
        return out

    def _terms(self) -> dict[str, Term]:
        """Attribute term ids -> Jejaring terms (our ids, or another id naming our taxonomy and code)."""
        terms = dict(TERMS)
        tax_by_id = {t.id: t.key for t in TAXONOMIES.values()}
        for row in self.tables.get("taxonomy_term", []):
            if row.status:
                continue
            row.status = "taken"
            rid = parse_uuid(row.get("id"))
            key = tax_by_id.get(parse_uuid(row.get("taxonomy_id")) or "") or row.get("taxonomy")
            t = TERM_BY_CODE.get((key or "", row.get("code") or ""))
            if rid and t:
                terms[rid] = t
        for row in self.tables.get("taxonomy", []):
            row.status = row.status or "taken"
        return terms

    def _linked_attributes(self) -> dict[tuple[str, str], list[Row]]:
        """Attribute rows by (entity, HSDS id) of the record they link to."""
        attrs: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in self.tables.get("attribute", []):
            if row.status:
                continue
            entity, link = row.get("link_entity"), parse_uuid(row.get("link_id"))
            if entity not in _LINKED_ENTITIES:
                row.ignore(f"attributes of {entity or 'nothing'} are not kept")
            elif link is None:
                row.refuse(f"link_id {row.get('link_id')!r} is not a UUID")
            else:
                attrs[(entity, link)].append(row)
        return attrs

    # --- reading one record's rows

    def term_of(self, row: Row) -> Term | None:
        """The Jejaring term an attribute row names."""
        return self.terms.get(parse_uuid(row.get("taxonomy_term_id")) or "")

    def attributes(self, entity: str, hsds_id: str) -> list[tuple[Row, Term]]:
        """A record's attributes with their terms; those of other taxonomies are ignored."""
        out = []
        for row in self.attrs.get((entity, hsds_id), []):
            t = self.term_of(row)
            if t is None:
                row.ignore("term outside the Jejaring taxonomies")
                continue
            out.append((row, t))
        return out

    def one(self, attrs: list[tuple[Row, Term]], taxonomy: str, code: str | None, problems: list[str]) -> Row | None:
        """The attribute of ``taxonomy`` (and ``code``); a second one is refused."""
        found = [(r, t) for r, t in attrs if t.taxonomy == taxonomy and (code is None or t.code == code)]
        for r, _ in found[1:]:
            r.refuse(f"a second {code or taxonomy} attribute (first at {found[0][0].where})")
            problems.append(f"{r.where}: a second {code or taxonomy} attribute")
        return found[0][0] if found else None

    def schedule_roles(self, schedule_id: str) -> set[str]:
        """The jejaring-field codes a schedule's attributes name; attributes of other taxonomies are ignored."""
        links = self.attrs.get(("schedule", schedule_id), [])
        roles = {t.code for a in links if (t := self.term_of(a)) is not None and t.taxonomy == FIELD}
        for a in links:
            if not self.term_of(a):
                a.ignore("term outside the Jejaring taxonomies")
        return roles

    def service_refs(self, hid: str) -> tuple[Row | None, Any, list[str]]:
        """The eligibility_rule attribute of a service, its parsed JSON and the service ids it names."""
        for row, t in self.attributes("service", hid):
            if (t.taxonomy, t.code) != (FIELD, "eligibility_rule"):
                continue
            try:
                rule = self.limits.json_loads(row.get("value") or "{}", what="the eligibility rule")
            except (json.JSONDecodeError, PackageRefused) as exc:
                return row, exc, []
            return row, rule, service_ids_in(rule)
        return None, None, []

    def service_children(self, hid: str) -> list[Row]:
        """Every row that belongs to a service: attributes, areas, schedules (and theirs), capacities, locations."""
        schedules = self.schedules.get(hid, [])
        schedule_attrs = [a for s in schedules for a in self.attrs.get(("schedule", parse_uuid(s.get("id")) or ""), [])]
        return (
            list(self.attrs.get(("service", hid), []))
            + self.areas.get(hid, [])
            + schedules
            + schedule_attrs
            + self.capacities.get(hid, [])
            + self.sals.get(hid, [])
        )

    # --- the account

    @staticmethod
    def take_children(rows: Iterable[Row]) -> None:
        """Mark the rows not yet settled as taken."""
        for r in rows:
            if not r.status:
                r.status = "taken"

    def refuse_entity(self, kind: str, hid: str, row: Row, problems: list[str], children: list[Row]) -> None:
        """Refuse a record's row for ``problems``, and the rows that belong to it with it."""
        row.refuse("; ".join(problems) or "refused")
        self.refused_entities[hid] = row
        for r in children:
            if not r.status:
                r.status, r.reason = "refused", f"belongs to the refused {kind} at {row.where}"

    def settle_the_rest(self) -> None:
        """Refuse the child rows that point at no record of the package; ignore what is left unread."""
        self._refuse_unlinked_attributes()
        for index, parent in (
            (self.phones, "organization"),
            (self.addresses, "location"),
            (self.areas, "service"),
            (self.schedules, "service"),
            (self.capacities, "service"),
            (self.sals, "service"),
        ):
            for pid, rows in index.items():
                for r in rows:
                    if not r.status:
                        r.refuse(f"refers to {parent} {pid}, which is not in {self.paths[parent]}")
        for rows in self.report.files.values():
            for r in rows:
                if not r.status:
                    r.ignore("not linked to anything Jejaring keeps")

    def _refuse_unlinked_attributes(self) -> None:
        entity_ids = {"organization": self.orgs, "location": self.locs, "service": self.svcs}
        for (entity, link), rows in self.attrs.items():
            parents = self.schedule_ids if entity == "schedule" else (entity_ids.get(entity) or {})
            if link not in parents:
                for r in rows:
                    r.refuse(f"links to {entity} {link}, which is not in {self.paths[entity]}")
