"""Round trip: export the register (GeoPackage, CSV) with the exports' own writers, import the
file into an empty scratch database, and get the same licences, holders, geometries (to the
centimetre), statuses and dates.

The licences export carries the holder's name, kind and, for companies and cooperatives, the
registration number, so the import matches holders by registration number and creates them
with the same kind. An individual's registration number (an identity number) is never
published: individuals come back by name and kind, without it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import shapely
from geoalchemy2.shape import to_shape
from licence_support import grant_settled
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cadastre.importer.service import import_register
from cadastre.migrate import upgrade
from cadastre.models import Holder, Licence, LicenceEvent
from cadastre.profile import load_profile
from cadastre.services.boundaries import load_natural_earth
from cadastre.services.holders import create_holder
from cadastre.services.licences import perform_action, register_application
from cadastre.services.notices import issue_notice
from tests.conftest import scratch_database
from tests.importer.samples import rect

T0 = datetime(2019, 3, 4, 9, 26, 31, tzinfo=UTC)
#: (type, holder, commodities, geometry, actions after the application, days apart)
PLAN = [
    ("exploration", "Tongo Diamonds Ltd", ["diamond", "gold"], rect(-11.05, 8.05, 4000, 3000),
     ["grant"]),
    ("exploration", "Tongo Diamonds Ltd", ["gold"], rect(-11.80, 8.95, 5000, 5000),
     ["grant", "suspend"]),
    ("large_scale", "Marampa Iron", ["iron_ore"], rect(-12.40, 8.70, 8000, 7000),
     ["grant", "renew"]),
    ("small_scale", "Kono Miners Cooperative 2", ["diamond"], rect(-10.90, 8.45, 1000, 900),
     ["grant", "expire"]),
    ("small_scale", "Fatmata Kamara", ["diamond"], rect(-10.70, 8.30, 800, 800),
     ["refuse"]),
    ("artisanal", "Sahr Komba", ["diamond"], rect(-10.95, 8.62, 90, 95), ["withdraw"]),
    ("artisanal", "Sahr Komba", ["gold"], rect(-11.40, 7.50, 70, 80), ["grant", "revoke"]),
    ("small_scale", "Moa River Miners Cooperative", ["gold"], rect(-11.30, 7.70, 900, 700),
     ["grant", "relinquish"]),
    ("exploration", "Gola Minerals SL Ltd", ["coltan"], None, []),
    ("reconnaissance", "Marampa Iron", ["rutile", "bauxite"], rect(-12.0, 8.0, 20000, 15000),
     []),
]  # fmt: skip
KINDS = {"Fatmata Kamara": "individual", "Sahr Komba": "individual"}


def _odd_shape() -> MultiPolygon:
    """Two parts, one with a hole, corners with many decimals: a hard geometry to keep."""
    outer = rect(-10.80, 7.90, 3000, 3000)
    hole = rect(-10.80, 7.90, 800, 600)
    part = Polygon(outer.exterior.coords, [hole.exterior.coords])
    return MultiPolygon([part, rect(-10.75, 7.90, 1500, 1200)])


def _build_register(session, profile, *, microseconds: bool = False) -> None:
    holders = {}
    for k, (ltype, name, commodities, geom, actions) in enumerate(PLAN):
        if name not in holders:
            kind = KINDS.get(name, "cooperative" if "Cooperative" in name else "company")
            number = f"SL-REG-{len(holders) + 1:04d}"
            facts = {"individual": {"nationality": "SLE"}, "cooperative": {"citizen_members": True}}
            holders[name] = create_holder(
                session,
                {"name": name, "kind": kind, "registration_number": number, **facts.get(kind, {})},
            ).id
        received = T0 + timedelta(days=37 * k, minutes=k)
        if microseconds:  # as a counter's clock gives them, which no file format keeps
            received += timedelta(microseconds=123_457 * (k + 1) % 1_000_000 or 1)
        lic = register_application(
            session, profile, holder_id=holders[name], licence_type=ltype,
            commodities=commodities, geometry=geom or _odd_shape(), actor="seed",
            received_at=received,
            district="Kono" if k % 2 or ltype == "artisanal" else None,  # its first stage asks
        )  # fmt: skip
        when = received
        for action in actions:
            when = when + timedelta(days=45)
            params = {}
            if action == "expire":
                when = datetime.combine(lic.expires_at, datetime.min.time(), tzinfo=UTC)
            if action == "renew":  # inside the renewal window, which closes on the expiry date
                when = datetime.combine(lic.expires_at, datetime.min.time(), tzinfo=UTC)
            if action == "grant":  # its procedure walked, each stage on that day
                grant_settled(session, profile, lic.id, actor="seed", at=when)
                continue
            if action in ("suspend", "revoke"):  # on a notice whose remedy period ran out
                issue_notice(session, profile, lic.id, actor="seed", breach="Report overdue",
                             at=when - timedelta(days=profile.notices.remedy_days + 1))  # fmt: skip
            perform_action(session, profile, lic.id, action, actor="seed", at=when,
                           reason="Seeded" if action == "refuse" else None,
                           **params)  # fmt: skip
    session.flush()


def _export(session, fmt: str, folder: Path) -> Path:
    """The licences collection exported by cadastre/exports (no paging, no filter)."""
    from cadastre.exports import writers
    from cadastre.ogc.collections import get_collection
    from cadastre.ogc.params import parse_items_query
    from cadastre.ogc.query import where_clauses

    coll = get_collection("licences")
    q = parse_items_query(coll, {}, 10_000, paged=False)
    where = where_clauses(coll, q)
    if fmt == "csv":
        path = folder / "licences.csv"
        path.write_text("".join(writers.csv_chunks(session, coll, where, q)), encoding="utf-8")
        return path
    return writers.write_file(session, coll, where, q, fmt, folder)


def _register(session) -> dict[str, dict]:
    out = {}
    for lic, holder in session.execute(
        select(Licence, Holder).join(Holder, Holder.id == Licence.holder_id)
    ):
        out[lic.code] = {
            "licence_type": lic.licence_type,
            "status": lic.status,
            "commodities": sorted(lic.commodities),
            "holder": (holder.name, holder.kind, holder.registration_number),
            "received_at": lic.received_at,
            "granted_at": lic.granted_at,
            "expires_at": lic.expires_at,
            "district": lic.district,
            "geom": to_shape(lic.geom),
            "area_ha": lic.area_ha,
        }
    return out


@pytest.mark.parametrize("fmt", ["gpkg", "csv"])
def test_export_then_import_into_an_empty_register_gives_the_same_register(
    fmt, empty_register, session, profile, settings, tmp_path
):
    _build_register(session, profile)
    original = _register(session)
    assert len(original) == len(PLAN)
    assert {v["status"] for v in original.values()} == {
        "granted", "suspended", "expired", "refused", "withdrawn", "revoked",
        "relinquished", "application",
    }  # fmt: skip
    path = _export(session, fmt, tmp_path)

    url = scratch_database(settings.database_url, f"import_rt_{fmt}")
    upgrade(url)
    engine = create_engine(url)
    try:
        with Session(engine) as scratch:
            load_natural_earth(scratch, load_profile(settings.profile), settings.world_atlas)
            report = import_register(scratch, profile, path, actor="round-trip")
            scratch.commit()
            refused = [(r.code, r.reasons) for r in report.rows if r.outcome == "refused"]
            assert refused == []
            copy = _register(scratch)
    finally:
        engine.dispose()

    assert set(copy) == set(original)
    for a in original.values():  # what the public export may carry of a holder
        name, kind, number = a["holder"]
        a["holder"] = (name, kind, None if kind == "individual" else number)
    assert len({a["holder"] for a in original.values()}) == 7
    for code, a in original.items():
        b = copy[code]
        for key in ("licence_type", "status", "commodities", "holder", "received_at",
                    "granted_at", "expires_at", "district"):  # fmt: skip
            assert b[key] == a[key], (code, key, a[key], b[key])
        # to the centimetre: 1e-7 degrees is about 1.1 cm at these latitudes
        assert shapely.hausdorff_distance(a["geom"], b["geom"]) < 1e-7, code
        assert (
            shapely.equals(a["geom"], b["geom"])
            or a["geom"].symmetric_difference(b["geom"]).area < 1e-12
        )
        assert b["area_ha"] == pytest.approx(a["area_ha"], rel=1e-6)


@pytest.mark.parametrize("fmt", ["gpkg", "csv"])
def test_reimporting_the_registers_own_export_changes_nothing(
    fmt, empty_register, session, profile, tmp_path
):
    """The export keeps moments to the millisecond (GeoPackage) or as text: the licences
    agree at the file's precision, so every row is unchanged and no history is written."""
    _build_register(session, profile, microseconds=True)
    received = session.scalars(select(Licence.received_at)).all()
    assert all(r.microsecond % 1000 for r in received)  # finer than a GeoPackage keeps
    path = _export(session, fmt, tmp_path)
    before = _register(session)
    events = session.scalar(select(func.count()).select_from(LicenceEvent))

    report = import_register(session, profile, path, actor="round-trip")

    assert {r.code: r.outcome for r in report.rows} == dict.fromkeys(before, "unchanged")
    assert session.scalar(select(func.count()).select_from(LicenceEvent)) == events
    session.expire_all()
    after = _register(session)
    for code, a in before.items():  # the register's own moments, to the microsecond
        assert after[code]["received_at"] == a["received_at"], code
