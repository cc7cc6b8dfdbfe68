"""The set-based measure's plane: its bound on scale spread holds (tests/border/test_distances.py
holds the set-based recompute and ``assess`` to the same answers)."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Proj

from cadastre.services.border_sql import utm_plane

#: (lon min, lon max, lat min, lat max): Sierra Leone, Guinea (wide), and across the equator.
REGIONS = [(-13.4, -10.2, 6.8, 10.1), (-15.2, -7.6, 7.1, 12.7), (8.0, 12.0, -3.0, 2.5)]


@pytest.mark.parametrize("region", REGIONS)
def test_plane_scale_spread_is_within_its_bound(region):
    """pyproj's own scale factors of the chosen UTM zone, over the region, stay within grow."""
    plane = utm_plane(*region)
    lon_min, lon_max, lat_min, lat_max = region
    lons, lats = np.meshgrid(np.linspace(lon_min, lon_max, 41), np.linspace(lat_min, lat_max, 41))
    factors = Proj(f"EPSG:{plane.srid}").get_factors(lons.ravel(), lats.ravel())
    scale = np.concatenate([factors.meridional_scale, factors.parallel_scale])
    assert scale.max() / scale.min() <= plane.grow
    assert plane.grow < 1 + 3 * (scale.max() / scale.min() - 1) + 1e-4  # a bound, not a guess


def test_plane_slack_grows_with_the_longest_segment():
    assert utm_plane(*REGIONS[0], longest_m=0).slack_m == pytest.approx(20.0)
    assert utm_plane(*REGIONS[0], longest_m=50_000).slack_m > 100
