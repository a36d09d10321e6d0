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


class PreconditionFailed(ServiceError):
    """412: the record is no longer at the version an ``If-Match`` header named."""

    status_code = 412


class InvalidInput(ServiceError):
    """422 shaped like FastAPI's validation errors, pointing at the offending field."""

    status_code = 422

    def __init__(self, message: str, *, loc: tuple[str | int, ...] = ("body",), kind: str = "invalid") -> None:
        super().__init__(message)
        self.loc = loc
        self.kind = kind

    def body(self) -> dict[str, Any]:
        return {"detail": [{"loc": list(self.loc), "msg": self.message, "type": self.kind}]}


class TooManyRequests(ServiceError):
    """429: the caller must wait ``retry_after`` seconds (sent as ``Retry-After``)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        retry_after = max(1, retry_after)
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class ServiceUnavailable(ServiceError):
    """503: the service is too busy right now; try again after ``retry_after`` seconds."""

    status_code = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        retry_after = max(1, retry_after)
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class PayloadTooLarge(ServiceError):
    """413: the request's body (an uploaded file) is over the configured limit."""

    status_code = 413
