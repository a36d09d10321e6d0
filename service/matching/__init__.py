"""Matching households to programmes: one family's ranked matches with reasons, a caseload's
screening, a draft rule's preview and an organisation's demand, all from one compiled catalogue.

The names below are the domain's interface; its modules are free to move behind it.
"""

from mapping.screening import HouseholdColumns
from service.matching.catalog_cache import Catalog, published_catalog
from service.matching.demand import demand_by_village, organization_demand
from service.matching.matches import MatchList, find_matches, household_matches, matches_for
from service.matching.preview import preview_counts
from service.matching.queries import household_facts, load_columns, program_facts, referenced_program_names
from service.matching.screening import screen_caseload, screen_columns, screen_households, screen_where

__all__ = [
    "Catalog",
    "HouseholdColumns",
    "MatchList",
    "demand_by_village",
    "find_matches",
    "household_facts",
    "household_matches",
    "load_columns",
    "matches_for",
    "organization_demand",
    "preview_counts",
    "program_facts",
    "published_catalog",
    "referenced_program_names",
    "screen_caseload",
    "screen_columns",
    "screen_households",
    "screen_where",
]
