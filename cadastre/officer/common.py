"""Helpers shared by the officer pages: role checks, units of work, field errors."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from cadastre.db import unit_of_work
from cadastre.domain.roles import role_allows
from cadastre.state import registry


def role_required(role: str):
    """Decorator: signed in (else to /login) and at least ``role`` (else a 403 page)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not role_allows(current_user.role, role):
                abort(
                    403,
                    f"Your role '{current_user.role}' may not do this; "
                    f"it needs '{role}' or higher.",
                )
            return view(*args, **kwargs)

        return wrapper

    return decorate


def work():
    """One unit of work (commit on success, roll back on error)."""
    return unit_of_work(registry().sessions)


def reading():
    """A read-only session."""
    return registry().sessions()


def field_errors(errors: list[dict] | None) -> dict[str, list[str]]:
    """Group ``[{field, message}]`` by field for the templates."""
    grouped: dict[str, list[str]] = {}
    for item in errors or []:
        grouped.setdefault(str(item.get("field") or "_form"), []).append(str(item.get("message")))
    return grouped


def label(name: str | None) -> str:
    """'small_scale' -> 'Small-scale'."""
    if not name:
        return ""
    return name.replace("_", "-").capitalize()
