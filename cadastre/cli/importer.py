"""CLI: ``cadastre import FILE [--mapping MAP] [--dry-run] [--as-of DATE]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.errors import ValidationError
from cadastre.progress import Progress
from cadastre.state import registry


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML/JSON file naming the file's columns (otherwise matched by usual names).",
)
@click.option("--dry-run", is_flag=True, help="Check and report everything, change nothing.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date the file describes (default today): later dates are refused, lapsed terms noted.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the report to this file (.csv or .json).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How the report is printed.",
)
@click.option("--actor", default="import", show_default=True, help="Who the history names.")
@with_appcontext
def import_cli(file, mapping, dry_run, as_of, report_path, output, actor) -> None:
    """Bring an existing register in: CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile or KML."""
    from cadastre.importer.service import import_register

    reg = registry()
    check_database(reg.settings.database_url)
    progress = Progress("import" + (" (dry run)" if dry_run else ""))
    try:
        with unit_of_work(reg.sessions) as session:
            report = import_register(
                session,
                reg.profile,
                file,
                mapping=mapping,
                dry_run=dry_run,
                as_of=as_of.date() if as_of else None,
                actor=actor,
                progress=progress,
            )
    except ValidationError as exc:
        click.echo(f"cadastre import: {exc.detail}", err=True)
        for e in exc.errors:
            click.echo(f"  {e.get('field')}: {e.get('message')}", err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("\nimport interrupted: rolled back, nothing was changed", err=True)
        sys.exit(130)
    progress.finish(report.border)
    if output == "json":
        click.echo(report.to_json_text())
    elif output == "csv":
        click.echo(report.to_csv(), nl=False)
    else:
        click.echo(report.to_table(limit=200))
    if report_path:
        text = report.to_json_text() if report_path.lower().endswith(".json") else report.to_csv()
        Path(report_path).write_text(text, encoding="utf-8")
        click.echo(f"report written to {report_path}", err=True)
