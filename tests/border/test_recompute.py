"""Recompute: idempotent, follows a new boundary data set, says so in the history."""

from __future__ import annotations

import geopandas as gpd
import pytest
from geoalchemy2.shape import to_shape
from shapely import affinity
from sqlalchemy import func, select

from cadastre.models import BorderZone, BoundaryDataset, Country, LicenceEvent
from cadastre.services.border import assess, recompute_all
from cadastre.services.boundaries import import_boundary_file
from tests.border.geodesy import min_distance_m, place_square, square

NE = "Natural Earth 1:10m world-atlas 2.0.2"


def _events(session, licence_id=None):
    stmt = select(LicenceEvent).where(LicenceEvent.action == "border_reassessed")
    if licence_id is not None:
        stmt = stmt.where(LicenceEvent.licence_id == licence_id)
    return session.scalars(stmt.order_by(LicenceEvent.id)).all()


def test_recompute_is_idempotent(empty_register, profile, borders, sierra_leone, add_licence):
    polygon, _ = place_square(borders("LBR"), sierra_leone, 0.5, 4.0)
    near = add_licence(polygon, licence_type="artisanal", commodities=["diamond"])
    far = add_licence(square(-12.5, 8.6, 500))
    first = recompute_all(empty_register, profile, reason="test")
    assert (first.licences, first.changed, first.events) == (2, 2, 2)
    assert first.moves == {(None, "high"): 1, (None, "none"): 1}
    empty_register.refresh(near)
    assert near.risk_level == "high" and near.assessed_at is not None
    event = _events(empty_register, near.id)[0]
    assert event.actor == "system"
    assert "tier not assessed → high" in event.reason and f"measured against {NE}" in event.reason
    assert event.after["border_tier"] == "high"
    version, assessed_at = near.version, near.assessed_at

    second = recompute_all(empty_register, profile, reason="test")
    assert (second.licences, second.changed, second.events, second.moves) == (2, 0, 0, {})
    assert len(_events(empty_register)) == 2
    empty_register.refresh(near)
    assert (near.version, near.assessed_at) == (version, assessed_at)
    assert far.border_tier == "none"


def test_summary_counts_and_text(empty_register, profile, borders, sierra_leone, add_licence):
    for km in (2.0, 7.0, 15.0):
        add_licence(place_square(borders("GIN"), sierra_leone, 0.5, km)[0])
    summary = recompute_all(empty_register, profile)
    assert summary.tiers == {"high": 1, "elevated": 1, "watch": 1}
    assert summary.zones == 6
    assert "not assessed → high" in summary.text() and "licences by tier" in summary.text()


def _shifted_boundaries(session, tmp_path, dx=0.05):
    rows = session.execute(
        select(Country.iso_a3, Country.geom)
        .join(BoundaryDataset, BoundaryDataset.id == Country.dataset_id)
        .where(BoundaryDataset.active)
    ).all()
    frame = gpd.GeoDataFrame(
        {"ISO_A3": [r[0] for r in rows]},
        geometry=[affinity.translate(to_shape(r[1]), xoff=dx) for r in rows],
        crs=4326,
    )
    path = tmp_path / "shifted.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def test_a_new_boundary_data_set_changes_assessments_and_the_history_says_so(
    empty_register, profile, borders, sierra_leone, add_licence, tmp_path
):
    licences = []
    for iso in ("LBR", "GIN"):
        for km in (2.0, 4.5, 9.0, 12.0, 23.0):
            polygon, _ = place_square(borders(iso), sierra_leone, 0.4, km)
            licence = add_licence(polygon)
            assess(empty_register, profile, licence)
            licences.append(licence)
    coastal = add_licence(square(-13.17, 8.42, 500))
    assess(empty_register, profile, coastal)
    before = {lic.id: (lic.border_distance_km, lic.border_tier) for lic in licences}

    path = _shifted_boundaries(empty_register, tmp_path)
    import_boundary_file(empty_register, profile, str(path), source="Shifted test boundaries",
                         version="t1", uncertainty_km=0.5)
    summary = recompute_all(empty_register, profile, reason="boundary data set changed")

    assert summary.source == "Shifted test boundaries t1"
    assert summary.changed == len(licences) + 1
    assert summary.moves, "a 5 km shift moves some licence across a tier threshold"
    new_lines = {iso: borders(iso) for iso in ("LBR", "GIN")}
    moved_tiers = 0
    for lic in licences:
        empty_register.refresh(lic)
        expected = min(min_distance_m(to_shape(lic.geom).geoms[0], line) for line in
                       new_lines.values()) / 1000
        assert lic.border_distance_km == pytest.approx(expected, abs=0.05)
        assert abs(lic.border_distance_km - before[lic.id][0]) > 0.01
        assert lic.boundary_source == "Shifted test boundaries t1" and lic.uncertainty_km == 0.5
        events = _events(empty_register, lic.id)
        assert len(events) == 1
        reason = events[0].reason
        assert reason.startswith("boundary data set changed; measured against "
                                 f"Shifted test boundaries t1 (was {NE})")
        assert events[0].before["boundary_source"] == NE
        assert events[0].after["border_distance_km"] == pytest.approx(lic.border_distance_km,
                                                                      abs=0.001)
        if lic.border_tier != before[lic.id][1]:
            moved_tiers += 1
            assert f"tier {before[lic.id][1]} → {lic.border_tier}" in reason
        else:
            assert "tier " not in reason.replace("measured", "")
    assert moved_tiers == sum(summary.moves.values())
    # The coastal licence stays untiered; its history says only which data set measured it.
    empty_register.refresh(coastal)
    assert coastal.border_tier == "none"
    assert len(_events(empty_register, coastal.id)) == 1
    # And once more: nothing left to change.
    again = recompute_all(empty_register, profile)
    assert (again.changed, again.events) == (0, 0)


def test_border_zones_are_rings_inside_the_country(empty_register, profile, borders,
                                                   sierra_leone, add_licence):
    recompute_all(empty_register, profile)
    zones = empty_register.scalars(select(BorderZone)).all()
    assert sorted((z.border, z.tier, z.min_km, z.max_km) for z in zones) == sorted(
        (b, t, lo, hi)
        for b in ("Sierra Leone–Guinea", "Sierra Leone–Liberia")
        for t, lo, hi in (("high", 0, 5), ("elevated", 5, 10), ("watch", 10, 25))
    )
    country = empty_register.scalar(
        select(Country.geom).where(
            Country.iso_a3 == "SLE", Country.dataset_id == zones[0].dataset_id
        )
    )
    outside = empty_register.scalar(
        select(func.max(func.ST_Area(func.ST_Difference(BorderZone.geom, country))))
    )
    assert outside < 1e-8
    for km, tier in ((2.5, "high"), (7.5, "elevated"), (17.0, "watch")):
        polygon, _ = place_square(borders("LBR"), sierra_leone, 0.5, km, side_m=50)
        found = empty_register.execute(
            select(BorderZone.tier).where(
                BorderZone.border == "Sierra Leone–Liberia",
                func.ST_Contains(BorderZone.geom, func.ST_GeomFromText(polygon.centroid.wkt, 4326)),
            )
        ).scalars().all()
        assert found == [tier]


def test_cli_recompute_prints_the_summary(runner, empty_register, borders, sierra_leone,
                                          add_licence):
    add_licence(place_square(borders("LBR"), sierra_leone, 0.5, 3.0)[0])
    empty_register.commit()
    result = runner.invoke(args=["border", "recompute"])
    assert result.exit_code == 0, result.output
    assert "1 licences measured against Natural Earth" in result.output
    assert "not assessed → high" in result.output
    again = runner.invoke(args=["border", "recompute"])
    assert "0 reassessed, 0 changed tier, 0 history events" in again.output


def test_boundary_import_command_triggers_the_recompute(runner, empty_register, borders,
                                                        sierra_leone, add_licence, tmp_path):
    licence = add_licence(place_square(borders("LBR"), sierra_leone, 0.5, 6.0)[0])
    empty_register.commit()
    path = _shifted_boundaries(empty_register, tmp_path)
    result = runner.invoke(args=["boundaries", "import", str(path), "--source", "Agency file"])
    assert result.exit_code == 0, result.output
    empty_register.expire_all()
    assert licence.boundary_source.startswith("Agency file ")
    assert len(_events(empty_register, licence.id)) == 1


def test_recompute_can_be_limited_to_some_licences(empty_register, profile, borders,
                                                   sierra_leone, add_licence):
    one = add_licence(place_square(borders("LBR"), sierra_leone, 0.5, 3.0)[0])
    other = add_licence(place_square(borders("GIN"), sierra_leone, 0.5, 3.0)[0])
    summary = recompute_all(empty_register, profile, ids=[one.id])
    assert (summary.licences, summary.changed, summary.zones) == (1, 1, 0)
    empty_register.refresh(one)
    empty_register.refresh(other)
    assert one.border_tier == "high" and other.border_tier is None
