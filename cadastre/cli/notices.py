"""CLI: ``cadastre notices run`` delivers the outbox; ``cadastre notices digest [--date D]``
queues each officer's daily digest.

Both are idempotent and safe on a timer (README, "Notices by email"): a run sends what is
due and records it; a digest is queued once per officer and day.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.services.digest import queue_digests
from cadastre.services.mail_delivery import Policy, SmtpSettings, deliver_due
from cadastre.state import registry

notices_cli = click.Group("notices", help="Messages to holders and officers: the outbox.")


def _day(ctx, param, value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@notices_cli.command("run")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def notices_run(as_json: bool) -> None:
    """Send the messages that are due over SMTP; exit 1 if any failed for good in this run."""
    reg = registry()
    smtp = SmtpSettings.from_settings(reg.settings)
    check_database(reg.settings.database_url)
    report = deliver_due(reg.sessions, smtp, Policy.from_settings(reg.settings))
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        click.echo(
            f"notices run: {report.sent} sent, {report.retried} to retry, "
            f"{len(report.failed)} failed; {report.waiting} waiting, "
            f"{report.failed_total} failed in all"
        )
        for message_id, address, error in report.failed:
            click.echo(f"failed: message {message_id} to {address}: {error}", err=True)
    if report.failed:
        sys.exit(1)


@notices_cli.command("digest")
@click.option(
    "--date",
    "day",
    default=None,
    callback=_day,
    metavar="DATE",
    help="The digest of this day (default: today, UTC).",
)
@with_appcontext
def notices_digest(day: date) -> None:
    """Queue the day's digest for each officer with an email address (once a day)."""
    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        report = queue_digests(session, reg.profile, day)
    click.echo(
        f"notices digest {day.isoformat()}: {len(report.queued)} queued, "
        f"{len(report.already)} queued before, {len(report.nothing)} with nothing waiting"
    )
