"""The service's errors: each carries its HTTP status (``service.api.errors`` renders them)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every error the service raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"detail": self.message}


class NotFound(ServiceError):
    status_code = 404


class Unauthorized(ServiceError):
    status_code = 401

    def __init__(self, message: str = "Not signed in or the session has expired") -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class QuotaExceeded(ServiceError):
    """429: the caller spent a budget (``Retry-After`` says when to try again)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


class InvalidInput(ServiceError):
    """422 shaped like FastAPI's validation errors, pointing at the offending field."""

    status_code = 422

    def __init__(self, message: str, *, loc: tuple[str | int, ...] = ("body",), kind: str = "invalid") -> None:
        super().__init__(message)
        self.loc = loc
        self.kind = kind

    def body(self) -> dict[str, Any]:
        return {"detail": [{"loc": list(self.loc), "msg": self.message, "type": self.kind}]}
