"""Builds the FastAPI application: API under /api/v1, pages, health, errors, request ids."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from service.api import (
    benefits,
    catalog,
    forums,
    graduation,
    groups,
    households,
    imports,
    invitations,
    jobs,
    matching,
    network,
    notifications,
    partnerships,
    pathways,
    people,
    privacy,
    referrals,
    system,
)
from service.api.errors import ERROR_RESPONSES, install_error_handlers
from service.api.hsds import router as hsds_router
from service.core.logs import install_log_filters
from service.core.signin_guard import SignInGuard
from service.db import make_engine
from service.settings import Settings, get_settings
from service.web import account, admin, agency, graduation_report, home, notices
from service.web import maps as map_pages
from service.web import partnerships as partnership_pages
from service.web import pathways as pathway_pages
from service.web import referrals as referral_pages
from service.web.facilitator import benefits as benefit_pages
from service.web.facilitator import caseload, checkin, family, family_edit
from service.web.facilitator import graduation as graduation_pages
from service.web.facilitator import groups as group_pages
from service.web.facilitator import imports as import_pages
from service.web.facilitator import network as facilitator_network
from service.web.forum import dashboard as forum_dashboard
from service.web.forum import exports as forum_exports
from service.web.forum import invitations as forum_invitations
from service.web.forum import manage as forum_manage
from service.web.forum import meetings as forum_meetings
from service.web.headers import add_security_headers
from service.web.kit import STATIC_DIR


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return a configured application; one engine per app, no global state."""
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    production = settings.environment == "production"
    install_log_filters()
    app = FastAPI(
        title="Jejaring",
        summary="Partner network and resource map for PKH facilitators, agencies and forums",
        version="0.1.0",
        # no API explorer or schema in production: they map every route for an attacker
        docs_url=None if production else "/docs",
        redoc_url=None if production else "/redoc",
        openapi_url=None if production else "/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.signin_guard = SignInGuard.from_settings(settings)
    install_error_handlers(app)

    @app.middleware("http")
    async def add_request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        request.state.request_id = rid
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        add_security_headers(response, request.url.path, production=production)
        return response

    api = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for router in (
        system.auth,
        system.me,
        system.regions,
        matching.router,
        referrals.router,
        benefits.router,
        catalog.organizations,
        catalog.programs,
        households.router,
        imports.router,
        groups.router,
        privacy.router,
        people.router,
        network.router,
        partnerships.router,
        invitations.router,
        jobs.router,
        forums.router,
        forums.meetings,
        forums.commitments,
        notifications.router,
        pathways.router,
        graduation.router,
    ):
        api.include_router(router)
    app.include_router(system.health)
    app.include_router(hsds_router)
    app.include_router(api)
    for pages in (
        home.router,
        account.router,
        partnership_pages.router,
        notices.router,
        admin.router,
        caseload.router,  # before family: /kpm/skrining is not a family
        import_pages.router,  # before family: /kpm/impor is not a family either
        group_pages.router,  # before family: /kpm/kelompok neither
        graduation_pages.router,  # before family: /kpm/potensial neither
        family.router,
        family_edit.router,
        checkin.router,
        benefit_pages.router,
        agency.router,
        referral_pages.router,
        forum_dashboard.router,
        forum_exports.router,
        forum_manage.router,
        forum_meetings.router,
        forum_invitations.router,
        facilitator_network.router,
        map_pages.router,
        pathway_pages.router,
        graduation_report.router,
    ):
        app.include_router(pages)
    # Static files gzip-compressed (Leaflet is 147 KB, 42 KB compressed); pages are not, so no
    # secret (the CSRF token) is ever compressed beside text an attacker chose.
    app.mount("/static", GZipMiddleware(StaticFiles(directory=STATIC_DIR), minimum_size=1024), name="static")
    return app
