"""Training: how long a reset and an offline pack take.

Reset: each scenario reset three times (median), against the floor measured in the same run:
the fixed part of a reset alone (TRUNCATE of the register tables and sequence restarts).
Pack: the loaded scenario's pack (default area, zooms 6-12) and a whole-country pack
(zooms 6-10), against the floor of the same number of tile queries over empty sea.

    /work/main/.venv/bin/python -m bench.training

Uses a scratch database (``CADASTRE_BENCH_TRAINING_URL``, default ``cadastre_bench_training``).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from cadastre.config import Settings
from cadastre.db import recreate_database
from cadastre.migrate import upgrade
from cadastre.profile import load_profile
from cadastre.services.document_store import FileStore
from cadastre.training.pack import _SQL_TILE, write_pack
from cadastre.training.reset import _empty_register, ensure_training_tables, reset_register
from cadastre.training.scenarios import load_all

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_training"
COUNTRY = (-13.35, 6.9, -10.25, 10.0)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print one line per figure."""
    url = os.environ.get("CADASTRE_BENCH_TRAINING_URL", DEFAULT_URL)
    recreate_database(url)
    upgrade(url)
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    engine = create_engine(url)
    scenarios = load_all(profile)
    store = FileStore(settings.documents_dir)

    def reset(scenario):
        with Session(engine) as s:
            reset_register(s, profile, scenario, world_atlas=settings.world_atlas, store=store)
            s.commit()

    reset(scenarios[0])  # loads the boundaries once

    def floor_reset():
        with Session(engine) as s:
            ensure_training_tables(s)
            _empty_register(s)
            s.commit()

    floor = statistics.median(_timed(floor_reset) for _ in range(3))
    print(f"reset floor (truncate + sequences): {floor * 1000:.0f} ms")
    for scenario in scenarios:
        t = statistics.median(_timed(lambda s=scenario: reset(s)) for _ in range(3))
        print(f"reset {scenario.name}: {t * 1000:.0f} ms ({t / floor:.1f}x floor)")
    scenario = scenarios[-1]
    reset(scenario)
    with tempfile.TemporaryDirectory() as tmp, Session(engine) as s:
        for label, bbox, maxzoom in (("scenario area", None, 12), ("whole country", COUNTRY, 10)):
            start = time.perf_counter()
            result = write_pack(
                s, profile, scenario, Path(tmp) / "p.gpkg", bbox=bbox, maxzoom=maxzoom
            )
            took = time.perf_counter() - start
            n = result.tiles
            sea = {"iso": "SLE", "keys": [], "names": [], "trainees": [], "wkts": []}
            start = time.perf_counter()
            for _ in range(max(n, 1)):
                s.scalar(text(_SQL_TILE), {**sea, "z": 10, "x": 400, "y": 600})
            empty = time.perf_counter() - start
            print(
                f"pack {label}: {took:.2f} s for {n} tiles to z{result.maxzoom} "
                f"({took / empty:.1f}x the floor of {n} empty-tile queries, {empty:.2f} s)"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
