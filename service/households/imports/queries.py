"""The import's SQL: batched lookups and bulk writes (SQLAlchemy Core; PostgreSQL ``COPY`` for inserts).

Every function works on a ``Connection`` inside the import's transaction and touches whole
batches (a few thousand rows), never one row per statement, except updates of changed families.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from models.households import Business, Facilitator, FacilitatorVillage, Household, KpmGroup
from models.jobs import Upload, UploadPurpose
from models.regions import Region, RegionLevel
from service.core.scope import Scope
from service.households.imports.contract import COLUMNS

HOUSEHOLD = Household.__table__  # type: ignore[attr-defined]
BUSINESS = Business.__table__  # type: ignore[attr-defined]
GROUP = KpmGroup.__table__  # type: ignore[attr-defined]
REGION = Region.__table__  # type: ignore[attr-defined]
VILLAGES = FacilitatorVillage.__table__  # type: ignore[attr-defined]
UPLOAD = Upload.__table__  # type: ignore[attr-defined]

HOUSEHOLD_COLUMNS: tuple[str, ...] = tuple(c.name for c in HOUSEHOLD.columns)
BUSINESS_COLUMNS: tuple[str, ...] = tuple(c.name for c in BUSINESS.columns)


def _among(conn: Connection, column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column IN values``; on PostgreSQL one array parameter (``= ANY``), not thousands of them."""
    if conn.dialect.name == "postgresql":
        item = sa.Integer() if values and isinstance(values[0], int) else sa.String()
        return column == sa.any_(sa.bindparam(None, list(values), type_=postgresql.ARRAY(item)))
    return column.in_(list(values))


def known_villages(conn: Connection, codes: Iterable[str]) -> set[str]:
    wanted = sorted(set(codes))
    if not wanted:
        return set()
    rows = conn.execute(
        sa.select(REGION.c.code).where(REGION.c.level == RegionLevel.village.value, _among(conn, REGION.c.code, wanted))
    )
    return set(rows.scalars().all())


def all_villages(conn: Connection) -> set[str]:
    """Every village code (83,763): loaded once when a file spans more villages than a lookup pays for."""
    return set(
        conn.execute(sa.select(REGION.c.code).where(REGION.c.level == RegionLevel.village.value)).scalars().all()
    )


def facilitator_villages(conn: Connection, facilitator_id: int) -> set[str]:
    rows = conn.execute(sa.select(VILLAGES.c.village_code).where(VILLAGES.c.facilitator_id == facilitator_id))
    return {r[0] for r in rows}


def facilitator_exists(conn: Connection, facilitator_id: int) -> bool:
    table = Facilitator.__table__  # type: ignore[attr-defined]
    return conn.execute(sa.select(table.c.id).where(table.c.id == facilitator_id)).first() is not None


_HOUSEHOLD_FIELDS = tuple(c.field for c in COLUMNS if c.target == "household" and c.field != "pkh_id")
"""The household fields a file may carry (the contract's), compared on a match and written by an export."""
_BUSINESS_FIELDS = tuple(c.field for c in COLUMNS if c.target == "business")
_IDENTITY_COLUMNS = (
    "id",
    "version",
    "pkh_id",
    "nik_hash",
    "nik_masked",
    "facilitator_id",
    "group_id",
    *_HOUSEHOLD_FIELDS,
)


def _identity_select() -> sa.Select[Any]:
    """What a match needs of a stored household: its fields, its version, whether it may be processed."""
    return sa.select(
        *(HOUSEHOLD.c[name] for name in _IDENTITY_COLUMNS),
        HOUSEHOLD.c.restricted_at.is_not(None).label("restricted"),
        HOUSEHOLD.c.anonymised_at.is_not(None).label("anonymised"),
    )


def households_by_identity(
    conn: Connection, pkh_ids: Sequence[str], digests: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Stored households whose pkh_id or nik_hash is among these: (by pkh_id, by nik_hash), as dicts.

    One query (a family matching both ways comes once): on a re-import every row matches.
    """
    by_pkh: dict[str, dict[str, Any]] = {}
    by_nik: dict[str, dict[str, Any]] = {}
    if not pkh_ids and not digests:
        return by_pkh, by_nik
    names = (*_IDENTITY_COLUMNS, "restricted", "anonymised")
    wanted_pkh, wanted_nik = set(pkh_ids), set(digests)
    condition = sa.or_(_among(conn, HOUSEHOLD.c.pkh_id, pkh_ids), _among(conn, HOUSEHOLD.c.nik_hash, digests))
    for row in conn.execute(_identity_select().where(condition)).all():
        found = dict(zip(names, row, strict=True))
        if found["pkh_id"] in wanted_pkh:
            by_pkh[found["pkh_id"]] = found
        if found["nik_hash"] in wanted_nik:
            by_nik[found["nik_hash"]] = found
    return by_pkh, by_nik


def businesses_of(conn: Connection, household_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    ids = sorted(set(household_ids))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for row in conn.execute(sa.select(BUSINESS).where(_among(conn, BUSINESS.c.household_id, ids))).mappings().all():
            found[row["household_id"]].append(dict(row))
    return found


def groups_in(conn: Connection, villages: Iterable[str]) -> list[tuple[int, str, str, int | None]]:
    """The KPM groups of these villages: (id, village, name, facilitator id)."""
    codes = sorted(set(villages))
    if not codes:
        return []
    stmt = sa.select(GROUP.c.id, GROUP.c.village_code, GROUP.c.name, GROUP.c.facilitator_id).where(
        _among(conn, GROUP.c.village_code, codes)
    )
    return [(r[0], r[1], r[2], r[3]) for r in conn.execute(stmt)]


def _next_ids(conn: Connection, table: sa.Table, count: int) -> list[int]:
    """``count`` fresh ids of ``table`` (PostgreSQL: drawn from its sequence in one statement)."""
    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar_one()
    rows = conn.execute(
        sa.text("SELECT nextval(CAST(:s AS regclass)) FROM generate_series(1, :n)"), {"s": sequence, "n": count}
    )
    return [int(r[0]) for r in rows]


def _copy(conn: Connection, table: sa.Table, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    raw = conn.connection.dbapi_connection
    assert raw is not None
    quoted = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:  # type: ignore[attr-defined]
        write = copy.write_row
        if not json_columns.intersection(columns):
            for row in rows:
                write(list(row.values()))  # every row's keys are in the order of ``columns``
            return
        for row in rows:
            write([json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c] for c in columns])


def insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (dicts without ``id``) and return their new ids, in order."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        ids = _next_ids(conn, table, len(rows))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id  # the same key order in every row (built alike), "id" last
        _copy(conn, table, tuple(rows[0]), rows)
        return ids
    # SQLite: the first row's insert takes the database's write lock (held to the commit), so no
    # other writer can take the ids after it; the rest go in one executemany with those ids.
    first = int(conn.execute(sa.insert(table).returning(table.c.id), rows[0]).scalar_one())
    rows[0]["id"] = first
    for offset, row in enumerate(rows[1:], start=1):
        row["id"] = first + offset
    if len(rows) > 1:
        conn.execute(sa.insert(table), rows[1:])
    return [first + offset for offset in range(len(rows))]


def update_row(conn: Connection, table: sa.Table, *, row_id: int, version: int, values: dict[str, Any]) -> bool:
    """Write ``values`` to one row still at ``version`` (its version moves on); ``False`` if it moved meanwhile."""
    stmt = (
        sa.update(table).where(table.c.id == row_id, table.c.version == version).values(**values, version=version + 1)
    )
    return conn.execute(stmt).rowcount == 1


def pending_identities(conn: Connection, owner_user_id: int, now: datetime) -> dict[str, Any]:
    """The NIK hashes of refused rows in the owner's unexpired import reports, by pkh_id (newest wins)."""
    stmt = (
        sa.select(UPLOAD.c.meta)
        .where(
            UPLOAD.c.owner_user_id == owner_user_id,
            UPLOAD.c.purpose == UploadPurpose.import_report.value,
            UPLOAD.c.expires_at > now,
        )
        .order_by(UPLOAD.c.created_at)
    )
    found: dict[str, Any] = {}
    for (meta,) in conn.execute(stmt):
        found.update((meta or {}).get("identities") or {})
    return found


def caseload_rows(conn: Connection, *, facilitator_id: int | None, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """The households (of one facilitator, or all) as rows of the import's columns, one per business."""
    where = [HOUSEHOLD.c.anonymised_at.is_(None)]
    if facilitator_id is not None:
        where.append(HOUSEHOLD.c.facilitator_id == facilitator_id)
    stmt = (
        sa.select(HOUSEHOLD, GROUP.c.name.label("group_name"))
        .select_from(HOUSEHOLD.outerjoin(GROUP, GROUP.c.id == HOUSEHOLD.c.group_id))
        .where(*where)
        .order_by(HOUSEHOLD.c.village_code, HOUSEHOLD.c.pkh_id)
    )
    result = conn.execute(stmt).mappings()
    while batch := result.fetchmany(chunk):
        businesses = businesses_of(conn, [h["id"] for h in batch])
        for household in batch:
            base = {
                "pkh_id": household["pkh_id"],
                "nik": household["nik_masked"],
                "group": household["group_name"],
                **{k: household[k] for k in _HOUSEHOLD_FIELDS},
            }
            owned = sorted(businesses[household["id"]], key=lambda b: b["id"])
            if not owned:
                yield base
            for business in owned:
                yield base | {f"business_{k}": business[k] for k in _BUSINESS_FIELDS}


def family_in_care(session: Session, scope: Scope, pkh_id: str) -> tuple[int, list[Business]] | None:
    """The family of ``pkh_id`` if it is in the caller's care, with its businesses (else ``None``)."""
    hid = session.exec(select(Household.id).where(scope.where(Household), col(Household.pkh_id) == pkh_id)).first()
    if hid is None:
        return None
    return hid, list(session.exec(select(Business).where(col(Business.household_id) == hid).order_by(col(Business.id))))
