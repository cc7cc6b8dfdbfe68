"""Who is calling: bearer tokens for the API, the signed-in user for web pages.

``current_actor()`` gives the user (or None for anonymous callers); ``require_role`` guards
API views, answering 401 without valid credentials and 403 for a role that may not act.
"""

from __future__ import annotations

from functools import wraps

from flask import g, request

from cadastre.domain.roles import role_allows
from cadastre.errors import Forbidden, Unauthorized
from cadastre.state import registry


def current_actor():
    """The calling user from the bearer token or the web session, or None."""
    if "actor" in g:
        return g.actor
    actor = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send 'Authorization: Bearer <token>'.")
        from cadastre.services.users import user_for_token

        with registry().sessions() as session:
            user = user_for_token(session, token.strip())
            if user is None:
                raise Unauthorized("The API token is not valid (unknown or revoked).")
            session.commit()
            actor = _Actor(user.id, user.username, user.role)
    else:
        actor = _web_user()
    g.actor = actor
    return actor


def _web_user():
    try:
        from flask_login import current_user
    except ImportError:  # pragma: no cover - flask-login is a dependency
        return None
    if getattr(current_user, "is_authenticated", False):
        return _Actor(int(current_user.get_id()), current_user.username, current_user.role)
    return None


class _Actor:
    """The caller as views need it: id, username, role (no live ORM object)."""

    __slots__ = ("id", "username", "role")

    def __init__(self, id: int, username: str, role: str) -> None:
        self.id, self.username, self.role = id, username, role

    def __repr__(self) -> str:
        return f"<Actor {self.username} ({self.role})>"


def require_role(role: str):
    """Decorator: the caller must be signed in with ``role`` or a higher one."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                raise Unauthorized("Sign in or send a bearer token to do this.")
            if not role_allows(actor.role, role):
                raise Forbidden(
                    f"Your role '{actor.role}' may not do this; it needs '{role}' or higher."
                )
            return view(*args, **kwargs)

        return wrapper

    return decorate
