"""The import's database work, set-based: holders, staging by COPY, updates, history, legacy
overlaps. Python hands PostGIS the rows once; PostGIS compares, joins and measures. New
licences go straight into the register (``cadastre.importer.insert``); only rows whose code
is in the register already are staged, to be compared with their licence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import shapely
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from cadastre.importer.copytext import array_cell, day_cell, text_cell
from cadastre.importer.rows import CheckedRow
from cadastre.models import Holder
from cadastre.services.holders import validate_holder_fields

BATCH = 5000
#: Geometries closer than this (degrees, about a centimetre) are the same geometry.
SAME_GEOMETRY_DEG = 1e-7
_STAGE_COLUMNS = (
    "row_no", "label", "code", "licence_type", "status", "holder_id", "commodities", "geom",
    "area_ha", "received_at", "granted_at", "expires_at", "district", "notes", "flags",
)  # fmt: skip

#: A licence's history snapshot built in SQL, with the keys of services.history.snapshot.
SNAPSHOT_SQL = """jsonb_build_object(
    'code', l.code, 'status', l.status, 'licence_type', l.licence_type,
    'holder_id', l.holder_id, 'commodities', to_jsonb(l.commodities),
    'area_ha', round(l.area_ha::numeric, 4), 'granted_at', l.granted_at,
    'expires_at', l.expires_at, 'renewals', l.renewals, 'district', l.district,
    'version', l.version, 'geometry', ST_AsGeoJSON(l.geom, 15)::jsonb)"""


def resolve_holders(session: Session, rows: Sequence[CheckedRow]) -> dict[int, tuple[int, str]]:
    """Match each row's holder (registration number, then name) or create it.

    Returns {row index: (holder id, how)} with how "matched" or "created"; the kind of an
    existing holder replaces the row's.
    """
    regs = sorted({r.holder_registration for r in rows if r.holder_registration})
    names = sorted({r.holder_name.lower() for r in rows if r.holder_name})
    found = session.execute(
        text(
            "SELECT id, name, kind, registration_number, nationality, citizen_members, "
            "local_ownership_pct::float AS local_ownership_pct FROM holders "
            "WHERE registration_number = ANY(:regs) OR lower(name) = ANY(:names) ORDER BY id"
        ),
        {"regs": regs, "names": names},
    ).all()
    by_reg = {h.registration_number: h for h in found if h.registration_number}
    by_name: dict[str, object] = {}
    for h in found:
        by_name.setdefault(h.name.lower(), h)
    out: dict[int, tuple[int, str]] = {}
    wanted: dict[tuple, dict] = {}
    pending: dict[tuple, list[CheckedRow]] = {}
    for r in rows:
        h = by_reg.get(r.holder_registration) if r.holder_registration else None
        if h is None and r.holder_name:
            h = by_name.get(r.holder_name.lower())
            if h is not None and r.holder_registration and h.registration_number:
                h = None  # same name, another registration number: another holder
        if h is not None:
            r.holder_kind, r.kind_guessed = h.kind, False
            r.holder_name = h.name
            r.holder_facts = {
                "holder_nationality": h.nationality,
                "holder_citizen_members": h.citizen_members,
                "holder_local_ownership_pct": h.local_ownership_pct,
            }
            out[r.index] = (h.id, "matched")
            continue
        key = (
            ("reg", r.holder_registration)
            if r.holder_registration
            else ("name", r.holder_name.lower())
        )
        if key not in wanted:
            wanted[key] = {
                "name": r.holder_name or r.holder_registration,
                "kind": r.holder_kind,
                "registration_number": r.holder_registration,
            }
        pending.setdefault(key, []).append(r)
    if wanted:
        keys = list(wanted)
        values = [validate_holder_fields(wanted[k]) for k in keys]
        ids = session.scalars(
            insert(Holder).returning(Holder.id, sort_by_parameter_order=True), values
        ).all()
        for key, holder_id in zip(keys, ids, strict=True):
            for r in pending[key]:
                out[r.index] = (holder_id, "created")
                r.holder_kind = wanted[key]["kind"]
    return out


def drop_unused_holders(
    session: Session, holders: dict[int, tuple[int, str]], refused: Sequence[CheckedRow]
) -> None:
    """Remove holders this import created only for rows it then refused (nothing refers to
    them yet): a refused row leaves nothing behind. Their rows lose the holder."""
    if not refused:
        return
    kept = {holders[i][0] for i in holders if i not in {r.index for r in refused}}
    unused = sorted(
        {holders[r.index][0] for r in refused if holders[r.index][1] == "created"} - kept
    )
    if unused:
        session.execute(text("DELETE FROM holders WHERE id = ANY(:ids)"), {"ids": unused})
    for r in refused:
        holders.pop(r.index, None)


def codes_in_register(session: Session, codes: Sequence[str]) -> set[str]:
    """Which of ``codes`` are licence codes in the register already."""
    return set(
        session.scalars(
            text("SELECT code FROM licences WHERE code = ANY(:codes)"), {"codes": list(codes)}
        )
    )


def create_stage(session: Session) -> None:
    """The temporary tables (dropped at the end of the transaction): the staging of rows
    whose code is in the register already, and the plan of every accepted row."""
    session.execute(
        text(
            """
            CREATE TEMP TABLE import_plan (
                row_no integer PRIMARY KEY, code text NOT NULL, label text,
                licence_id integer, before jsonb, action text NOT NULL
            ) ON COMMIT DROP
            """
        )
    )
    session.execute(
        text(
            """
            CREATE TEMP TABLE import_stage (
                row_no integer PRIMARY KEY, label text, code text NOT NULL UNIQUE,
                licence_type text, status text, holder_id integer, commodities varchar(40)[],
                geom geometry(MultiPolygon, 4326), area_ha double precision,
                received_at timestamptz, granted_at date, expires_at date, district text,
                notes text[], flags text[]
            ) ON COMMIT DROP
            """
        )
    )


def copy_stage(
    session: Session,
    rows: Sequence[CheckedRow],
    holders: dict[int, tuple[int, str]],
    geoms: np.ndarray,
    area_ha: np.ndarray,
    notes: dict[int, list[str]],
) -> None:
    """COPY rows (those whose code is in the register) into the staging table, in batches."""
    idx = np.array([r.index for r in rows], dtype=int)
    hexes = shapely.to_wkb(shapely.set_srid(geoms[idx], 4326), hex=True, include_srid=True)
    raw = session.connection().connection.driver_connection
    sql = f"COPY import_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
    for start in range(0, len(rows), BATCH):
        lines = []
        for k in range(start, min(start + BATCH, len(rows))):
            r = rows[k]
            cells = (
                str(r.index), text_cell(r.label), text_cell(r.code), r.licence_type, r.status,
                str(holders[r.index][0]), array_cell(r.commodities), hexes[k],
                repr(float(area_ha[r.index])), day_cell(r.received_at),
                day_cell(r.granted_at), day_cell(r.expires_at), text_cell(r.district),
                array_cell(notes.get(r.index, [])), array_cell(r.flags),
            )  # fmt: skip
            lines.append("\t".join(cells))
        with raw.cursor() as cur, cur.copy(sql) as copy:
            copy.write("\n".join(lines) + "\n")


#: The file's moment and the register's agree at the precision the file carries: a date
#: alone covers its day (UTC); whole seconds or milliseconds (a GeoPackage keeps
#: milliseconds) cover the register's microseconds, rounded or cut.
SAME_MOMENT_SQL = """CASE
    WHEN s.received_at = date_trunc('day', s.received_at, 'UTC')
        THEN l.received_at >= s.received_at AND l.received_at < s.received_at + interval '1 day'
    WHEN s.received_at = date_trunc('second', s.received_at)
        THEN abs(extract(epoch FROM l.received_at - s.received_at)) < 1
    WHEN s.received_at = date_trunc('milliseconds', s.received_at)
        THEN abs(extract(epoch FROM l.received_at - s.received_at)) < 0.001
    ELSE false END"""


def classify(session: Session) -> None:
    """Plan each staged row: unchanged or update, against the licence of the same code.

    A file keeps moments at its own precision (a GeoPackage drops microseconds, a CSV may
    give the day only): where the file's date received agrees with the licence's at that
    precision, the licence's own moment is taken, so a re-import of the register's export
    changes nothing and writes no history.
    """
    session.execute(
        text(
            f"""
            UPDATE import_stage s SET received_at = l.received_at
              FROM licences l
             WHERE l.code = s.code AND s.received_at IS DISTINCT FROM l.received_at
               AND {SAME_MOMENT_SQL}
            """
        )
    )
    session.execute(text("ANALYZE import_stage (row_no, code)"))  # not the geometry: slow
    session.execute(
        text(
            f"""
            INSERT INTO import_plan (row_no, code, label, licence_id, action)
            SELECT s.row_no, s.code, s.label, l.id,
                   CASE WHEN
                        (s.licence_type, s.status, s.holder_id, s.commodities, s.received_at,
                         s.granted_at, s.expires_at, s.district)
                        IS NOT DISTINCT FROM
                        (l.licence_type, l.status, l.holder_id, l.commodities, l.received_at,
                         l.granted_at, l.expires_at, l.district)
                        AND (ST_OrderingEquals(s.geom, l.geom)
                             OR ST_HausdorffDistance(s.geom, l.geom) < {SAME_GEOMETRY_DEG})
                   THEN 'unchanged' ELSE 'update' END
              FROM import_stage s JOIN licences l ON l.code = s.code
            """
        )
    )


def write_licences(session: Session, *, actor: str, reason: str) -> dict[str, int]:
    """Update changed licences, each with its history event naming the import, the file
    and the row. New licences are in the register already, with their events
    (``cadastre.importer.insert``), each in the plan with its id.
    """
    session.execute(text("SET LOCAL work_mem = '256MB'"))  # the sorts below stay in memory
    session.execute(text("ANALYZE import_plan"))
    session.execute(
        text(
            f"UPDATE import_plan p SET before = {SNAPSHOT_SQL} "
            "FROM licences l WHERE l.id = p.licence_id AND p.action = 'update'"
        )
    )
    updated = session.execute(
        text(
            """
            UPDATE licences l SET licence_type = s.licence_type, status = s.status,
                   holder_id = s.holder_id, commodities = s.commodities, geom = s.geom,
                   area_ha = s.area_ha, received_at = s.received_at, granted_at = s.granted_at,
                   expires_at = s.expires_at, district = s.district, notes = s.notes,
                   flags = s.flags, version = l.version + 1, updated_at = now()
              FROM import_plan p JOIN import_stage s USING (row_no)
             WHERE p.licence_id = l.id AND p.action = 'update'
            """
        )
    ).rowcount
    session.execute(
        text(
            f"""
            INSERT INTO licence_events (licence_id, action, actor, at, reason, before, after)
            SELECT l.id, 'import_update', :actor, now(), :reason || ', ' || p.label || '.',
                   p.before, {SNAPSHOT_SQL}
              FROM import_plan p JOIN licences l ON l.id = p.licence_id
             WHERE p.action = 'update'
             ORDER BY p.row_no
            """
        ),
        {"actor": actor, "reason": reason},
    )
    return {"update": updated}


_CODE = re.compile(r"^([A-Za-z]+)/(\d{4})/(\d{1,9})$")


def advance_code_counters(session: Session, codes: Sequence[str]) -> None:
    """Keep issued codes ahead of imported ones (EL/2019/0042 moves EL 2019 to at least 42)."""
    last: dict[tuple[str, int], int] = {}
    for code in codes:
        m = _CODE.match(code)
        if m:
            key = (m[1], int(m[2]))
            last[key] = max(last.get(key, 0), int(m[3]))
    if not last:
        return
    session.execute(
        text(
            "INSERT INTO licence_code_counters (prefix, year, last) VALUES (:p, :y, :n) "
            "ON CONFLICT (prefix, year) DO UPDATE "
            "SET last = GREATEST(licence_code_counters.last, EXCLUDED.last)"
        ),
        [{"p": p, "y": y, "n": n} for (p, y), n in sorted(last.items())],
    )


def flag_licences(session: Session, flags: Sequence[tuple[int, str]]) -> None:
    """Add each (licence id, reason) to the licence's flags, once (a re-import adds none)."""
    if not flags:
        return
    session.execute(
        text(
            """
            UPDATE licences l SET flags = l.flags || f.reasons
              FROM (SELECT id, array_agg(DISTINCT reason) AS reasons
                      FROM unnest(CAST(:ids AS integer[]), CAST(:reasons AS text[]))
                           AS t(id, reason)
                     GROUP BY id) f
             WHERE l.id = f.id AND NOT l.flags @> f.reasons
            """
        ),
        {"ids": [i for i, _ in flags], "reasons": [r for _, r in flags]},
    )


def staged(session: Session) -> dict[int, tuple[int, str]]:
    """{row index: (licence id, action)} for every staged row."""
    return {
        r.row_no: (r.licence_id, r.action)
        for r in session.execute(text("SELECT row_no, licence_id, action FROM import_plan"))
    }
