"""The stakeholder network of a region: its graph and metrics, its gaps, the links to make and
the referral plan. Households enter only as counts.

The names below are the domain's interface; its modules are free to move behind it.
"""

from service.network.advice import (
    facilitator_region,
    facilitator_suggestions,
    forum_suggestions,
    gaps,
    graph_body,
    metrics_body,
    region_gaps,
    region_metrics,
)
from service.network.changes import NetworkChanges, changes_since_default, forum_changes, network_changes
from service.network.dashboard import (
    METRIC_COLUMNS,
    STAKEHOLDER_COLUMNS,
    TEXT_COLUMNS,
    Dashboard,
    DashboardSubject,
    dashboard_subject,
    forum_choices,
    forum_dashboard,
    sort_rows,
    stakeholder_rows,
)
from service.network.exports import record_dashboard_export
from service.network.facilitator import NetworkPage, ProgramPlan, group_rows, network_page
from service.network.graph import RegionNetwork, load_network, load_records, screen_chunks, screen_region
from service.network.plan import region_plan

__all__ = [
    "METRIC_COLUMNS",
    "STAKEHOLDER_COLUMNS",
    "TEXT_COLUMNS",
    "Dashboard",
    "DashboardSubject",
    "NetworkChanges",
    "NetworkPage",
    "ProgramPlan",
    "RegionNetwork",
    "changes_since_default",
    "dashboard_subject",
    "facilitator_region",
    "facilitator_suggestions",
    "forum_changes",
    "forum_choices",
    "forum_dashboard",
    "forum_suggestions",
    "gaps",
    "graph_body",
    "group_rows",
    "load_network",
    "load_records",
    "metrics_body",
    "network_changes",
    "network_page",
    "record_dashboard_export",
    "region_gaps",
    "region_metrics",
    "region_plan",
    "screen_chunks",
    "screen_region",
    "sort_rows",
    "stakeholder_rows",
]
