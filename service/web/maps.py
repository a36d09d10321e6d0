"""The maps over HTTP: ``/maps/stakeholders``, ``/maps/households/{id}`` and ``/maps/gaps``.

Each returns the map as an HTML document (embedded in the users' pages in an iframe) or, with
``?format=geojson``, the same layers as GeoJSON. The caller is the signed-in page user (cookie)
or an API client (bearer token); the layers are built for that caller (``service.maps``).
Responses are gzip-compressed when the client accepts it: a map's data compresses tenfold.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape

from mapping.maps import MapDoc, render_html, to_geojson
from models.types import MAX_ID, NoNul, RegionCode
from models.users import User
from service import maps as svc
from service.core.scope import Scope
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, oauth2_scheme, request_id
from service.errors import ServiceError, Unauthorized
from service.i18n import translator
from service.people.accounts import PasswordChangeRequired, user_for_token
from service.settings import Settings
from service.web.headers import map_headers
from service.web.kit import language_of

router = APIRouter(prefix="/maps", tags=["maps"])

Format = Annotated[Literal["html", "geojson"], Query(description="html (default) or geojson: the same layers")]
Tiles = Annotated[bool, Query(description="Draw the OpenStreetMap base tiles (false: the layers alone, offline)")]
Region = Annotated[RegionCode, Query(description="Region code of any level, e.g. 32.73")]


def map_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Scope:
    """The API client's bearer token or the page user's session cookie; 401 without either."""
    user: User | None = user_for_token(session, token, secret=settings.secret_key) or user_for_token(
        session, request.cookies.get(SESSION_COOKIE), secret=settings.secret_key
    )
    if user is None:
        raise Unauthorized()
    request.state.user_id = user.id
    if user.must_change_password:
        raise PasswordChangeRequired()
    return Scope.for_user(session, user)


Caller = Annotated[Scope, Depends(map_caller)]


def _compressed(request: Request, body: bytes, media_type: str) -> Response:
    headers = {"Cache-Control": "private, no-store", "Vary": "Accept-Encoding"}
    if media_type.startswith("text/html"):
        headers |= map_headers(body.decode())
    if "gzip" in request.headers.get("accept-encoding", "") and len(body) > 1024:
        return Response(gzip.compress(body, 6), media_type=media_type, headers=headers | {"Content-Encoding": "gzip"})
    return Response(body, media_type=media_type, headers=headers)


def _error(request: Request, settings: Settings, exc: ServiceError, fmt: str) -> Response:
    if fmt == "geojson":
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
    t = translator(language_of(request, settings))
    body = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(t("map.error"))}</title></head>'
        f'<body style="font:15px sans-serif;padding:1em"><p role="alert">{escape(t("map.error"))}: '
        f"{escape(exc.message)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=exc.status_code, headers=(exc.headers or {}) | map_headers(body))


def _answer(request: Request, settings: Settings, build: Callable[[], MapDoc], fmt: str, tiles: bool) -> Response:
    try:
        doc = build()
    except ServiceError as exc:
        return _error(request, settings, exc, fmt)
    if fmt == "geojson":
        body = json.dumps(to_geojson(doc), ensure_ascii=False, separators=(",", ":")).encode()
        return _compressed(request, body, "application/geo+json")
    return _compressed(request, render_html(doc, tiles=tiles).encode(), "text/html; charset=utf-8")


@router.get("/stakeholders", response_class=HTMLResponse)
def stakeholder_map(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    scope: Caller,
    region: Region,
    format: Format = "html",
    tiles: Tiles = True,
) -> Response:
    """Organisations by kind, community and centrality; service and facilitator areas; referral
    flows by outcome; suggested links (dashed); households as counts per H3 cell (the caller's
    own families as points)."""
    lang = language_of(request, settings)
    return _answer(
        request,
        settings,
        lambda: svc.stakeholder_map(
            session, scope, region, today=settings.today(), lang=lang, request_id=request_id(request)
        ),
        format,
        tiles,
    )


@router.get("/households/{household_id}", response_class=HTMLResponse)
def household_map(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    scope: Caller,
    household_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    format: Format = "html",
    tiles: Tiles = True,
) -> Response:
    """One family, its eligible, possible and near-miss programmes' nearest service points and
    the distances (the family's own facilitator and admins; 404 for anyone else)."""
    lang = language_of(request, settings)
    return _answer(
        request,
        settings,
        lambda: svc.household_map(
            session, scope, household_id, today=settings.today(), lang=lang, request_id=request_id(request)
        ),
        format,
        tiles,
    )


@router.get("/gaps", response_class=HTMLResponse)
def gap_map(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    scope: Caller,
    region: Region,
    need: Annotated[
        str | None, Query(max_length=40, description="Only this business need (capital, training, ...)"), NoNul
    ] = None,
    sector: Annotated[
        str | None, Query(max_length=40, description="Only businesses of this sector (culinary, ...)"), NoNul
    ] = None,
    format: Format = "html",
    tiles: Tiles = True,
) -> Response:
    """Families whose business need no reachable programme meets, per H3 cell (and per village
    on imported boundaries), with the coverage of the programmes meeting that need."""
    lang = language_of(request, settings)
    return _answer(
        request,
        settings,
        lambda: svc.gap_map(session, scope, region, today=settings.today(), lang=lang, need=need, sector=sector),
        format,
        tiles,
    )
