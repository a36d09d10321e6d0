"""Parameters shared by the JSON routers: bounded ids, paging, text, and the sign-in form.

Every integer that reaches a query is bounded by the column it is compared with (ids are
PostgreSQL ``integer``: 1 to 2^31-1), so a path or query value no database can hold answers 422
instead of an overflow deep in the driver. Every text has a length limit and refuses NUL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query
from fastapi.security import OAuth2PasswordRequestForm

from models.types import MAX_ID, MAX_OFFSET, NoNul

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A record's id")]
TextQuery = Annotated[str | None, Query(max_length=100, description="Part of the name"), NoNul]


class SignInForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form with a length limit on every field."""

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$", max_length=8)] = None,
        username: Annotated[str, Form(max_length=80), NoNul],
        password: Annotated[str, Form(max_length=200, json_schema_extra={"format": "password"}), NoNul],
        scope: Annotated[str, Form(max_length=200)] = "",
        client_id: Annotated[str | None, Form(max_length=200)] = None,
        client_secret: Annotated[str | None, Form(max_length=200, json_schema_extra={"format": "password"})] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )
