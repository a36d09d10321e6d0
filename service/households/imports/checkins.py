"""The ``checkins`` sheet of a caseload file (or a check-in CSV): one business visit a row.

Its own small contract (the family's PKH id, which business, the visit's facts), cells read by the
caseload import's ``values``, rows stored through ``record_checkin``'s rules (``store_checkin``:
reach, the refusals, audit, the business's facts from the latest check-in) and committed in
batches. A row that cannot be stored is reported with its line, its column and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import ValidationError
from sqlmodel import Session

from models.households import Business
from models.monitoring import BusinessCheckinCreate
from service.core.scope import Scope
from service.errors import Forbidden, InvalidInput
from service.households.checkins import store_checkin
from service.households.imports import queries
from service.households.imports.contract import Column
from service.households.imports.files import Table
from service.households.imports.messages import render
from service.households.imports.values import PARSERS, Refused
from service.i18n import N_, translator

SHEET: Final = "checkins"
BATCH: Final = 500

COLUMNS: Final[tuple[Column, ...]] = (
    Column("pkh_id", "text", "household", "pkh_id", ("ID PKH", "IDPKH"), required=True, max_length=40),
    Column("business_name", "text", "business", "name", ("Nama Usaha", "Usaha"), max_length=200),
    Column("sector", "enum", "business", "sector", ("Sektor", "Bidang Usaha"), choices="sector"),
    Column("checked_on", "date", "business", "checked_on", ("Tanggal Kunjungan", "Tanggal"), required=True),
    Column("monthly_revenue", "rupiah", "business", "monthly_revenue", ("Omzet", "Omzet per Bulan"), required=True),
    Column("monthly_costs", "rupiah", "business", "monthly_costs", ("Biaya", "Biaya per Bulan")),
    Column("workers", "int", "business", "workers", ("Pekerja", "Jumlah Pekerja"), low=0, high=1000),
    Column("sales_channels", "enums", "business", "sales_channels", ("Saluran Penjualan",), choices="sales_channel"),
    Column("certifications", "text", "business", "certifications", ("Sertifikat",), max_length=100),
    Column("loan_status", "text", "business", "loan_status", ("Status Pinjaman",), max_length=40),
    Column("note", "text", "business", "note", ("Catatan",), max_length=2000),
    Column("confirm_jump", "bool", "business", "confirm_jump", ("Konfirmasi Lonjakan",)),
)
CERTIFICATE_WORDS: Final = {"nib": "nib", "pirt": "pirt", "p-irt": "pirt", "halal": "halal"}
LOAN_WORDS: Final = {
    "current": "current", "lancar": "current", "late": "late", "menunggak": "late",
    "repaid": "repaid", "lunas": "repaid",
}  # fmt: skip
REASONS: Final = (
    N_("imp.c.missing_columns"),
    N_("imp.c.household"),
    N_("imp.c.business"),
    N_("imp.c.which_business"),
    N_("imp.c.certificate"),
    N_("imp.c.loan"),
)


def _key(header: object) -> str:
    return re.sub(r"[\s_]+", "", str(header or "")).lower()


def is_header(cells: list[object]) -> bool:
    """Whether a row is the sheet's header: it names at least three check-in columns."""
    wanted = {_key(n) for c in COLUMNS for n in (c.name, *c.aliases)}
    return sum(_key(c) in wanted for c in cells) >= 3


@dataclass
class CheckinImport:
    """What a check-in sheet did: rows read, stored, and each refusal (line, column, reason)."""

    rows: int = 0
    stored: int = 0
    refused: list[tuple[int, str, str]] = field(default_factory=list)


def _cells(cells: list[object], where: dict[str, int]) -> dict[str, Any]:
    """A row's values by column name (raising ``Refused`` with the column's name)."""
    out: dict[str, Any] = {}
    for column in COLUMNS:
        raw = cells[where[column.name]] if column.name in where and where[column.name] < len(cells) else None
        try:
            value = PARSERS[column.kind](raw, column)
        except Refused as refused:
            refused.params["column"] = column.name
            raise
        if column.name == "certifications" and value:
            words = [w.strip().lower() for w in re.split(r"[;,]", value) if w.strip()]
            if any(w not in CERTIFICATE_WORDS for w in words):
                raise Refused("imp.c.certificate", column=column.name)
            value = [CERTIFICATE_WORDS[w] for w in words]
        if column.name == "loan_status" and value:
            if value.lower() not in LOAN_WORDS:
                raise Refused("imp.c.loan", column=column.name)
            value = LOAN_WORDS[value.lower()]
        if column.required and value in (None, ""):
            raise Refused("imp.r.required", column=column.name)
        out[column.name] = value
    return out


def _business(row: dict[str, Any], businesses: list[Business]) -> Business:
    if row["business_name"]:
        named = [b for b in businesses if (b.name or "").strip().lower() == row["business_name"].strip().lower()]
        if len(named) == 1:
            return named[0]
    candidates = [b for b in businesses if row["sector"] in (None, b.sector)]
    if len(candidates) == 1 and not row["business_name"]:
        return candidates[0]
    raise Refused("imp.c.which_business" if len(candidates) > 1 else "imp.c.business", column="business_name")


def import_checkins(
    session: Session,
    scope: Scope,
    table: Table,
    *,
    today: date,
    lang: str = "id",
    dry_run: bool = False,
    request_id: str | None = None,
) -> CheckinImport:
    """Store the check-ins of ``table`` for families in the caller's care; each refused row reported."""
    t = translator(lang)
    wanted = {_key(n): c.name for c in COLUMNS for n in (c.name, *c.aliases)}
    where = {wanted[_key(h)]: i for i, h in reversed(list(enumerate(table.header))) if _key(h) in wanted}
    missing = [c.name for c in COLUMNS if c.required and c.name not in where]
    if missing:
        raise InvalidInput(t("imp.c.missing_columns").format(columns=", ".join(missing)), loc=("body", "file"))
    outcome = CheckinImport()
    families: dict[str, tuple[int, list[Business]] | None] = {}
    for line, cells in table.rows:
        if not any(c not in (None, "") for c in cells):
            continue
        outcome.rows += 1
        try:
            row = _cells(cells, where)
            pkh = str(row["pkh_id"])
            if pkh not in families:
                families[pkh] = queries.family_in_care(session, scope, pkh)
            family = families[pkh]
            if family is None:
                raise Refused("imp.c.household", column="pkh_id")
            business = _business(row, family[1])
            data = BusinessCheckinCreate.model_validate(
                {k: row[k] for k in row if k not in ("pkh_id", "business_name", "sector")}
                | {"confirm_jump": bool(row["confirm_jump"])}
            )
            store_checkin(session, scope, business=business, data=data, today=today, request_id=request_id)
        except Refused as refused:
            outcome.refused.append(
                (line, str(refused.params.get("column", "")), render(refused.key, refused.params, lang))
            )
            continue
        except ValidationError as exc:
            err = exc.errors()[0]
            outcome.refused.append((line, str(err["loc"][0]), str(err["msg"])))
            continue
        except InvalidInput as exc:
            message = t(f"checkin.err.{exc.kind}") if exc.kind in KINDS else exc.message
            outcome.refused.append((line, str(exc.loc[-1]), message))
            continue
        except Forbidden as exc:
            outcome.refused.append((line, "", exc.message))
            continue
        outcome.stored += 1
        if outcome.stored % BATCH == 0 and not dry_run:
            session.commit()
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return outcome


KINDS: Final = frozenset({"future_date", "before_start", "negative", "confirm_jump", "no_loan"})
