"""Headless QGIS (Debian's python3-qgis) opens the pack and applies the stored styles."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cadastre.db import get_engine
from cadastre.training.pack import write_pack

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"{sys.argv[1]}|layername={name}", name, "ogr")
    renderer = layer.renderer()
    out[name] = {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": renderer.type() if renderer else None,
        "categories": [c.value() for c in getattr(renderer, "categories", lambda: [])()],
        "symbol": (renderer.symbol().type()
                   if hasattr(renderer, "symbol") and renderer.symbol() else None),
    }
print(json.dumps(out), flush=True)
os._exit(0)  # PyQGIS 3.22 may crash tearing down layers at exit; the answer is printed
"""


def _qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _qgis_available(), reason="python3-qgis is not installed")
def test_qgis_opens_the_pack_styled(reset_to, training_url, profile, tmp_path):
    scenario, _ = reset_to("exploration-overlap-free-part")
    out = tmp_path / "pack.gpkg"
    with Session(get_engine(training_url)) as s:
        result = write_pack(s, profile, scenario, out, maxzoom=8)
    layers = ["licences", "borders", "countries", "task_areas"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    run = subprocess.run(
        [SYSTEM_PYTHON, "-c", SCRIPT, str(out), *layers],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    for name in layers:
        assert seen[name]["valid"], name
        assert seen[name]["features"] == result.counts[name]
    # the default style in layer_styles was applied: licences categorised by type
    assert seen["licences"]["renderer"] == "categorizedSymbol"
    assert set(seen["licences"]["categories"]) >= {"artisanal", "exploration", "small_scale"}
    assert seen["borders"]["renderer"] == "singleSymbol"
    assert seen["borders"]["symbol"] == 1  # QgsSymbol.Line
