"""Where the maps' popups link an organisation's and a programme's public (HSDS) record."""

from __future__ import annotations

from mapping.layers.places import RecordLinks
from service.hsds import organization_uuid, service_uuid


def _organization(org_id: int) -> str:
    return f"/hsds/organizations/{organization_uuid(org_id)}"


def _service(program_id: int) -> str:
    return f"/hsds/services/{service_uuid(program_id)}"


RECORD_LINKS = RecordLinks(organization=_organization, service=_service)
