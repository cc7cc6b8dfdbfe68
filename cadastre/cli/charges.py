"""CLI: ``cadastre charges run [--as-of DATE]`` raises the annual charges that have fallen due.

Idempotent and safe to run daily (from cron): what was raised before is never raised again.
The server does not need it to answer requests; it only adds the year's orders to pay.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.progress import Progress
from cadastre.services.charges import run_charges
from cadastre.state import registry

charges_cli = click.Group("charges", help="Fees and annual charges: orders to pay.")


def _day(ctx, param, value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@charges_cli.command("run")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=_day,
    metavar="DATE",
    help="Raise what is due by this day (default: today, UTC).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def charges_run(as_of: date, as_json: bool) -> None:
    """Raise every annual charge due by DATE that is not raised yet (nothing twice)."""
    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        result = run_charges(session, reg.profile, as_of, progress=Progress("charges run"))
    summary = result.as_dict()
    if as_json:
        click.echo(json.dumps(summary))
        return
    totals = ", ".join(f"{v} {c}" for c, v in summary["totals"].items()) or "nothing"
    click.echo(
        f"charges run as of {as_of.isoformat()}: {result.raised} orders to pay raised "
        f"({totals}); {result.licences} licences checked"
    )
