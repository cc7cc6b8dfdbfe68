"""CLI: manage users (``cadastre users add NAME --role ROLE [--password-stdin]``)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from cadastre.app import registry
from cadastre.db import check_database, unit_of_work
from cadastre.domain.roles import ROLES
from cadastre.services.workspace import claim_for_register

users_cli = click.Group("users", help="Users and their API tokens.")


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the web password from standard input.")
@with_appcontext
def users_add(name: str, role: str, password_stdin: bool) -> None:
    """Add a user (or change the role of an existing one); prints a fresh API token last."""
    from cadastre.services.users import add_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        claim_for_register(session)
        user, token = add_user(session, name, role, password=password)
        username = user.username
    click.echo(f"user {username} ({role}) saved; API token:")
    click.echo(token)
