"""The facilitator's network page (``/jejaring``): the organisations to meet first, with their
reasons, and the referral plan of the caseload, each planned family one tap from its refer form."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mapping.privacy import MIN_HOUSEHOLDS
from models.users import Role
from service import network
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput, ServiceError
from service.web.kit import Gate, error_page, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

GATE = Gate(roles=(Role.facilitator,))


class BadQuery(Exception):
    """A query parameter that is not one the page offers (names the field, never echoes it)."""

    def __init__(self, label_key: str) -> None:
        super().__init__(label_key)
        self.label_key = label_key


def parse_program(params: Mapping[str, str]) -> int | None:
    """``program``: a programme id, or nothing for every programme; anything else raises ``BadQuery``."""
    raw = (params.get("program") or "").strip()
    if not raw:
        return None
    program_id = whole_number(raw)
    if program_id is None:
        raise BadQuery("nw.f.program")
    return program_id


@router.get("/jejaring", response_class=HTMLResponse)
def facilitator_network(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Whom to meet first, and which families to refer where."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    try:
        program_id = parse_program(request.query_params)
    except BadQuery as exc:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t(exc.label_key)))
    try:
        d = network.network_page(session, viewer.scope, program_id, today=settings.today(), lang=viewer.lang)
    except InvalidInput as exc:
        unknown = program_id is not None and exc.kind == "unknown_program"
        message = t("nw.err.program").format(id=program_id) if unknown else t("nw.err.plan")
        return error_page(request, settings, viewer.user, 422, message)
    except ServiceError as exc:
        return error_page(request, settings, viewer.user, exc.status_code, t("error.not_found"))
    context = {"d": d, "count": count_text}
    return render(request, settings, "facilitator_network.html", context, user=viewer.user)


def count_text(n: int | None) -> str:
    """A household count as written on the page: the number, or ``<5`` when withheld."""
    return f"<{MIN_HOUSEHOLDS}" if n is None else str(n)
