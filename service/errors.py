"""The service's errors: each carries its HTTP status; one handler renders them all."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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


class InvalidInput(ServiceError):
    """422 shaped like FastAPI's validation errors, pointing at the offending field."""

    status_code = 422

    def __init__(self, message: str, *, loc: tuple[str | int, ...] = ("body",), kind: str = "invalid") -> None:
        super().__init__(message)
        self.loc = loc
        self.kind = kind

    def body(self) -> dict[str, Any]:
        return {"detail": [{"loc": list(self.loc), "msg": self.message, "type": self.kind}]}


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


async def _handle_validation(_request: Request, exc: Exception) -> JSONResponse:
    """422 naming each faulty field, without echoing the submitted values (they may hold a NIK)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        for err in exc.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Map every ``ServiceError`` to its status and body; strip input values from 422s."""
    app.add_exception_handler(ServiceError, _handle)
    app.add_exception_handler(RequestValidationError, _handle_validation)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or the token expired"},
    404: {"description": "No such record, or it lies outside your scope"},
}
