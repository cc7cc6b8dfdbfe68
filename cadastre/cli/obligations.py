"""CLI: ``cadastre obligations run [--as-of DATE]`` generates the obligations that have come
round for every licence in force.

Idempotent and safe to run daily (from cron): what was generated before is never generated
again nor changed; receipts and waivers are recorded through the API or the officer pages.
In the same transaction it queues the holders' mail: a reminder of each open obligation
falling due within the profile's ``obligations.remind_days``, a warning of each one overdue,
each once (``services.obligation_mail``); ``cadastre notices run`` delivers them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.progress import Progress
from cadastre.services.obligation_mail import queue_obligation_mail
from cadastre.services.obligations import run_obligations
from cadastre.state import registry

obligations_cli = click.Group(
    "obligations", help="What holders owe besides money: reports, programmes, agreements."
)


def _day(ctx, param, value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@obligations_cli.command("run")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=_day,
    metavar="DATE",
    help="Generate what has come round by this day (default: today, UTC).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def obligations_run(as_of: date, as_json: bool) -> None:
    """Generate every obligation come round by DATE that is not generated yet (nothing twice)."""
    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        result = run_obligations(session, reg.profile, as_of, progress=Progress("obligations run"))
        mail = queue_obligation_mail(session, reg.profile, as_of)
    summary = {**result.as_dict(), **mail.as_dict()}
    if as_json:
        click.echo(json.dumps(summary))
        return
    kinds = ", ".join(f"{n} {k}" for k, n in summary["by_kind"].items()) or "nothing new"
    click.echo(
        f"obligations run as of {as_of.isoformat()}: {result.generated} obligations generated "
        f"({kinds}); {result.licences} licences checked; {result.overdue} open obligations "
        f"overdue; mail queued: {mail.reminders} reminders, {mail.overdue} overdue warnings"
        + (f" ({mail.bad_addresses} holders' addresses unusable)" if mail.bad_addresses else "")
    )
