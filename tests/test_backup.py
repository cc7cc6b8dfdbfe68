"""`cadastre backup OUT` and `cadastre restore FILE`: one file, checked on the way back."""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import replace

import pytest
from licence_support import KONO, grant_settled, square_ha
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.app import create_app
from cadastre.backup import DUMP, MANIFEST
from cadastre.db import get_engine
from cadastre.migrate import head_revision, upgrade
from cadastre.services.boundaries import load_natural_earth
from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from tests.conftest import scratch_database


@pytest.fixture(scope="module")
def source(database_url, settings, profile) -> dict:
    """A register with licences and history, committed in a database of its own."""
    url = scratch_database(database_url, "h5backup")
    upgrade(url)
    with Session(get_engine(url)) as s:
        load_natural_earth(s, profile, settings.world_atlas)
        holder = create_holder(s, {"name": "Backup Gold Ltd", "kind": "company"})
        lic = register_application(
            s,
            profile,
            holder_id=holder.id,
            licence_type="exploration",
            commodities=["gold"],
            geometry=square_ha(*KONO, 300),
            actor="officer-a",
        )
        grant_settled(s, profile, lic.id, actor="supervisor-b")  # its procedure walked
        s.execute(text("INSERT INTO workspace (kind) VALUES ('register')"))
        s.commit()
        licence_id = lic.id
        # what the backup must carry: the licence's events, and every link of the chain
        events = s.scalar(text("SELECT count(*) FROM licence_events"))
        links = s.scalar(text(
            "SELECT (SELECT count(*) FROM licence_events) + (SELECT count(*) FROM holder_events)"
            " + (SELECT count(*) FROM ledger_events)"
        ))  # fmt: skip
    assert events > 2 and links > events  # applied, walked through its stages, granted
    app = create_app(replace(settings, database_url=url, training_database_url=""))
    return {"url": url, "app": app, "licence": licence_id, "events": events, "links": links}


@pytest.fixture(scope="module")
def backup_file(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("backup") / "register.cadastre-backup"
    r = source["app"].test_cli_runner().invoke(args=["backup", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _history(app, licence_id: int) -> list[dict]:
    with app.test_request_context():
        return app.test_client().get(f"/api/licences/{licence_id}/history").get_json()


def _counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as conn:
        return {
            t: conn.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in (
                "holders",
                "licences",
                "licence_events",
                "orders_to_pay",
                "ledger_events",
                "countries",
                "border_lines",
            )
        }


def test_the_backup_is_readable_by_its_owner_only(backup_file):
    # it holds the cookie-signing key, password hashes and individuals' personal data
    assert backup_file.stat().st_mode & 0o077 == 0, oct(backup_file.stat().st_mode)


def test_the_backup_is_one_file_with_a_manifest(backup_file, source):
    with tarfile.open(backup_file) as tar:
        assert set(tar.getnames()) == {MANIFEST, DUMP}
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert manifest["database"].endswith("_h5backup")
    assert manifest["alembic_revision"] == head_revision(source["url"])
    assert manifest["workspace"] == "register"
    assert manifest["counts"]["public.licences"] == 1
    assert manifest["counts"]["public.licence_events"] == source["events"]
    assert len(manifest["dump_sha256"]) == 64 and manifest["created_at"]


def test_restore_into_an_empty_database_gives_the_same_register(
    backup_file, source, database_url, settings
):
    target = scratch_database(database_url, "h5restored")
    app = create_app(replace(settings, database_url=target, training_database_url=""))
    r = app.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert r.exit_code == 0, r.output
    assert _counts(target) == _counts(source["url"])
    before = _history(source["app"], source["licence"])
    after = _history(app, source["licence"])
    assert after == before and len(after["events"]) == source["events"]
    with get_engine(target).connect() as conn:
        assert conn.scalar(text("SELECT kind FROM workspace")) == "register"
    # the restored history verifies, and its head is the one the manifest promised
    with tarfile.open(backup_file) as tar:
        head = json.loads(tar.extractfile(MANIFEST).read())["chain_head"]
    r = app.test_cli_runner().invoke(args=["history", "verify"])
    assert r.exit_code == 0, r.output
    # every event: the licence's, its holder's, and the ledger's (orders raised, payments)
    assert f"head {head['seq']}:{head['hash']}" in r.stdout and head["seq"] == source["links"]
    r = app.test_cli_runner().invoke(
        args=["history", "verify", "--against", f"{head['seq']}:{head['hash']}"]
    )
    assert r.exit_code == 0, r.output


def test_restore_refuses_a_database_that_is_not_empty(backup_file, source):
    before = _counts(source["url"])
    r = source["app"].test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert r.exit_code != 0
    assert "is not empty" in str(r.exception)
    assert _counts(source["url"]) == before


def test_restore_refuses_a_damaged_backup(backup_file, database_url, settings, tmp_path):
    with tarfile.open(backup_file) as tar:
        manifest = tar.extractfile(MANIFEST).read()
        dump = bytearray(tar.extractfile(DUMP).read())
    dump[len(dump) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.cadastre-backup"
    with tarfile.open(damaged, "w") as tar:
        for name, body in ((MANIFEST, manifest), (DUMP, bytes(dump))):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    target = scratch_database(database_url, "h5damaged")
    app = create_app(replace(settings, database_url=target, training_database_url=""))
    r = app.test_cli_runner().invoke(args=["restore", str(damaged)])
    assert r.exit_code != 0
    assert "is damaged" in str(r.exception) and "Nothing was restored" in str(r.exception)
    with get_engine(target).connect() as conn:
        assert conn.scalar(text("SELECT to_regclass('public.licences')")) is None


def test_restore_of_a_file_that_is_no_backup_says_so_in_one_line(database_url, settings, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("not a backup\n" * 100)
    target = scratch_database(database_url, "h6notbackup")
    app = create_app(replace(settings, database_url=target, training_database_url=""))
    r = app.test_cli_runner().invoke(args=["restore", str(stray)])
    assert r.exit_code != 0
    message = str(r.exception)
    assert "is damaged or not a backup" in message
    assert "\n" not in message, message
