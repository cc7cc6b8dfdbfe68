"""Web sign-in (Flask-Login), CSRF protection (Flask-WTF), cookie settings, hardening headers.

Signing key: ``CADASTRE_SECRET_KEY``, or when unset one generated once and kept in the
database (``cadastre.services.app_secrets``), fetched on the first request that opens a
session, so every worker and restart signs cookies alike.

Sessions: sign-in stores the user's ``session_epoch``; sign-out, password reset, deactivation
and token revocation bump it, and the user loader refuses a session with an older epoch, so a
copied cookie dies with them.

CSRF: every form POST carries a token. The JSON API authenticates with bearer tokens, which a
cross-site page cannot send, so a request whose bearer token is valid is not checked; any
other ``Authorization`` header is refused with the API's 401 before the view runs.
Requests to the API blueprints (``CSRF_EXEMPT_BLUEPRINTS``) are checked only when they would
act on a signed-in browser session; anonymous API calls get the API's own 401 instead.
Our own pages' ``fetch`` calls send the token in the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, request
from flask import session as web_session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import SQLAlchemyError

from cadastre.errors import CadastreError, NotFound
from cadastre.state import registry

login_manager = LoginManager()
csrf = CSRFProtect()

#: The session key holding the user's session epoch at sign-in.
EPOCH_KEY = "_epoch"
_key_lock = threading.Lock()
_log = logging.getLogger(__name__)

#: Blueprints whose views authenticate by bearer token and take no browser forms.
CSRF_EXEMPT_BLUEPRINTS = ("api", "ogc", "tiles", "health")


class WebUser(UserMixin):
    """The signed-in user as the session needs it (no live ORM object)."""

    def __init__(self, id: int, username: str, role: str) -> None:
        self.id, self.username, self.role = id, username, role

    def get_id(self) -> str:
        """The id Flask-Login stores in the session."""
        return str(self.id)


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    from cadastre.services.users import get_user

    with registry().sessions() as session:
        try:
            user = get_user(session, uid)
        except NotFound:
            return None
        if not user.active or web_session.get(EPOCH_KEY) != user.session_epoch:
            return None  # deactivated, or signed out / reset since this cookie was made
        return WebUser(user.id, user.username, user.role)


def ensure_secret_key(app: Flask) -> None:
    """Give the app its signing key, from the database when none was configured."""
    if app.secret_key:
        return
    with _key_lock:
        if not app.secret_key:
            app.config["SECRET_KEY"] = app.extensions["cadastre_secret_key"]()


def _stored_key(app: Flask):
    from cadastre.services.app_secrets import shared_secret

    url = app.extensions["cadastre"].settings.database_url
    return lambda: shared_secret(url)


class SigningOnceSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per key set.

    Flask builds a new itsdangerous serializer on every request, signed cookie or not;
    that was about a tenth of the CPU of a small map request. The serializer holds only
    its keys and settings, so one per (secret key, fallbacks) is the same behaviour.
    Anonymous reads (no Cookie header) skip parsing cookies and, when nothing was put in
    the session, the cookie settings Flask looks up before finding nothing to save.
    """

    def __init__(self) -> None:
        self._signers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        """The serializer for the app's current keys (made on first use)."""
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = super().get_signing_serializer(app)
        return signer

    def open_session(self, app: Flask, request):
        """A request without any cookie starts an empty session (nothing to parse)."""
        try:
            ensure_secret_key(app)
        except (CadastreError, SQLAlchemyError):
            # No key while the database is down: this request gets Flask's null session
            # (so /healthz can still say 503), and the next one tries again.
            _log.warning("no cookie-signing key yet (the database is unavailable)")
            return None
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's save, with its early return for an empty, unmodified session first."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Bind sign-in and CSRF protection to the app and harden the session cookie."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, with the API exemptions
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE", False)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", 12 * 3600)
    login_manager.login_view = "officer.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.init_app(app)
    csrf.init_app(app)
    app.session_interface = SigningOnceSessionInterface()
    # Where the key comes from when none is configured (the training app derives its own).
    app.extensions.setdefault("cadastre_secret_key", _stored_key(app))

    from cadastre.hardening import set_hardening_headers

    basemap_url = app.extensions["cadastre"].settings.basemap_url

    @app.after_request
    def _harden(response):
        set_hardening_headers(response.headers, basemap_url)
        if "Cache-Control" not in response.headers and (
            "_user_id" in web_session or "Authorization" in request.headers
        ):
            # What a signed-in caller sees may be personal data: no browser or proxy keeps
            # it (Back after sign-out on a shared office computer shows nothing).
            response.headers["Cache-Control"] = "private, no-store"
        return response

    @app.before_request
    def _no_key_yet():
        # The stored key could not be read (open_session), so the database is away: sessions
        # and CSRF cannot work; answer what the database being away answers, not a 500.
        if not app.secret_key and request.blueprint != "health":
            from cadastre.http_errors import database_unavailable

            return database_unavailable(RuntimeError("no cookie-signing key yet"))
        return None

    @app.before_request
    def _csrf_check():
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        if request.headers.get("Authorization"):
            from cadastre.auth import current_actor

            current_actor()  # raises Unauthorized (401) unless the bearer token is valid
            return None
        if request.blueprint in CSRF_EXEMPT_BLUEPRINTS and not current_user.is_authenticated:
            return None
        csrf.protect()
        return None
