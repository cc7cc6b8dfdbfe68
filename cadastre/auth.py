"""Who is calling, and the one role guard for web pages and the API alike.

``current_actor()`` gives the caller from a bearer token or the web session (None when
anonymous). Whether a role may act is decided once, by ``domain.roles.refusal``; the two
guards differ only in how they present a refusal:

- ``API``: 401 without valid credentials, 403 for a role too low, both problem+json.
- ``WEB``: anonymous to the sign-in page (Flask-Login), a role too low to the 403 page.

``GUARD.check(role, doing)`` returns the caller or refuses; ``GUARD.required(role)`` is the
same as a view decorator; ``GUARD.allows(role)`` only asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn

from flask import abort, current_app, g, request
from flask_login import current_user

from cadastre.domain.roles import Needed, refusal, role_allows
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


@dataclass(frozen=True)
class Guard:
    """Who is calling, and how a refusal is shown to them."""

    caller: Callable[[], Any]  # the caller (with ``.role``), or None when anonymous
    refuse_anonymous: Callable[[str], NoReturn]  # given the sign-in message
    refuse_role: Callable[[str], NoReturn]  # given the refusal in words
    sign_in: str = "Sign in to {doing}."  # the sign-in message; ``{doing}`` is filled in

    def check(self, needed: Needed, doing: str = "do this", *, sign_in: str | None = None):
        """The caller, who must hold ``needed`` or a higher role; else the refusal."""
        actor = self.caller()
        if actor is None:
            self.refuse_anonymous((sign_in or self.sign_in).format(doing=doing))
        message = refusal(actor.role, needed, doing)
        if message is not None:
            self.refuse_role(message)
        return actor

    def allows(self, needed: Needed) -> bool:
        """True when the caller (perhaps anonymous) holds ``needed`` or a higher role."""
        actor = self.caller()
        return actor is not None and role_allows(actor.role, needed)

    def required(self, needed: Needed, doing: str = "do this", *, sign_in: str | None = None):
        """Decorator: the view runs only for a caller holding ``needed`` or a higher role."""

        def decorate(view):
            @wraps(view)
            def wrapper(*args, **kwargs):
                self.check(needed, doing, sign_in=sign_in)
                return view(*args, **kwargs)

            return wrapper

        return decorate


def _unauthorized(message: str) -> NoReturn:
    raise Unauthorized(message)


def _forbidden(message: str) -> NoReturn:
    raise Forbidden(message)


def _signed_in_user():
    return current_user if current_user.is_authenticated else None


def _to_sign_in(message: str) -> NoReturn:
    abort(current_app.login_manager.unauthorized())  # the redirect to /login


def _forbidden_page(message: str) -> NoReturn:
    abort(403, message)


#: The API's guard: bearer token or web session; 401/403 as problem+json.
API = Guard(
    current_actor,
    _unauthorized,
    _forbidden,
    sign_in="Send 'Authorization: Bearer <token>' to {doing}.",
)
#: The web pages' guard: the signed-in user; the sign-in page or the 403 page.
WEB = Guard(_signed_in_user, _to_sign_in, _forbidden_page)
