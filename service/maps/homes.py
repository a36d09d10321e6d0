"""Households on the maps: whose exact place a viewer may see (the one gate), and the places of
a map's villages.

Households reach a map only through ``household_layers``: counts per H3 cell for everyone
(``mapping.privacy``), points only for the viewer's own families (admins: all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session

from mapping.layers import homes as layers
from mapping.layers.homes import Homes
from mapping.layers.places import Places, ServicePoint, village_places
from mapping.maps import Layer
from service.core.scope import Scope
from service.maps import queries


def entitled(homes: Homes, scope: Scope) -> NDArray[np.bool_]:
    """Whose exact place ``scope`` may see: every family for admins, a facilitator's own
    caseload for the facilitator, no one for anyone else."""
    if scope.is_admin:
        return np.ones(homes.ids.shape[0], dtype=bool)
    if scope.facilitator_id is not None:
        own: NDArray[np.bool_] = homes.facilitators == scope.facilitator_id
        return own
    return np.zeros(homes.ids.shape[0], dtype=bool)


def household_layers(
    scope: Scope,
    homes: Homes,
    resolution: int,
    t: Callable[[str], str],
    *,
    figure: tuple[str, NDArray[np.bool_]] | None = None,
    points: bool = True,
) -> tuple[list[Layer], list[str]]:
    """The households of a map for ``scope``: counts per H3 cell, and (with ``points``) the
    places of the families ``entitled`` lets it see (``mapping.layers.homes.household_layers``)."""
    mask = entitled(homes, scope) if points else None
    return layers.household_layers(homes, mask, resolution, t, figure=figure)


def load_places(
    session: Session, homes: Homes, villages: frozenset[str], points: Sequence[ServicePoint], resolution: int
) -> Places:
    """The places of a map's ``villages`` (the households' among them): their stored outlines,
    else H3 patches around their privacy-safe centres."""
    boundaries = queries.load_boundaries(session, sorted(villages | set(homes.villages)))
    return village_places(boundaries, villages, homes, points, resolution)
