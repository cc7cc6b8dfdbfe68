"""Time the licence certificate: facts read from the register, then the PDF drawn.

    /work/main/.venv/bin/python -m bench.certificate [--runs 50]

Uses a scratch database (``CADASTRE_BENCH_DATABASE_URL``, default ``cadastre_bench_cert``),
dropped and re-created: migrations, Natural Earth boundaries, one company and one
small-scale licence (4 corners) and one exploration licence of 40 corners, each granted by
walking its procedure (``services.procedure_walk``). The first certificate of a process
loads the font (its time is shown apart); each later one reads the facts (4 SQL statements)
and draws the PDF (maps, corners, QR code).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time

from shapely.geometry import Polygon, box
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cadastre.config import Settings
from cadastre.db import recreate_database
from cadastre.migrate import upgrade
from cadastre.profile import load_profile
from cadastre.services.boundaries import load_natural_earth
from cadastre.services.certificate import certificate_facts
from cadastre.services.certificate_pdf import render_certificate
from cadastre.services.document_store import FileStore
from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from cadastre.services.procedure_walk import walk_procedure

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_cert"
BASE = "https://cadastre.example.gov/"


def _many_corners(lon: float, lat: float, n: int, r: float) -> Polygon:
    """A star-ish polygon of ``n`` corners around lon/lat (r in degrees)."""
    pts = []
    for i in range(n):
        k = r * (1.0 if i % 2 == 0 else 0.8)
        a = 2 * math.pi * i / n
        pts.append((lon + k * math.cos(a), lat + k * math.sin(a)))
    return Polygon(pts)


def _seed(session: Session, profile) -> dict[str, int]:
    holder = create_holder(session, {"name": "Bench Mining Ltd", "kind": "company"})
    shapes = {
        "small-scale, 4 corners": ("small_scale", box(-10.98, 8.63, -10.972, 8.637)),
        "exploration, 40 corners": ("exploration", _many_corners(-11.5, 9.2, 40, 0.06)),
    }
    # an application is granted by walking its type's procedure (documents, fees, stages)
    store = FileStore(tempfile.mkdtemp(prefix="bench-cert-"))
    ids = {}
    for name, (kind, shape) in shapes.items():
        lic = register_application(
            session, profile, holder_id=holder.id, licence_type=kind,
            commodities=["diamond"], geometry=shape, actor="bench",
        )  # fmt: skip
        ids[name] = walk_procedure(session, profile, lic.id, store=store).id
    session.commit()
    return ids


def main(argv: list[str] | None = None) -> None:
    """Build the scratch register, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_DATABASE_URL", DEFAULT_URL)
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    print(f"scratch database {make_url(url).database}: migrate, load boundaries", flush=True)
    recreate_database(url)
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        load_natural_earth(session, profile, settings.world_atlas)
        session.commit()
        ids = _seed(session, profile)
    print(
        f"{'licence':>24} {'first ms':>9} {'median ms':>10} {'p95 ms':>7} "
        f"{'facts ms':>9} {'draw ms':>8} {'PDF KB':>7}",
        flush=True,
    )
    for name, licence_id in ids.items():
        totals, reads, draws = [], [], []
        first = None
        for _ in range(args.runs + 1):
            with Session(engine) as session:
                t0 = time.perf_counter()
                facts = certificate_facts(session, profile, licence_id, BASE)
                t1 = time.perf_counter()
                pdf = render_certificate(facts)
                t2 = time.perf_counter()
            if first is None:
                first = (t2 - t0) * 1000
                continue
            totals.append((t2 - t0) * 1000)
            reads.append((t1 - t0) * 1000)
            draws.append((t2 - t1) * 1000)
        p95 = statistics.quantiles(totals, n=20)[-1]
        print(
            f"{name:>24} {first:9.0f} {statistics.median(totals):10.0f} {p95:7.0f} "
            f"{statistics.median(reads):9.1f} {statistics.median(draws):8.0f} "
            f"{len(pdf) / 1024:7.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
