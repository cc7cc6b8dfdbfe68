"""CLI commands registered on the app (``cadastre <group> <command>``).

Apart from ``cadastre.cli``'s ``main`` because the app factory imports this module, and
``main`` imports the factory.
"""

from __future__ import annotations

from flask import Flask

from cadastre.cli.backup import backup_command, restore_command
from cadastre.cli.border import border_cli
from cadastre.cli.charges import charges_cli
from cadastre.cli.db import boundaries_cli, db_cli, fixtures_cli
from cadastre.cli.history import history_cli
from cadastre.cli.importer import import_cli
from cadastre.cli.notices import notices_cli
from cadastre.cli.obligations import obligations_cli
from cadastre.cli.serve import serve_command
from cadastre.cli.users import users_cli
from cadastre.training.cli import training_cli


def register_commands(app: Flask) -> None:
    """Attach every area's CLI commands."""
    app.cli.add_command(db_cli)
    app.cli.add_command(boundaries_cli)
    app.cli.add_command(fixtures_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(training_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(border_cli)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(history_cli)
    app.cli.add_command(charges_cli)
    app.cli.add_command(notices_cli)
    app.cli.add_command(obligations_cli)
