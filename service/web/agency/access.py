"""Who may use the agency pages, and which organisation a page is about."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from models.organizations import OrganizationPublic
from models.users import Role
from service import catalog
from service.deps import SessionDep
from service.errors import NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.kit import Gate, Viewer, error_page, render, whole_number

# Agency staff of an organisation and admins; other roles get a 403 page, strangers the sign-in.
GATE = Gate(roles=(Role.agency_staff, Role.admin), refused=N_("ag.err.forbidden"), refused_status=403, linked=True)


def organization_of(session: SessionDep, viewer: Viewer, raw: str | None) -> OrganizationPublic | None:
    """Staff: their own organisation (whatever ``org`` says). Admins: the one ``org`` names."""
    staff = viewer.scope.role is Role.agency_staff
    organization_id = viewer.scope.organization_id if staff else whole_number(raw)
    if organization_id is None:
        return None
    try:
        return catalog.get_organization(session, viewer.scope, organization_id)
    except NotFound:
        return None


def organization_page(
    request: Request, session: SessionDep, settings: Settings, viewer: Viewer, target: str
) -> OrganizationPublic | Response:
    """The organisation a GET page is about (``?org=`` for admins), or the page to show instead:
    the organisation chooser for an admin who named none, 404 for anyone else."""
    org = organization_of(session, viewer, request.query_params.get("org"))
    if org is not None:
        return org
    if viewer.scope.is_admin:
        context = {"organizations": catalog.organization_choices(session, viewer.scope), "target": target}
        return render(request, settings, "agency_choose_org.html", context, user=viewer.user)
    return error_page(request, settings, viewer.user, 404, viewer.t("ag.err.org_not_found"))
