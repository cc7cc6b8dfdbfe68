"""The console script: bad configuration ends in one clear line, never a traceback alone."""

import os
import subprocess
import sys

import pytest

CADASTRE = os.path.join(os.path.dirname(sys.executable), "cadastre")


def _run(*args, **env):
    full_env = {**os.environ, **env}
    return subprocess.run(
        [CADASTRE, *args], capture_output=True, text=True, env=full_env, timeout=60
    )


def test_unreachable_database_gives_one_clear_message():
    result = _run(
        "db", "upgrade", CADASTRE_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    assert result.returncode != 0
    assert "Cannot reach the database" in result.stderr
    assert "CADASTRE_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_profile_gives_one_clear_message(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("jurisdiction: {name: X}\n")
    result = _run("db", "upgrade", CADASTRE_PROFILE=str(bad))
    assert result.returncode != 0
    assert str(bad) in result.stderr and "Traceback" not in result.stderr


def test_database_without_postgis_is_named(database_url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(database_url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"{base.database}_nopostgis"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    result = _run("db", "upgrade", CADASTRE_DATABASE_URL=url)
    assert result.returncode != 0
    assert "no PostGIS" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["boundaries", "--help"], ["fixtures", "--help"]])
def test_commands_are_registered(args):
    result = _run(*args)
    assert result.returncode == 0, result.stderr
