"""Import a register of 100,000 licences from a GeoPackage: validation, holders, history,
legacy overlaps and border assessment included. Target: at least 5,000 licences per second.

The floor, measured in the same run, is the bare cost of moving the same file into
PostGIS: reading it with pyogrio and COPYing code and geometry into a table with a GiST
index, no checks. Then the same file is imported again (every row unchanged).

    /work/main/.venv/bin/python -m bench.import_register [--rows 100000]

Uses a scratch database (``CADASTRE_BENCH_IMPORT_DATABASE_URL``, default
``cadastre_bench_import``), dropped and re-created: migrations and Natural Earth boundaries.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from cadastre.config import Settings
from cadastre.db import recreate_database
from cadastre.importer.service import import_register
from cadastre.migrate import upgrade
from cadastre.models import Country
from cadastre.profile import load_profile
from cadastre.services.boundaries import load_natural_earth

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_import"
STEP = 0.007
SIDE = 0.005
TYPES = [("small_scale", "SML", 8), ("artisanal", "AML", 1), ("exploration", "EL", 1)]
STATUSES = ["granted"] * 6 + ["application", "suspended", "expired", "refused"]
DATE_STYLES = [
    lambda d: d.isoformat(),
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: f"{d.day} {d.strftime('%B %Y')}",
]


def make_gpkg(path: Path, country, rows: int, seed: int = 694) -> int:
    """A GeoPackage of ``rows`` licences on a grid inside the country (1% overlapping)."""
    import pyogrio.raw

    rng = random.Random(seed)
    minx, miny, maxx, maxy = country.bounds
    xs, ys = np.meshgrid(np.arange(minx, maxx, STEP), np.arange(miny, maxy, STEP))
    boxes = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + SIDE, ys.ravel() + SIDE)
    shapely.prepare(country)
    inside = boxes[shapely.contains_properly(country, boxes)]
    if len(inside) < rows:
        raise SystemExit(f"only {len(inside)} cells fit; ask for fewer rows")
    order = rng.sample(range(len(inside)), rows)
    geoms = inside[order]
    # 1% shifted by a third of a side onto their neighbour: legacy overlaps to flag
    shift = np.zeros(rows, dtype=bool)
    shift[rng.sample(range(rows), rows // 100)] = True
    geoms[shift] = shapely.transform(geoms[shift], lambda c: c + [STEP * 0.6, 0.0])
    codes, types, holders, regs, statuses, comms, recv, granted, expires = ([] for _ in range(9))
    for i in range(rows):
        name, prefix, _ = rng.choices(TYPES, weights=[t[2] for t in TYPES])[0]
        if name == "artisanal":  # 1 ha at most: a 90 m square inside the cell
            x, y = shapely.get_coordinates(geoms[i])[0]
            geoms[i] = shapely.box(x, y, x + 0.0008, y + 0.0008)
        day = date(2012, 1, 1) + timedelta(days=rng.randrange(4000))
        status = rng.choice(STATUSES)
        style = rng.choice(DATE_STYLES)
        codes.append(f"{prefix}/{day.year}/{i + 1:06d}")
        types.append(name)
        h = rng.randrange(2000)
        holders.append(f"Holder {h:04d} Mining Ltd")
        regs.append(f"SL-BENCH-{h:04d}")
        statuses.append(status)
        comms.append(rng.choice(["diamond", "gold", "Diamonds, Gold", "rutile"]))
        recv.append(style(day))
        ok = status not in ("application", "refused")
        granted.append(style(day + timedelta(days=60)) if ok else "")
        expires.append(style(day + timedelta(days=60 + 365 * 4)) if ok else "")
    fields = [np.array(v, dtype=object) for v in
              (codes, types, holders, regs, statuses, comms, recv, granted, expires)]  # fmt: skip
    names = ["code", "licence_type", "holder", "registration_number", "status", "commodities",
             "application_date", "grant_date", "expiry_date"]  # fmt: skip
    pyogrio.raw.write(
        str(path), shapely.to_wkb(geoms), fields, fields=names, geometry_type="Polygon",
        crs="EPSG:4326", driver="GPKG", layer="licences",
    )  # fmt: skip
    return int(shift.sum())


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) a PostgreSQL backend has used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends_cpu(session) -> dict[int, float]:
    """CPU seconds of every backend connected to this database (the import uses two)."""
    pids = session.execute(
        text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    ).scalars()
    return {pid: backend_cpu(pid) for pid in pids}


def floor(engine, path: Path) -> tuple[float, float]:
    """Read the file and COPY code + geometry into an indexed table: the bare data move.

    Returns wall seconds and CPU seconds (this process plus the database backend).
    """
    import pyogrio.raw

    started = time.perf_counter()
    cpu0 = time.process_time()
    _meta, _fids, wkb, fields = pyogrio.raw.read(str(path))
    hexes = shapely.to_wkb(shapely.set_srid(shapely.from_wkb(wkb), 4326), hex=True,
                           include_srid=True)  # fmt: skip
    with engine.begin() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db0 = backend_cpu(pid)
        conn.execute(text("CREATE TEMP TABLE floor (code text, geom geometry(Polygon, 4326))"))
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy("COPY floor (code, geom) FROM STDIN") as copy:
            for code, h in zip(fields[0], hexes, strict=True):
                copy.write_row((code, h))
        conn.execute(text("CREATE INDEX ON floor USING gist (geom)"))
        db = backend_cpu(pid) - db0
    return time.perf_counter() - started, time.process_time() - cpu0 + db


def run(url: str, rows: int) -> dict:
    """Build the database and the file, then time the floor, the import and a re-import."""
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    recreate_database(url)
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        load_natural_earth(session, profile, settings.world_atlas)
        session.commit()
        country = to_shape(
            session.scalar(select(Country.geom).where(Country.iso_a3 == profile.iso_a3))
        )
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = folder / "register.gpkg"
    shifted = make_gpkg(path, country, rows)
    floor_s, floor_cpu = floor(engine, path)
    results = {"rows": rows, "shifted": shifted, "floor_s": floor_s, "floor_cpu": floor_cpu}
    for label in ("import", "reimport"):
        with Session(engine) as session:
            db0, cpu0 = backends_cpu(session), time.process_time()
            started = time.perf_counter()
            report = import_register(session, profile, path, actor="bench")
            session.commit()
            results[f"{label}_s"] = time.perf_counter() - started
            db1 = backends_cpu(session)
            db = sum(cpu - db0.get(pid, 0.0) for pid, cpu in db1.items())
            results[f"{label}_cpu"] = time.process_time() - cpu0 + db
            results[f"{label}_counts"] = report.counts
            results[f"{label}_conflicts"] = len(report.conflicts)
            results[f"{label}_border"] = report.border
            results[f"{label}_timings"] = report.timings
    engine.dispose()
    return results


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print rates and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    r = run(url, args.rows)
    n = r["rows"]
    print(f"rows: {n:,} ({r['shifted']:,} shifted onto a neighbour: legacy overlaps)")
    print(
        f"floor (read + COPY + GiST, no checks): {r['floor_s']:.1f} s "
        f"(CPU {r['floor_cpu']:.1f} s), {n / r['floor_s']:,.0f}/s"
    )
    for label in ("import", "reimport"):
        s = r[f"{label}_s"]
        counts = {k: v for k, v in r[f"{label}_counts"].items() if v}
        cpu = r[f"{label}_cpu"]
        print(
            f"{label}: {s:.1f} s (CPU {cpu:.1f} s: {n / cpu:,.0f}/s CPU-bound), "
            f"{n / s:,.0f} licences/s, {s / r['floor_s']:.1f}x floor; "
            f"{counts}; {r[f'{label}_conflicts']:,} overlaps; border: {r[f'{label}_border']}"
        )
        print(f"  phases (s): {r[f'{label}_timings']}")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    rate = n / r["import_s"]
    print(f"target 5,000 licences/s: {'met' if rate >= 5000 else 'NOT met'} ({rate:,.0f}/s)")


if __name__ == "__main__":
    main()
