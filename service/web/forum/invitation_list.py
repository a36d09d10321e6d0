"""The states of the forum dashboard's invitation list (``_forum_invite.html``): each suggested
organisation's latest invitation, or the button that sends one (``service.web.forum.invitations``)."""

from __future__ import annotations

from typing import Any

from mapping.network import parse_node_id
from service import invitations
from service.deps import SessionDep
from service.network import Dashboard
from service.web.kit import Viewer


def invitation_context(session: SessionDep, viewer: Viewer, d: Dashboard, query: str) -> dict[str, Any]:
    """What ``_forum_invite.html`` needs: the forum, each organisation's latest invitation by its
    graph node id, and the dashboard's query to come back to."""
    if d.forum is None or d.forum.id is None or not invitations.runs_forum(viewer.scope, d.forum.id):
        return {"invite": None}
    states = invitations.invitation_states(session, viewer.scope, forum_id=d.forum.id)
    nodes = {}
    for item in (d.invitations or {}).get("invitations", []):
        kind, key = parse_node_id(item["organization"])
        if kind == "organization" and key.isdigit():
            nodes[item["organization"]] = int(key)
    return {
        "invite": {
            "forum_id": d.forum.id,
            "orgs": nodes,
            "states": {node: states.get(org_id) for node, org_id in nodes.items()},
            "back": query,
        }
    }
