"""The three maps, built from the database as layers (``mapping.maps.MapDoc``):

* stakeholder map (organisers, facilitators, agencies, admins): organisations at their service
  points (icon by kind, colour by network community, size by betweenness), programmes' service
  areas, facilitators' areas, referral flows and suggested links;
* household map (the family's own facilitator and admins): the family, its eligible and
  near-miss programmes' nearest service points, with distances;
* gap map (organisers, agencies, admins, facilitators): families with unmet demand per area,
  filterable by need and sector, with the coverage of programmes meeting that need.

This package loads the records and decides what the caller may see; ``mapping.layers`` draws.
Households reach a map only through ``household_layers``: counts per H3 cell for everyone
(``mapping.privacy``), points only for the viewer's own families (admins: all).
Region outlines are optional: ``import_boundaries`` stores them from a file.

The names below are the domain's interface; its modules are free to move behind it.
"""

from mapping.layers.homes import Homes, homes_of, resolution_for
from service.maps.boundaries import BoundaryImportRefused, ImportReport, import_boundaries
from service.maps.export import export_scope, write_map
from service.maps.gaps import gap_map
from service.maps.homes import entitled, household_layers, load_places
from service.maps.household import household_map
from service.maps.queries import boundary_count, known_region_codes, load_boundaries, load_locations
from service.maps.stakeholders import stakeholder_map

__all__ = [
    "BoundaryImportRefused",
    "Homes",
    "ImportReport",
    "boundary_count",
    "entitled",
    "export_scope",
    "gap_map",
    "homes_of",
    "household_layers",
    "household_map",
    "import_boundaries",
    "known_region_codes",
    "load_boundaries",
    "load_locations",
    "load_places",
    "resolution_for",
    "stakeholder_map",
    "write_map",
]
