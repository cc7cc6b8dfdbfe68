"""CLI commands registered on the app (``cadastre <group> <command>``)."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every area's CLI commands."""
    from cadastre.cli_db import boundaries_cli, db_cli, fixtures_cli
    from cadastre.cli_users import users_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(boundaries_cli)
    app.cli.add_command(fixtures_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(__import__("cadastre.training.cli").training.cli.training_cli)
    app.cli.add_command(__import__("cadastre.cli_import").cli_import.import_cli)
    app.cli.add_command(__import__("cadastre.cli_border").cli_border.border_cli)
    app.cli.add_command(__import__("cadastre.cli_serve").cli_serve.serve_command)
    app.cli.add_command(__import__("cadastre.cli_backup").cli_backup.backup_command)
    app.cli.add_command(__import__("cadastre.cli_backup").cli_backup.restore_command)
    app.cli.add_command(__import__("cadastre.cli_history").cli_history.history_cli)
