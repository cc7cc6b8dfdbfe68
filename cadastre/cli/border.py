"""CLI: ``cadastre border recompute`` reassesses every licence against the borders in force."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.progress import Progress
from cadastre.state import registry

border_cli = click.Group("border", help="Border-risk assessments.")


@border_cli.command("recompute")
@click.option("--reason", default="cadastre border recompute", show_default=True,
              help="Why, as written into the history of each licence that changes.")
@with_appcontext
def border_recompute(reason: str) -> None:
    """Reassess every licence and rebuild the border zones (idempotent; progress on stderr)."""
    from cadastre.services.border import recompute_all

    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        summary = recompute_all(
            session, reg.profile, progress=Progress("border recompute"), reason=reason
        )
    click.echo(summary.text())
