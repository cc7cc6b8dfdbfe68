"""Back up the register to one file and restore it into an empty database.

A backup is a tar holding ``register.dump`` (PostgreSQL's own custom format, ``pg_dump -Fc``,
run as the owner) and ``manifest.json``: when and from which database it was made, the
Alembic revision, the workspace kind, every table's row count, the dump's SHA-256 and, when
the history chain exists, its head. The counts are taken in the very snapshot pg_dump
dumps (``pg_export_snapshot``), so a restore can check it got exactly what was saved.

A restore refuses a damaged file (checksum) and a target that already holds tables: it
only fills an empty PostGIS database, in one transaction, then compares the counts.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from cadastre.errors import ConfigurationError
from cadastre.services.chain import chain_head

MANIFEST = "manifest.json"
DUMP = "register.dump"
FORMAT = "cadastre-backup/1"
#: Schemas a backup counts and a restore expects empty (PostGIS's own table aside).
SCHEMAS = ("public", "training")
POSTGIS_TABLES = frozenset({"spatial_ref_sys"})

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def pg_tool(name: str, server_major: int) -> str:
    """The ``pg_dump``/``pg_restore`` matching the server's major version (older cannot read)."""
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}", shutil.which(name)]
    for path in filter(None, candidates):
        if Path(path).is_file():
            found = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
            match = re.search(r"(\d+)(?:\.\d+)?", found)
            if match and int(match.group(1)) >= server_major:
                return path
    raise ConfigurationError(
        f"No {name} of PostgreSQL {server_major} or newer was found: install "
        f"postgresql-client-{server_major} (the server is PostgreSQL {server_major})."
    )


def libpq_env(url: str) -> dict[str, str]:
    """Environment for libpq tools: the connection in PG* variables, the password unlisted."""
    u = make_url(url)
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", u.host),
        ("PGPORT", u.port),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _engine(url: str):
    return create_engine(url, poolclass=NullPool)


def _server_major(conn: Connection) -> int:
    return int(conn.scalar(text("SHOW server_version_num"))) // 10000


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows of every table in the register's schemas, by ``schema.table``."""
    tables = conn.execute(
        text(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(:s) "
            "ORDER BY 1, 2"
        ),
        {"s": list(SCHEMAS)},
    ).all()
    return {
        f"{schema}.{table}": conn.scalar(text(f'SELECT count(*) FROM "{schema}"."{table}"'))
        for schema, table in tables
        if table not in POSTGIS_TABLES
    }


def _chain_head(conn: Connection) -> dict:
    """The history chain's head in this snapshot: what ``cadastre history verify`` must print
    after a restore."""
    with Session(bind=conn) as session:
        head = chain_head(session)
    return {"seq": head.seq, "hash": head.hash, "at": head.at.isoformat() if head.at else None}


def _revision(conn: Connection) -> str | None:
    if conn.scalar(text("SELECT to_regclass('public.alembic_version')")) is None:
        return None
    return conn.scalar(text("SELECT version_num FROM alembic_version"))


def _kind(conn: Connection) -> str | None:
    if conn.scalar(text("SELECT to_regclass('public.workspace')")) is None:
        return None
    return conn.scalar(text("SELECT kind FROM workspace"))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(owner_url: str, out: str | Path, say: Say = _quiet) -> dict:
    """Dump the database at ``owner_url`` into the single file ``out``; returns the manifest."""
    out = Path(out)
    engine = _engine(owner_url)
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        dump = Path(tmp) / DUMP
        with engine.connect() as conn:
            # One snapshot for the counts and the dump, held open while pg_dump reads it.
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            tool = pg_tool("pg_dump", _server_major(conn))
            say("backup: counting rows")
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": conn.scalar(text("SELECT current_database()")),
                "server_version": conn.scalar(text("SHOW server_version")),
                "alembic_revision": _revision(conn),
                "workspace": _kind(conn),
                "counts": table_counts(conn),
            }
            manifest["chain_head"] = _chain_head(conn)
            say(f"backup: dumping {manifest['database']} with {tool}")
            done = subprocess.run(
                [tool, "-Fc", "--snapshot", snapshot, "--file", str(dump)],
                env=libpq_env(owner_url),
                capture_output=True,
                text=True,
            )
            conn.rollback()
        engine.dispose()
        if done.returncode != 0:
            raise ConfigurationError(f"pg_dump failed: {done.stderr.strip()}")
        say("backup: checksumming")
        manifest["dump_sha256"] = sha256_of(dump)
        manifest["dump_bytes"] = dump.stat().st_size
        partial = out.with_name(out.name + ".partial")
        partial.unlink(missing_ok=True)
        # Owner-only from its first byte: it holds the cookie-signing key, password hashes
        # and individuals' personal data.
        with (
            os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f,
            tarfile.open(fileobj=f, mode="w") as tar,
        ):
            body = json.dumps(manifest, indent=2, sort_keys=True, default=str).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(dump, arcname=DUMP)
        partial.replace(out)  # never leave a half-written backup under the real name
    say(f"backup: wrote {out}")
    return manifest


def read_backup(path: str | Path, into: Path) -> dict:
    """Unpack a backup into the directory ``into``; refuse a damaged one. Returns the manifest."""
    try:
        # "r:" (a plain tar, as backup writes) fails with one reason, not one per compression
        with tarfile.open(path, "r:") as tar:
            names = set(tar.getnames())
            if not {MANIFEST, DUMP} <= names:
                raise ConfigurationError(
                    f"{path} is not a cadastre backup: it lacks {MANIFEST} or {DUMP}."
                )
            manifest = json.loads(tar.extractfile(MANIFEST).read())
            with tar.extractfile(DUMP) as src, open(into / DUMP, "wb") as dst:
                shutil.copyfileobj(src, dst)
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigurationError(f"{path} is damaged or not a backup: {reason}") from exc
    if manifest.get("format") != FORMAT:
        raise ConfigurationError(f"{path} is not a {FORMAT} backup.")
    actual = sha256_of(into / DUMP)
    if actual != manifest.get("dump_sha256"):
        raise ConfigurationError(
            f"{path} is damaged: its dump's SHA-256 is {actual}, the manifest says "
            f"{manifest.get('dump_sha256')}. Nothing was restored."
        )
    return manifest


def target_tables(conn: Connection) -> list[str]:
    """Tables already in the target's register schemas (PostGIS's own aside)."""
    return [
        f"{s}.{t}"
        for s, t in conn.execute(
            text("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(:s)"),
            {"s": list(SCHEMAS)},
        )
        if t not in POSTGIS_TABLES
    ]


def _restore_list(tool: str, tmp: Path) -> Path:
    """The dump's table of contents without PostGIS's own rows (``spatial_ref_sys``).

    The target's PostGIS already has them, and the owner, no superuser, may not write that
    extension table.
    """
    toc = subprocess.run(
        [tool, "--list", str(tmp / DUMP)], capture_output=True, text=True, check=True
    ).stdout
    kept = [
        line
        for line in toc.splitlines()
        if not re.search(r"TABLE DATA \S+ (" + "|".join(POSTGIS_TABLES) + r") ", line)
    ]
    listing = tmp / "restore.list"
    listing.write_text("\n".join(kept) + "\n")
    return listing


def restore(path: str | Path, owner_url: str, app_role: str | None, say: Say = _quiet) -> dict:
    """Restore the backup at ``path`` into the empty database at ``owner_url``; check counts."""
    from cadastre.db import check_database, safe_url
    from cadastre.db_roles import grant_app_role

    check_database(owner_url)  # reachable, with PostGIS (the owner cannot install it)
    engine = _engine(owner_url)
    with tempfile.TemporaryDirectory() as tmp:
        say("restore: checking the backup")
        manifest = read_backup(path, Path(tmp))
        with engine.connect() as conn:
            present = target_tables(conn)
            tool = pg_tool("pg_restore", _server_major(conn))
        if present:
            raise ConfigurationError(
                f"Refused: {safe_url(owner_url)} is not empty ({len(present)} tables, e.g. "
                f"{present[0]}). Restore into a new empty database (scripts/ensure-db.sh NAME "
                "or createdb + CREATE EXTENSION postgis) and point the register at it."
            )
        say(f"restore: loading {manifest['database']} of {manifest['created_at']} with {tool}")
        listing = _restore_list(tool, Path(tmp))
        done = subprocess.run(
            # Owned by the restoring owner; rights come from grant_app_role, not the old ACLs;
            # comments are left out because the owner may not comment on PostGIS's extension.
            [tool, "--no-owner", "--no-acl", "--no-comments", "--single-transaction",
             "--exit-on-error", "--use-list", str(listing),
             "--dbname", make_url(owner_url).database, str(Path(tmp) / DUMP)],
            env=libpq_env(owner_url),
            capture_output=True,
            text=True,
        )  # fmt: skip
    if done.returncode != 0:
        raise ConfigurationError(f"pg_restore failed, nothing restored: {done.stderr.strip()}")
    with engine.begin() as conn:
        if app_role:
            grant_app_role(conn, app_role)
        say("restore: comparing row counts with the manifest")
        counts = table_counts(conn)
    engine.dispose()
    if counts != manifest["counts"]:
        differ = sorted(
            k for k in set(counts) | set(manifest["counts"])
            if counts.get(k) != manifest["counts"].get(k)
        )  # fmt: skip
        raise ConfigurationError(
            "The restored database does not match the backup's manifest: "
            + ", ".join(f"{k} {counts.get(k)} (expected {manifest['counts'].get(k)})"
                        for k in differ)
        )  # fmt: skip
    say(f"restore: {sum(counts.values())} rows in {len(counts)} tables, as the manifest says")
    return manifest
