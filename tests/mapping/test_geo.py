"""Distances to a programme's nearest service point, in a metric projection."""

from __future__ import annotations

import math

import numpy as np

from mapping.geo import PointSet, utm_crs

BANDUNG_ALUN_ALUN = (-6.9218, 107.6071)
JAKARTA_MONAS = (-6.1754, 106.8272)
KEBON_JAYANTI = (-6.9147, 107.6459)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_nearest_point_per_programme_in_km() -> None:
    # Programme 0 has a point in Bandung and one in Jakarta; programme 1 only Jakarta; programme 2 none.
    points = PointSet([1, 0, 0], [JAKARTA_MONAS[0], JAKARTA_MONAS[0], BANDUNG_ALUN_ALUN[0]],
                      [JAKARTA_MONAS[1], JAKARTA_MONAS[1], BANDUNG_ALUN_ALUN[1]], 3)  # fmt: skip
    km = points.nearest_km(KEBON_JAYANTI)
    assert math.isclose(km[0], great_circle_km(KEBON_JAYANTI, BANDUNG_ALUN_ALUN), rel_tol=0.01)
    assert math.isclose(km[1], great_circle_km(KEBON_JAYANTI, JAKARTA_MONAS), rel_tol=0.01)
    assert 100 < km[1] < 130 and km[0] < 5
    assert np.isnan(km[2])


def test_utm_zone_follows_the_origin() -> None:
    assert utm_crs(*KEBON_JAYANTI) == "EPSG:32748"  # UTM 48S
    assert utm_crs(-2.5, 140.7) == "EPSG:32754"  # Jayapura, 54S
    assert utm_crs(5.55, 95.32) == "EPSG:32646"  # Banda Aceh, 46N
