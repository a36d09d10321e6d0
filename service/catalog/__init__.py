"""The resource catalogue: organisations, their service points (locations) and their programmes,
with each programme's revisions.

The names below are the domain's interface; its modules are free to move behind it.
"""

from service.catalog.locations import (
    add_location,
    close_location,
    get_location,
    list_locations,
    location_public,
    update_location,
)
from service.catalog.organizations import (
    create_organization,
    delete_organization,
    get_organization,
    list_organizations,
    organization_choices,
    set_verified,
    update_organization,
)
from service.catalog.programs import (
    PUBLISHED_STATUSES,
    PlacesHeld,
    approve_service_area,
    create_program,
    create_program_as,
    delete_program,
    get_program,
    list_programs,
    organization_programs,
    own_program,
    programs_public,
    update_program,
)
from service.catalog.queries import OrganizationFilter, ProgramFilter
from service.catalog.revisions import Revision, RevisionHistory, program_revisions, revision_history

__all__ = [
    "PUBLISHED_STATUSES",
    "OrganizationFilter",
    "PlacesHeld",
    "ProgramFilter",
    "Revision",
    "RevisionHistory",
    "add_location",
    "approve_service_area",
    "close_location",
    "create_organization",
    "create_program",
    "create_program_as",
    "delete_organization",
    "delete_program",
    "get_location",
    "get_organization",
    "get_program",
    "list_locations",
    "list_organizations",
    "list_programs",
    "location_public",
    "organization_choices",
    "organization_programs",
    "own_program",
    "program_revisions",
    "programs_public",
    "revision_history",
    "set_verified",
    "update_location",
    "update_organization",
    "update_program",
]
