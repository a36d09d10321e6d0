"""What stands between a password guesser and the password hashes: rate limits per account and per
client address (moving windows of the ``limits`` library, in the job queue's Redis when there is
one so that every worker counts together, else in this process's memory), and a bound on the
password hashes computed at once (argon2 takes 64 MiB each; unbounded, 40 concurrent sign-ins
took a server from 289 MB to 1.27 GB)."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from service.errors import ServiceUnavailable, TooManyRequests
from service.settings import Settings

_NAMESPACE = "jejaring-signin"


def _key(kind: str, value: str) -> str:
    """A fixed-size key that keeps usernames and addresses out of the shared store."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


@dataclass
class SignInGuard:
    """The rate limits and the hash slots of one process (the limits' store may be shared)."""

    storage: Storage
    per_account: RateLimitItem
    per_address: RateLimitItem
    hash_slots: int
    hash_wait_seconds: float

    def __post_init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._slots = threading.BoundedSemaphore(self.hash_slots)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInGuard:
        """The guard ``settings`` describe; Redis when the job queue uses Redis."""
        url = settings.shared_store_url
        storage = storage_from_string(url) if url else MemoryStorage()
        assert isinstance(storage, Storage)  # a synchronous store (no async+ scheme)
        return cls(
            storage=storage,
            per_account=parse(settings.login_limit_account),
            per_address=parse(settings.login_limit_address),
            hash_slots=settings.password_hash_concurrency,
            hash_wait_seconds=settings.password_hash_wait_seconds,
        )

    def _retry_after(self, item: RateLimitItem, key: str) -> int:
        reset = self.limiter.get_window_stats(item, _NAMESPACE, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def admit(self, *, username: str, address: str) -> None:
        """Count one sign-in attempt; ``TooManyRequests`` once the address or the account is over
        its limit. Counted before the password is checked, so concurrent tries cannot slip by."""
        for item, key in ((self.per_address, _key("address", address)), (self.per_account, _key("account", username))):
            if not self.limiter.hit(item, _NAMESPACE, key):
                raise TooManyRequests(
                    "Too many sign-in attempts; try again later", retry_after=self._retry_after(item, key)
                )

    def succeeded(self, *, username: str) -> None:
        """The account's owner signed in: its failed attempts no longer count against it."""
        self.limiter.clear(self.per_account, _NAMESPACE, _key("account", username))

    @contextmanager
    def hash_slot(self) -> Iterator[None]:
        """Hold one of the process's password-hash slots; 503 when none frees up in time."""
        if not self._slots.acquire(timeout=self.hash_wait_seconds):
            raise ServiceUnavailable("The service is busy signing people in; try again shortly", retry_after=5)
        try:
            yield
        finally:
            self._slots.release()
