"""CLI: ``cadastre history verify [--against SEQ:HASH]`` checks the tamper-evident chain."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from cadastre.db import check_database
from cadastre.progress import Progress
from cadastre.state import registry

history_cli = click.Group("history", help="The tamper-evident history of licences and holders.")


@history_cli.command("verify")
@click.option(
    "--against",
    "published",
    default=None,
    metavar="SEQ:HASH",
    help="A head published earlier (GET /api/history/head): check it is still in the chain.",
)
@with_appcontext
def history_verify(published: str | None) -> None:
    """Recompute every link of the history chain; print the head, or the first bad event."""
    from cadastre.services.chain import link_at, parse_published, verify_chain

    reg = registry()
    check_database(reg.settings.database_url)
    try:
        wanted = parse_published(published) if published else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--against") from None
    with reg.sessions() as session:
        result = verify_chain(session, progress=Progress("history verify"))
        if not result.ok:
            click.echo(f"history verify: FAILED after {result.checked} good events", err=True)
            click.echo(result.mismatch.text(), err=True)
            sys.exit(1)
        if wanted is not None:
            seq, digest = wanted
            link = link_at(session, seq)
            if link is None or link[2] != digest:
                found = f"{link[0]} id {link[1]} has {link[2]}" if link else "there is no event"
                click.echo(
                    f"history verify: the published head {seq}:{digest} is NOT in the chain "
                    f"(at seq {seq} {found}): the history was rewritten after it was published",
                    err=True,
                )
                sys.exit(1)
            click.echo(f"published head {seq}:{digest} is in the chain")
    click.echo(f"history chain OK: {result.checked} events; head {result.head.as_published()}")
