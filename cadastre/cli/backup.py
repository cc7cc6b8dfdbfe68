"""CLI: ``cadastre backup OUT`` and ``cadastre restore FILE [--into URL]`` (as the owner)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cadastre.state import registry


def _say(line: str) -> None:
    click.echo(line, err=True)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(out: str) -> None:
    """Write the register to OUT: pg_dump's custom format and a manifest, in one tar file."""
    from cadastre.backup import backup
    from cadastre.db import check_database

    url = registry().settings.owner_url()
    check_database(url)
    manifest = backup(url, out, say=_say)
    rows = sum(manifest["counts"].values())
    click.echo(
        f"{out}: {manifest['database']} at revision {manifest['alembic_revision']}, "
        f"{rows} rows, sha256 {manifest['dump_sha256']}"
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--into",
    "into",
    default=None,
    help="Owner URL of the EMPTY database to fill (default: the register's, as its owner).",
)
@with_appcontext
def restore_command(file: str, into: str | None) -> None:
    """Restore a backup into an empty PostGIS database and check it against the manifest."""
    from cadastre.backup import restore
    from cadastre.db import safe_url
    from cadastre.db_roles import url_user

    settings = registry().settings
    url = into or settings.owner_url()
    manifest = restore(file, url, url_user(settings.database_url), say=_say)
    click.echo(
        f"restored {manifest['database']} of {manifest['created_at']} into {safe_url(url)} "
        f"(revision {manifest['alembic_revision']})"
    )
