"""What one import works with: the session, the package's rows, the publisher, and the records
each HSDS id was matched or written as; with the lookups that match a record to one already in
the catalogue and the write that adds one, whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from models.organizations import HsdsExternalId, Location, Organization, Program
from models.users import Role
from service.core.regions import require_regions
from service.core.scope import Scope
from service.errors import InvalidInput, ServiceError
from service.hsds import queries
from service.hsds.cells import errors_text
from service.hsds.ids import NAMESPACE, find_by_uuid, organization_uuid, parse_uuid, service_uuid
from service.hsds.profile import REGION_RE
from service.hsds.report import ImportReport, Row
from service.hsds.rows import PackageRows
from service.hsds.taxonomy import FIELD

Model = type[Organization] | type[Location] | type[Program]
REQUEST_ID = "hsds-import"  # what the audit trail records as the request of an import's writes


class Written(Protocol):
    """What a catalogue write returns: a record with its new id."""

    @property
    def id(self) -> int | None: ...


class ImportContext:
    """One import: its session and rows, and the local record each HSDS id became."""

    def __init__(
        self,
        session: Session,
        descriptor: dict[str, Any],
        rows: PackageRows,
        report: ImportReport,
        actor_user_id: int | None,
    ) -> None:
        self.session = session
        self.rows = rows
        self.report = report
        # A system import has no user; the audit trail then records no actor.
        self.scope = Scope(user_id=actor_user_id, role=Role.admin)
        self.from_jejaring = (descriptor.get("jejaring") or {}).get("id_namespace") == str(NAMESPACE)
        # Another publisher's ids are remembered per publisher, so re-importing its package (even
        # after a record was renamed here) finds the same records instead of adding new ones.
        publisher = descriptor.get("name") or descriptor.get("homepage") or descriptor.get("id")
        self.source = None if self.from_jejaring else str(publisher or "unnamed-package")[:200]
        self.org_map: dict[str, int] = {}  # HSDS id -> local id, for organisations taken
        self.loc_map: dict[str, int] = {}
        self.svc_map: dict[str, int] = {}
        self._maps = {"organization": self.org_map, "location": self.loc_map, "service": self.svc_map}

    # --- matching a record already here

    def known(self, entity: str, hid: str, model: Model) -> int | None:
        """The local record this publisher's ``hid`` was imported as before, if it still exists."""
        if self.source is None:
            return None
        local = queries.external_local_id(self.session, source=self.source, entity=entity, external_id=hid)
        if local is None or self.session.get(model, local) is None:
            return None
        return local

    def remember(self, entity: str, hid: str, local_id: int) -> None:
        """Record (once) which local record this publisher's id is."""
        if self.source is None:
            return
        key = (self.source, entity, hid)
        row = self.session.get(HsdsExternalId, key)
        if row is None:
            self.session.add(HsdsExternalId(source=self.source, entity=entity, external_id=hid, local_id=local_id))
        elif row.local_id != local_id:
            row.local_id = local_id
            self.session.add(row)
        self.session.commit()

    def match_organization(self, hid: str, name: str, region: str) -> int | None:
        """The organisation called ``name`` in ``region``, or (a Jejaring package) the one with id ``hid``."""
        found = queries.organization_named(self.session, name=name, region=region)
        if found is not None:
            return found
        if self.from_jejaring:
            return find_by_uuid(queries.organizations_named(self.session, name), organization_uuid, hid)
        return None

    def match_named(
        self, model: type[Location] | type[Program], org_id: int, name: str, hid: str, to_uuid: Callable[[int], str]
    ) -> int | None:
        """``org_id``'s location (programme) called ``name``, or (a Jejaring package) the one with id ``hid``."""
        found = queries.named_of_organization(self.session, model, org_id=org_id, name=name)
        if found is not None:
            return found
        if self.from_jejaring:
            return find_by_uuid(queries.named(self.session, model, name), to_uuid, hid)
        return None

    def resolve_service(self, ref: str) -> int | None:
        """The local programme a service id of the package (or, for ours, of this database) is."""
        if ref in self.svc_map:
            return self.svc_map[ref]
        if self.from_jejaring and ref not in self.rows.svcs:
            return find_by_uuid(queries.program_ids(self.session), service_uuid, ref)
        return None

    def organization_of(self, entity: str, hid: str, row: Row, children: list[Row]) -> int | None:
        """The local id of the organisation a location or service row belongs to; else refuse them."""
        org_hid = parse_uuid(row.get("organization_id"))
        if org_hid is not None and org_hid in self.org_map:
            return self.org_map[org_hid]
        refused = self.rows.refused_entities
        why = (
            f"its organisation {org_hid} was refused ({refused[org_hid].where})"
            if org_hid in refused
            else f"organization_id {row.get('organization_id')!r} is not an organisation of the package"
        )
        self.rows.refuse_entity(entity, hid, row, [why], children)
        return None

    # --- regions

    def check_region(self, code: str, source: Row | None, problems: list[str]) -> str | None:
        """``code`` when it is a Kemendagri code in the region list; else refuse ``source`` and say why."""
        reason = None
        if not REGION_RE.match(code):
            reason = f"region code {code!r} is not a Kemendagri code like 32.73"
        else:
            try:
                require_regions(self.session, [code], loc=("region_code",))
            except InvalidInput as exc:
                reason = exc.message
        if reason is None:
            return code
        if source is not None:
            source.refuse(reason)
            reason = f"{source.where}: {reason}"
        problems.append(reason)
        return None

    def region_by_name(self, name: str | None, province: str | None, level: str) -> str | None:
        """The one region of ``level`` called ``name`` (also as KOTA or KABUPATEN ``name``), in ``province``."""
        if not name:
            return None
        wanted = name.strip().upper()
        rows = queries.regions_named(self.session, level=level, names={wanted, f"KOTA {wanted}", f"KABUPATEN {wanted}"})
        if province and len(rows) > 1:
            prov = queries.province_named(self.session, province)
            rows = [r for r in rows if prov and r[0].startswith(prov + ".")]
        return rows[0][0] if len(rows) == 1 else None

    def location_region(self, hid: str) -> str | None:
        """A location's region code: its region_code attribute, else the regency its address's city names."""
        for row, t in self.rows.attributes("location", hid):
            if (t.taxonomy, t.code) == (FIELD, "region_code"):
                return row.get("value")
        addresses = self.rows.addresses.get(hid, [])
        if addresses:
            return self.region_by_name(addresses[0].get("city"), addresses[0].get("state_province"), "regency")
        return None

    def common_location_region(self, org_hid: str) -> str | None:
        """For a package without the org's region: the narrowest region holding all its locations."""
        codes = []
        for lhid, lrow in self.rows.locs.items():
            if parse_uuid(lrow.get("organization_id")) != org_hid:
                continue
            code = self.location_region(lhid)
            if code and REGION_RE.match(code):
                codes.append(code.split("."))
        if not codes:
            return None
        common: list[str] = []
        for parts in zip(*codes, strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
        return ".".join(common) or None

    # --- writing

    def commit_entity(self, create: Callable[[], Written]) -> tuple[int | None, str | None]:
        """Run one catalogue write (it commits itself); on failure roll back and say why."""
        try:
            obj = create()
        except ServiceError as exc:
            self.session.rollback()
            return None, exc.message
        except (ValidationError, ValueError) as exc:
            self.session.rollback()
            return None, errors_text(exc) if isinstance(exc, ValidationError) else str(exc)
        except sa.exc.SQLAlchemyError as exc:
            self.session.rollback()
            return None, f"the database refused it ({exc.__class__.__name__})"
        assert obj.id is not None
        return int(obj.id), None

    def settle(
        self,
        entity: str,
        hid: str,
        row: Row,
        children: list[Row],
        *,
        existing: int | None,
        create: Callable[[], Written],
    ) -> bool:
        """Take ``row`` and its children as the ``existing`` record, or as the one ``create`` writes.

        Returns whether a record was created; when the write fails, the rows are refused instead.
        """
        if existing is None:
            new_id, error = self.commit_entity(create)
            if error or new_id is None:
                self.rows.refuse_entity(entity, hid, row, [error or "refused"], children)
                return False
            local, counts = new_id, self.report.created
        else:
            local, counts = existing, self.report.existing
        self.remember(entity, hid, local)
        self._maps[entity][hid] = local
        counts[entity] += 1
        row.status = "taken"
        self.rows.take_children(children)
        return existing is None
