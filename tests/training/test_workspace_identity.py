"""Workspace identity: a training reset (or the /training app) never takes the register,
however the training URL spells the register's database."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cadastre.app import create_app, create_wsgi
from cadastre.db import get_engine
from cadastre.migrate import upgrade
from cadastre.services.holders import create_holder
from cadastre.services.workspace import workspace_kind
from tests.conftest import scratch_database

COUNTED = ("holders", "users", "licences", "licence_events", "countries", "workspace")


def _counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as conn:
        return {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in COUNTED}


def _localhost(url: str) -> str:
    return make_url(url).set(host="localhost").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def register_url(database_url, settings) -> str:
    """A register of its own: migrated and marked by `cadastre db upgrade`, one holder, one user."""
    url = scratch_database(database_url, "h5register")
    app = create_app(replace(settings, database_url=url, training_database_url=""))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    made = runner.invoke(args=["users", "add", "registrar", "--role", "admin"])
    assert made.exit_code == 0, made.output
    with Session(get_engine(url)) as s:
        create_holder(s, {"name": "Sewa Diamonds Ltd", "kind": "company"})
        s.commit()
    return url


def test_db_upgrade_marks_the_register(register_url):
    with Session(get_engine(register_url)) as s:
        assert workspace_kind(s) == "register"


def test_reset_refuses_the_register_named_by_localhost(register_url, settings):
    alias = _localhost(register_url)
    assert alias != register_url  # the old guard compared these strings and let it through
    before = _counts(register_url)
    app = create_app(replace(settings, database_url=register_url, training_database_url=alias))
    r = app.test_cli_runner().invoke(args=["training", "reset", "--scenario", "transfer-licence"])
    assert r.exit_code != 0
    assert "is the register (marked 'register')" in str(r.exception)
    assert _counts(register_url) == before
    with get_engine(register_url).connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM users WHERE username = 'trainer'")) == 0


def test_reset_refuses_an_unmarked_database_holding_a_register(register_url, settings):
    with get_engine(register_url).begin() as conn:
        conn.execute(text("DELETE FROM workspace"))
    try:
        before = _counts(register_url)
        app = create_app(
            replace(settings, training_database_url=_localhost(register_url))
        )
        r = app.test_cli_runner().invoke(args=["training", "reset"])
        assert r.exit_code != 0
        assert "holds licences, holders or users" in str(r.exception)
        assert _counts(register_url) == before
    finally:
        with get_engine(register_url).begin() as conn:
            conn.execute(text("INSERT INTO workspace (kind) VALUES ('register')"))


def test_console_script_refuses_in_one_line_without_a_prompt(register_url):
    before = _counts(register_url)
    env = dict(
        os.environ,
        CADASTRE_DATABASE_URL=register_url,
        CADASTRE_TRAINING_DATABASE_URL=_localhost(register_url),
    )
    env.pop("CADASTRE_OWNER_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "from cadastre.cli import main; main()", "training", "reset"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cadastre: error: Refused:"), done.stderr
    assert _counts(register_url) == before


def test_training_app_refuses_to_serve_the_register(register_url, settings):
    app = create_wsgi(replace(settings, training_database_url=_localhost(register_url)))
    r = app.test_client().get("/training/healthz")
    assert r.status_code == 503
    assert "marked 'register'" in r.get_json()["detail"]


def test_reset_marks_a_fresh_database_as_training(reset_to, training_session):
    reset_to("transfer-licence")
    assert workspace_kind(training_session) == "training"


def test_register_commands_refuse_a_training_workspace(reset_to, training_url, settings):
    reset_to("transfer-licence")
    app = create_app(replace(settings, database_url=training_url, training_database_url=""))
    r = app.test_cli_runner().invoke(args=["users", "add", "someone", "--role", "viewer"])
    assert r.exit_code != 0
    assert "is a training workspace" in (r.output + str(r.exception))


def test_migration_marks_a_database_already_holding_a_register(database_url):
    url = scratch_database(database_url, "h5premark")
    upgrade(url, "0005")
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO holders (name, kind) VALUES ('Old Holder', 'company')"))
    upgrade(url)
    with Session(get_engine(url)) as s:
        assert workspace_kind(s) == "register"
