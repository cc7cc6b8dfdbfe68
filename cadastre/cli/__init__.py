"""The ``cadastre`` console script: a Flask CLI group that ends bad configuration in one line.

An entry point, above the app factory: the commands live in this package's modules
(``cadastre.cli.db``, ``users``, ``border``, ...) and ``cadastre.cli.commands`` attaches them
to every app ``create_app`` builds.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from cadastre.errors import CadastreError


def _create_app():
    # Imported here, not at the top: the app factory imports cadastre.cli.commands, which
    # runs this package first.
    from cadastre.app import create_app

    return create_app()


cli = FlaskGroup(
    name="cadastre",
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="Mining cadastre licence registry.",
)


def main() -> None:
    """Entry point of the console script."""
    try:
        cli.main(prog_name="cadastre")
    except CadastreError as exc:
        click.echo(f"cadastre: error: {exc.detail}", err=True)
        sys.exit(2)
