"""Settings from the environment (``JEJARING_*``, ``DATABASE_URL``), safe for development."""

from __future__ import annotations

import hashlib
import itertools
import zlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-before-production"


def weak_secret_reason(secret: str) -> str | None:
    """Why ``secret`` is too weak to sign tokens in production, or ``None``. The reason names the
    flaw, never any part of the secret."""
    if secret == DEV_SECRET:
        return "it is the development placeholder"
    if len(secret) < 32:
        return "shorter than 32 characters"
    if len(set(secret)) < 8:
        return "too few different characters"
    steps = [abs(ord(b) - ord(a)) for a, b in itertools.pairwise(secret)]
    if sum(step <= 1 for step in steps) > len(steps) * 2 // 3:
        return "runs of repeated or neighbouring characters"
    if len(zlib.compress(secret.encode(), 9)) < len(secret.encode()) * 0.7:
        return "a repeated pattern"
    return None


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting's error never prints the values (the secret key)
    model_config = SettingsConfigDict(
        env_prefix="JEJARING_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

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
    graduation_target_per_month: float = Field(
        default=2.0, gt=0, le=1000, description="Graduations a month asked of a facilitator (paper 002: 2)"
    )
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
    import_max_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1024, description="Largest caseload file accepted by an upload (bytes)"
    )
    login_limit_account: str = Field(
        default="6/minute",
        description="Sign-in attempts per account (moving window, limits' notation: 6/minute, 20/hour); "
        "a successful sign-in starts the account's count afresh",
    )
    login_limit_address: str = Field(
        default="30/minute", description="Sign-in attempts per client address, successful or not"
    )
    password_hash_concurrency: int = Field(
        default=2, ge=1, le=64, description="Password hashes computed at once per process (argon2: 64 MiB each)"
    )
    password_hash_wait_seconds: float = Field(
        default=10.0, gt=0, description="How long a sign-in waits for a free hash slot before answering 503"
    )
    retention_years: int = Field(
        default=5,
        ge=1,
        le=100,
        description="UU PDP retention: families that left PKH more than this many years ago are anonymised "
        "by `jejaring retention run` (or the privacy.retention job)",
    )
    hsds_max_uncompressed_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1, description="`jejaring hsds import`: the most a package may unzip to"
    )
    hsds_max_rows: int = Field(default=250_000, ge=1, description="`jejaring hsds import`: the most CSV rows")
    hsds_max_json_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1, description="`jejaring hsds import`: the largest datapackage.json or rule"
    )
    hsds_max_json_depth: int = Field(
        default=32, ge=1, le=200, description="`jejaring hsds import`: the deepest JSON nesting read"
    )
    preview_budget_per_day: int = Field(
        default=300,
        ge=1,
        le=100_000,
        description="Rule previews one user (not an admin) may run in 24 hours; then 429 until the oldest ages out",
    )

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/\s]+(/[^\s]*)?$",
        description="The address people reach the service at; links in emails start with it",
    )
    smtp_host: str | None = Field(default=None, description="Mail server for notification emails; none: no email")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = Field(default="Jejaring <jejaring@localhost>", description="From: of notification emails")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS before sign-in")
    smtp_timeout: float = Field(default=10.0, gt=0, le=300, description="Seconds to wait for the mail server")
    notify_max_attempts: int = Field(
        default=6, ge=1, le=50, description="Tries of one email before it stays failed (backoff doubles each time)"
    )
    notify_retry_seconds: int = Field(default=60, ge=1, description="Wait before the first retry of a failed email")
    notify_digest_hour: int = Field(
        default=7, ge=0, le=23, description="Local hour after which the daily digest emails go out"
    )
    referral_overdue_days: int = Field(
        default=7, ge=1, le=365, description="A referral waiting longer than this in one open status is overdue"
    )
    double_funding_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="A grant, loan or equipment for a need received within this many months makes a new "
        "referral for the same need carry an already_funded warning",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment != "production":
            return self
        for name, value in (("JEJARING_SECRET_KEY", self.secret_key), ("JEJARING_NIK_KEY", self.nik_key)):
            reason = weak_secret_reason(value) if value is not None else None
            if reason:
                raise ValueError(
                    f"{name} is too weak for production ({reason}): set it to a random value of 32+ "
                    "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
        return self

    @model_validator(mode="after")
    def _login_limits_parse(self) -> Settings:
        from limits import parse

        for name in ("login_limit_account", "login_limit_address"):
            try:
                parse(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"JEJARING_{name.upper()} is not a rate such as 6/minute") from exc
        return self

    @property
    def shared_store_url(self) -> str | None:
        """The Redis of the job queue, shared by every worker (rate limits); None on a SQLite queue."""
        return self.jobs_url if self.jobs_url.startswith(("redis://", "rediss://")) else None

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
