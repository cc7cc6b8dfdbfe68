"""Natural Earth boundaries: Sierra Leone's area, and land borders that are not coastline."""

import pytest
from sqlalchemy import text


def _one(session, sql, **params):
    return session.execute(text(sql), params).scalar_one()


def test_sierra_leone_geodesic_area_matches_natural_earth(empty_register):
    km2 = _one(
        empty_register,
        "SELECT ST_Area(geom::geography) / 1e6 FROM countries WHERE iso_a3 = 'SLE'",
    )
    assert km2 == pytest.approx(71609, abs=50)


@pytest.mark.parametrize("neighbour,min_km,max_km", [("GIN", 500, 800), ("LBR", 200, 320)])
def test_land_borders_with_guinea_and_liberia_exist(empty_register, neighbour, min_km, max_km):
    km = _one(
        empty_register,
        "SELECT ST_Length(geom::geography) / 1000 FROM border_lines "
        "WHERE country_a = 'SLE' AND country_b = :n",
        n=neighbour,
    )
    assert min_km < km < max_km


def test_border_lines_are_named_home_country_first(empty_register):
    names = set(empty_register.execute(text("SELECT name FROM border_lines")).scalars())
    assert "Sierra Leone–Liberia" in names
    assert "Sierra Leone–Guinea" in names


def test_land_borders_do_not_follow_the_coast(empty_register):
    # Every border vertex lies on both countries' outlines ...
    off = _one(
        empty_register,
        """
        SELECT max(greatest(ST_Distance(p.geom, ST_Boundary(a.geom)),
                            ST_Distance(p.geom, ST_Boundary(b.geom))))
        FROM border_lines l
        JOIN countries a ON a.iso_a3 = l.country_a AND a.dataset_id = l.dataset_id
        JOIN countries b ON b.iso_a3 = l.country_b AND b.dataset_id = l.dataset_id
        CROSS JOIN LATERAL ST_DumpPoints(l.geom) p
        """,
    )
    assert off < 1e-7
    # ... and none comes near the Atlantic: Freetown and the Sherbro coast are far away.
    for lon, lat in [(-13.234, 8.484), (-12.505, 7.526), (-12.95, 7.91)]:
        km = _one(
            empty_register,
            "SELECT min(ST_Distance(geom::geography, ST_MakePoint(:x, :y)::geography)) / 1000 "
            "FROM border_lines WHERE 'SLE' IN (country_a, country_b)",
            x=lon,
            y=lat,
        )
        assert km > 20, (lon, lat, km)
    # The coast is most of Sierra Leone's outline that no border covers.
    coast_km = _one(
        empty_register,
        """
        SELECT ST_Length(ST_Difference(ST_Boundary(c.geom),
                  ST_Buffer((SELECT ST_Union(geom) FROM border_lines
                             WHERE 'SLE' IN (country_a, country_b)), 0.0001))::geography) / 1000
        FROM countries c WHERE iso_a3 = 'SLE'
        """,
    )
    assert coast_km > 300


def test_loading_the_same_boundaries_again_changes_nothing(empty_register, profile, settings):
    from cadastre.services.boundaries import load_natural_earth

    before = _one(empty_register, "SELECT count(*) FROM boundary_datasets")
    result = load_natural_earth(empty_register, profile, settings.world_atlas)
    assert result.created is False
    assert _one(empty_register, "SELECT count(*) FROM boundary_datasets") == before


def test_unreadable_boundary_file_gives_a_clear_message(empty_register, profile, tmp_path):
    from cadastre.errors import ConfigurationError
    from cadastre.services.boundaries import load_natural_earth

    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        load_natural_earth(empty_register, profile, str(bad))
    with pytest.raises(ConfigurationError, match="npm install"):
        load_natural_earth(empty_register, profile, str(tmp_path / "missing.json"))


def test_official_boundary_file_import(empty_register, profile, tmp_path):
    """An agency's GeoJSON of country polygons becomes the data set in force."""
    import geopandas as gpd
    from geoalchemy2.shape import to_shape

    from cadastre.models import Country
    from cadastre.services.boundaries import import_boundary_file

    rows = empty_register.query(Country.iso_a3, Country.geom).all()
    frame = gpd.GeoDataFrame(
        {"ISO_A3": [r[0] for r in rows]}, geometry=[to_shape(r[1]) for r in rows], crs=4326
    )
    path = tmp_path / "official.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = import_boundary_file(empty_register, profile, str(path), source="NMA official")
    assert result.created and result.countries == 4
    active = _one(empty_register, "SELECT name FROM boundary_datasets WHERE active")
    assert active == "NMA official"
    km = _one(
        empty_register,
        "SELECT ST_Length(l.geom::geography) / 1000 FROM border_lines l "
        "JOIN boundary_datasets d ON d.id = l.dataset_id AND d.active "
        "WHERE country_a = 'SLE' AND country_b = 'LBR'",
    )
    assert 200 < km < 330
