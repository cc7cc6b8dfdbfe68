"""The offline pack opens in GDAL with the expected layers, counts and QGIS styles."""

import gzip
import sqlite3
import subprocess
from dataclasses import replace

import mapbox_vector_tile
import pyogrio
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.app import create_app
from cadastre.db import get_engine
from cadastre.errors import ValidationError
from cadastre.training.pack import parse_bbox, tile_range, write_pack

LAYERS = {"licences", "borders", "countries", "task_areas"}


@pytest.fixture
def pack(reset_to, training_url, profile, tmp_path):
    scenario, state = reset_to("liberian-border-plot")
    with Session(get_engine(training_url)) as s:
        result = write_pack(s, profile, scenario, tmp_path / "pack.gpkg")
        bbox = scenario.bbox()
        in_area = s.scalar(
            text("SELECT count(*) FROM licences WHERE geom && ST_MakeEnvelope(:a,:b,:c,:d,4326)"),
            dict(zip("abcd", bbox, strict=True)),
        )
        has_zones = s.scalar(text("SELECT to_regclass('public.border_zones') IS NOT NULL"))
    return scenario, result, in_area, has_zones


def test_geopackage_layers_and_counts(pack):
    scenario, result, in_area, has_zones = pack
    layers = {name: kind for name, kind in pyogrio.list_layers(result.gpkg)}
    expected = LAYERS | ({"border_zones"} if has_zones else set())
    assert expected <= set(layers)
    assert layers["licences"] == "MultiPolygon" and layers["borders"] == "MultiLineString"
    assert pyogrio.read_info(result.gpkg, layer="licences")["features"] == in_area == 1
    assert pyogrio.read_info(result.gpkg, layer="countries")["features"] == 4
    assert pyogrio.read_info(result.gpkg, layer="borders")["features"] == 2  # SLE-GIN, SLE-LBR
    n_areas = sum(len(scenario.copies(a.per_trainee)) for a in scenario.areas)
    assert pyogrio.read_info(result.gpkg, layer="task_areas")["features"] == n_areas == 4
    licences = pyogrio.read_dataframe(result.gpkg, layer="licences")
    assert set(licences["workspace"]) == {"TRAINING"}
    assert licences["code"].str.startswith("AML/").all()
    out = subprocess.run(
        ["ogrinfo", "-so", "-al", str(result.gpkg)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "Layer name: licences" in out.stdout and "TRAINING" in out.stdout


def test_layer_styles_hold_qml_for_every_layer(pack):
    _, result, _, _ = pack
    con = sqlite3.connect(result.gpkg)
    rows = con.execute(
        "SELECT f_table_name, f_geometry_column, styleQML, styleSLD, useAsDefault FROM layer_styles"
    ).fetchall()
    contents = {r[0]: r[1] for r in con.execute("SELECT table_name, data_type FROM gpkg_contents")}
    con.close()
    styled = {r[0]: r for r in rows}
    assert set(styled) == set(result.counts)
    assert contents["layer_styles"] == "attributes"
    for _name, geom_col, qml, sld, default in rows:
        assert geom_col == "geom" and default == 1
        assert qml.startswith("<!DOCTYPE qgis") and "<renderer-v2" in qml
        assert "<StyledLayerDescriptor" in sld
    assert 'type="categorizedSymbol" attr="licence_type"' in styled["licences"][2]
    for licence_type in ("artisanal", "exploration", "small_scale", "large_scale"):
        assert f'value="{licence_type}"' in styled["licences"][2]
    assert 'type="line"' in styled["borders"][2] and "SimpleLine" in styled["borders"][2]
    # GDAL sees the style table as a plain table too
    assert "layer_styles" in {n for n, _ in pyogrio.list_layers(result.gpkg)}


def test_mbtiles_open_in_gdal_with_vector_layers(pack):
    _, result, _, _ = pack
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(result.mbtiles)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    for layer in ("licences", "borders", "countries", "task_areas"):
        assert layer in out.stdout
    con = sqlite3.connect(result.mbtiles)
    meta = dict(con.execute("SELECT name, value FROM metadata"))
    assert meta["format"] == "pbf" and "TRAINING" in meta["name"]
    count = con.execute("SELECT count(*) FROM tiles").fetchone()[0]
    z, x, row, data = con.execute(
        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles ORDER BY zoom_level DESC"
        " LIMIT 1"
    ).fetchone()
    con.close()
    assert count == result.tiles > 0
    assert z == result.maxzoom == 12
    x0, x1, y0, y1 = tile_range(result.bbox, z)
    assert x0 <= x <= x1 and y0 <= (2**z - 1 - row) <= y1  # rows stored TMS (flipped)
    tile = mapbox_vector_tile.decode(gzip.decompress(data))
    assert "task_areas" in tile or "licences" in tile or "countries" in tile


def test_pack_and_reset_from_the_command_line(training_url, settings, sessions, tmp_path):
    app = create_app(replace(settings, training_database_url=training_url))
    runner = app.test_cli_runner()
    r = runner.invoke(args=["training", "reset", "--scenario", "transfer-licence"])
    assert r.exit_code == 0, r.output
    assert "reset to 'transfer-licence'" in r.output and "trainee1" in r.output
    out = tmp_path / "kono.gpkg"
    r = runner.invoke(args=["training", "pack", str(out), "--area", "-10.95,8.50,-10.85,8.60"])
    assert r.exit_code == 0, r.output
    assert out.exists() and out.with_suffix(".mbtiles").exists()
    assert pyogrio.read_info(out, layer="licences")["features"] == 5  # 4 copies + Kono Star's
    r = runner.invoke(args=["training", "pack", str(out), "--scenario", "kenema-artisanal-plot"])
    assert r.exit_code != 0 and "reset --scenario kenema-artisanal-plot" in str(r.exception)
    r = runner.invoke(args=["training", "scenarios"])
    assert r.exit_code == 0 and r.output.count("\n") >= 6


def test_area_must_be_four_numbers():
    assert parse_bbox("-11.5,7.5,-11,8") == (-11.5, 7.5, -11.0, 8.0)
    with pytest.raises(ValidationError):
        parse_bbox("-11,8,-11.5")
    with pytest.raises(ValidationError):
        parse_bbox("-11,8,-11.5,7")
