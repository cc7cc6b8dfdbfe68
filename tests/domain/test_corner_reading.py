"""A corner list as understood: the notation and UTM zone used, each corner echoed back."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from cadastre.domain.corners import read_corner_list

TO_UTM29 = Transformer.from_crs(4326, 32629, always_xy=True)
LONLAT = [(-10.975, 8.635), (-10.965, 8.635), (-10.965, 8.645)]


def test_utm_without_a_zone_says_the_zone_it_worked_out():
    text = "\n".join("P{} {:.1f} {:.1f}".format(i, *TO_UTM29.transform(*p)) for i, p in
                     enumerate(LONLAT, 1))  # fmt: skip
    reading = read_corner_list(text)
    assert (reading.notation, reading.assumed) == ("utm29", True)
    assert reading.words == "UTM zone 29N easting and northing"
    echo = reading.echo()
    assert [c["label"] for c in echo] == ["corner 1", "corner 2", "corner 3"]
    assert echo[0]["input"].startswith("P1 ")
    assert echo[0]["parsed"].startswith("E ") and " m, N " in echo[0]["parsed"]
    for c, (lon, lat) in zip(echo, LONLAT, strict=True):
        assert c["lon"] == pytest.approx(lon, abs=1e-6) and c["lat"] == pytest.approx(lat, abs=1e-6)
    declared = read_corner_list(text, notation="utm29")
    assert (declared.notation, declared.assumed) == ("utm29", False)


def test_degrees_say_latitude_first_and_dms_is_named():
    reading = read_corner_list("8.6412, -10.9720\n8.65 -10.97\n8.65 -10.96")
    assert (reading.notation, reading.assumed) == ("dd", True)
    assert reading.echo()[0] == {
        "label": "corner 1",
        "input": "8.6412, -10.9720",
        "parsed": "lat 8.641200, lon -10.972000",
        "lon": -10.972,
        "lat": 8.6412,
    }
    dms = read_corner_list("8°38'28\"N 10°58'19\"W\n8°39'N 10°58'W\n8°39'N 10°57'W")
    assert dms.notation == "dms" and dms.words == "degrees-minutes-seconds"
    assert dms.echo()[0]["lat"] == pytest.approx(8.641111, abs=1e-6)
