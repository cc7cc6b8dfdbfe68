"""CLI: manage users (``cadastre users add|deactivate|activate|revoke-tokens|token NAME``)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.domain.roles import ROLES
from cadastre.errors import CadastreError, Conflict
from cadastre.services.workspace import claim_for_register
from cadastre.state import registry

users_cli = click.Group("users", help="Users and their API tokens.")


def _fail(exc: CadastreError) -> None:
    """One line on stderr and a non-zero exit (what the console script does for errors)."""
    click.echo(f"cadastre: error: {exc.detail}", err=True)
    sys.exit(1)


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the web password from standard input.")
@click.option("--email", default=None, help="Where the user's notices and daily digest go.")
@with_appcontext
def users_add(name: str, role: str, password_stdin: bool, email: str | None) -> None:
    """Add a new user (an existing name is refused); prints a fresh API token last."""
    from cadastre.services.users import add_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    reg = registry()
    check_database(reg.settings.database_url)
    try:
        with unit_of_work(reg.sessions) as session:
            claim_for_register(session)
            user, token = add_user(session, name, role, password=password, email=email)
            username = user.username
    except CadastreError as exc:
        _fail(exc)
    click.echo(f"user {username} ({role}) saved; API token:")
    click.echo(token)


def _change_user(name: str, change) -> str:
    """Apply ``change(session, user)`` to the user named ``name`` in one transaction."""
    from cadastre.services.users import user_named

    reg = registry()
    check_database(reg.settings.database_url)
    try:
        with unit_of_work(reg.sessions) as session:
            return change(session, user_named(session, name))
    except CadastreError as exc:
        _fail(exc)


def _deactivate(session, user) -> str:
    """Stop a user signing in: ends their sessions and revokes their API tokens."""
    from cadastre.services.users import set_active

    set_active(session, user, False)
    return f"user {user.username} deactivated; their sessions and API tokens are refused."


def _activate(session, user) -> str:
    """Let a deactivated user sign in again (their old tokens stay revoked)."""
    from cadastre.services.users import set_active

    set_active(session, user, True)
    return f"user {user.username} activated; they can sign in with their password."


def _revoke_tokens(session, user) -> str:
    """Revoke all of a user's API tokens and end their web sessions."""
    from cadastre.services.users import revoke_tokens

    n = revoke_tokens(session, user)
    return f"user {user.username}: {n} API token(s) revoked; their sessions are ended."


def _token(session, user) -> str:
    """Issue an active user a fresh API token (after revoke-tokens); prints it last."""
    from cadastre.services.users import issue_token

    if not user.active:
        raise Conflict(f"{user.username} is deactivated; activate them first.")
    return f"user {user.username}: new API token:\n{issue_token(session, user)}"


#: ``users COMMAND NAME``: one change to one user, in one transaction, said in one line
#: (each change's docstring is its command's help).
USER_CHANGES = {
    "deactivate": _deactivate,
    "activate": _activate,
    "revoke-tokens": _revoke_tokens,
    "token": _token,
}


def _user_change_command(command: str, change) -> None:
    @users_cli.command(command, help=change.__doc__)
    @click.argument("name")
    @with_appcontext
    def run(name: str) -> None:
        click.echo(_change_user(name, change))


for _command, _change in USER_CHANGES.items():
    _user_change_command(_command, _change)


@users_cli.command("email")
@click.argument("name")
@click.argument("address")
@with_appcontext
def users_email(name: str, address: str) -> None:
    """Set where a user's notices and daily digest go ("" to send them none)."""
    from cadastre.services.users import set_email

    def change(session, user) -> str:
        set_email(session, user, address)
        return f"user {user.username}: email {user.email or 'none'}"

    click.echo(_change_user(name, change))
