"""One handler renders every ``ServiceError`` with its status; validation errors never echo input."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.errors import ServiceError


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
