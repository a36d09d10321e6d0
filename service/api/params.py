"""Query parameters shared by the JSON routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip")]
