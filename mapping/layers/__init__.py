"""The layers of Jejaring's three maps, built from plain records into a ``mapping.maps.MapDoc``.

* ``homes``: a region's households as columns, the H3 resolution of their cells and the one
  layer that draws them (counts per cell for everyone, exact places only where the caller says
  the viewer is entitled);
* ``places``: where villages and service areas are drawn (imported boundaries, else H3 patches);
* ``stakeholders``: organisations, service and facilitator areas, referral flows, suggested links;
* ``household``: one family, its programmes' nearest service points and the distances;
* ``gaps``: families with unmet demand per cell or village, with the coverage meeting it.

Nothing here reads a database or a setting: words come in as a translator ``t``, links to the
HSDS records as ``RecordLinks``, and who may see which family as a boolean mask.
"""
