"""Shared constrained types and column helpers used by every model module."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, EmailStr, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

REGION_CODE_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
_REGION_CODE_RE = re.compile(REGION_CODE_PATTERN)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month) - (end.day < start.day)
    return max(0, months)


def age_on(birth: date, today: date) -> int:
    """Age in whole years on ``today`` of someone born on ``birth``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _check_region_code(value: str) -> str:
    if not _REGION_CODE_RE.fullmatch(value):
        raise ValueError("a region code looks like 32, 32.73, 32.73.16 or 32.73.16.1002 (Kemendagri)")
    return value


def refuse_nul(value: str) -> str:
    """``value`` unless it holds a NUL character (PostgreSQL cannot store one in text)."""
    if "\x00" in value:
        raise ValueError("text cannot contain the NUL character (\\u0000)")
    return value


NoNul = AfterValidator(refuse_nul)
"""Refuses text holding a NUL character; part of every text type below."""

# Text of the service, each with the length of its column: the write schemas (create and update)
# and the response schemas share these types, so nothing is stored that a read could not return.
Name = Annotated[str, Field(min_length=1, max_length=200), NoNul]
ShortName = Annotated[str, Field(min_length=1, max_length=120), NoNul]
Phone = Annotated[str, Field(max_length=40), NoNul]
Address = Annotated[str, Field(max_length=500), NoNul]
WebAddress = Annotated[str, Field(max_length=500), NoNul]
Email = Annotated[EmailStr, Field(max_length=200)]
Description = Annotated[str, Field(max_length=4000), NoNul]
Note = Annotated[str, Field(max_length=2000), NoNul]
Identifier = Annotated[str, Field(min_length=1, max_length=40), NoNul]
"""A short code another system gave (a PKH id)."""

RegionCode = Annotated[str, Field(max_length=13), NoNul, AfterValidator(_check_region_code)]
"""A Kemendagri code of any level: province, regency, district or village."""

MAX_ID = 2**31 - 1
"""The largest id a row can have: ids are PostgreSQL ``integer`` columns."""
MAX_OFFSET = 2**31 - 1
"""The most rows a list skips (far above any table; keeps OFFSET in every database's range)."""
MAX_AMOUNT = 10**15
"""The largest count or amount of a ``BigInteger`` column people write (seats or rupiah)."""

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A reference to a row by its id."""
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="The version you read")]
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
"""A whole count or amount in a ``BigInteger`` column (a programme's seats or rupiah)."""

Rupiah = Annotated[int, Field(ge=0, le=1_000_000_000_000)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


def region_level(code: str) -> str:
    """Return the level a region code names, by its number of parts."""
    return ("province", "regency", "district", "village")[code.count(".")]


def region_ancestors(code: str) -> list[str]:
    """Return the code and every ancestor code, from the code itself upwards."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def code_within(code: str, scope: str) -> bool:
    """Tell whether region ``code`` lies in (or is) region ``scope``."""
    return code == scope or code.startswith(scope + ".")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no time zone, PostgreSQL does; this type makes both give back
    aware UTC datetimes so comparisons and JSON output are identical.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def enum_column(enum: type[StrEnum], *, nullable: bool = False, name: str | None = None, **kwargs: Any) -> Any:
    """A string column holding one value of ``enum``, with a named CHECK constraint."""
    return SQLField(
        sa_type=sa.Enum(
            enum,
            name=name or enum.__name__.lower(),
            native_enum=False,
            create_constraint=True,
            length=40,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=nullable,
        **kwargs,
    )


def json_column(*, nullable: bool = True, **kwargs: Any) -> Any:
    """A JSON column (JSONB-compatible on PostgreSQL, TEXT on SQLite)."""
    return SQLField(sa_type=sa.JSON, nullable=nullable, **kwargs)


class Timestamped(SQLModel):
    """Adds created_at/updated_at to a table; updated_at moves on every UPDATE."""

    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = SQLField(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class Versioned(Timestamped):
    """A record people edit: carries ``version`` for optimistic concurrency."""

    version: int = SQLField(default=1, nullable=False)
