"""Settings from the environment (``JEJARING_*``, ``DATABASE_URL``), safe for development."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-before-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JEJARING_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="sqlite:///var/jejaring.db",
        validation_alias=AliasChoices("DATABASE_URL", "JEJARING_DATABASE_URL"),
    )
    secret_key: str = DEV_SECRET
    nik_key: str | None = Field(
        default=None,
        description="Key of the NIK hash; derived from secret_key when unset. Never rotate "
        "it without rehashing every stored NIK.",
    )
    token_minutes: int = Field(default=8 * 60, ge=1)
    default_language: Literal["id", "en"] = "id"
    timezone: str = Field(
        default="Asia/Jakarta",
        description="Whose calendar decides 'today' for ages, business months and application windows",
    )
    log_level: str = "INFO"
    jobs_url: str = Field(
        default="sqlite:///var/jobs.db",
        pattern=r"^(sqlite:///.+|rediss?://.+)$",
        description="Job queue: a SQLite file (no server; a consumer runs inside `jejaring serve`) or "
        "redis://host:port/db (run `jejaring worker` beside the web processes)",
    )
    jobs_queue: str = Field(
        default="jejaring", pattern=r"^[A-Za-z0-9_]{1,64}$", description="Queue name inside the jobs storage"
    )
    jobs_workers: int = Field(default=2, ge=1, le=64, description="Jobs run at once by one consumer")
    preview_budget_per_day: int = Field(
        default=300,
        ge=1,
        le=100_000,
        description="Rule previews one user (not an admin) may run in 24 hours; then 429 until the oldest ages out",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("JEJARING_SECRET_KEY must be set to a random value of 32+ characters in production")
        return self

    @model_validator(mode="after")
    def _known_timezone(self) -> Settings:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"JEJARING_TIMEZONE {self.timezone!r} is not an IANA time zone") from exc
        return self

    def today(self) -> date:
        """Today's date where the programmes run (WIB by default), not the server's UTC date."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    @property
    def nik_hash_key(self) -> bytes:
        if self.nik_key:
            return self.nik_key.encode()
        return hashlib.sha256(b"jejaring-nik:" + self.secret_key.encode()).digest()

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite://":
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
