"""Two workspaces, one application: the register at ``/`` and the training workspace at
``/training``, each its own ``create_app`` over its own database.

The training app is the same code with ``workspace="training"`` and
``database_url=training_database_url``: its users, licences and history live in another
database, so nothing done there reaches the register and no register account signs in there.
Its session cookies have their own name and path and are signed with their own key, so a
register sign-in never carries over. It is mounted with werkzeug's ``DispatcherMiddleware``
around the register app's ``wsgi_app`` (``cadastre run``, ``cadastre serve`` and gunicorn all
serve that), and built on the first request under ``/training``; until the training
database is reachable that prefix answers 503 with what to run.

Production: ``cadastre serve`` (granian, ``cadastre.app:create_wsgi`` as a factory);
gunicorn: ``gunicorn 'cadastre.app:create_wsgi()'``. The app factory hands itself to
``mount_training`` (this module is below ``cadastre.app`` and never imports it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from cadastre.config import Settings
from cadastre.db import check_database
from cadastre.errors import ConfigurationError
from cadastre.hardening import set_hardening_headers
from cadastre.services.app_secrets import shared_secret
from cadastre.services.workspace import check_training_database

#: The app factory (``cadastre.app.create_app``), given by the caller.
AppFactory = Callable[[Settings], Flask]
PREFIX = "/training"
_log = logging.getLogger(__name__)


def training_key(register_key: str) -> str:
    """The training workspace's signing key, derived from the register's."""
    return hashlib.sha256(f"training:{register_key}".encode()).hexdigest()


def training_settings(settings: Settings) -> Settings:
    """The register's settings turned into the training workspace's."""
    # No configured key: left empty, and derived from the register's stored key on first use.
    key = training_key(settings.secret_key) if settings.secret_key else ""
    return replace(
        settings,
        database_url=settings.training_database_url,
        workspace="training",
        secret_key=key,
        training_database_url="",
    )


def create_training_app(settings: Settings, create_app: AppFactory) -> Flask:
    """The training workspace's app (from the register's settings), built by the factory."""
    # Never serve the register as a sandbox, whichever URL names it.
    check_training_database(settings.training_database_url)
    app = create_app(training_settings(settings))
    if not settings.secret_key:
        url = settings.database_url  # the register's database keeps the one stored key
        app.extensions["cadastre_secret_key"] = lambda: training_key(shared_secret(url))
    app.config.update(
        SESSION_COOKIE_NAME="cadastre_training_session",
        SESSION_COOKIE_PATH=PREFIX,
        REMEMBER_COOKIE_NAME="cadastre_training_remember",
        REMEMBER_COOKIE_PATH=PREFIX,
    )
    return app


class _LazyTraining:
    """Builds the training app on first use; answers 503 while its database is unreachable."""

    def __init__(self, settings: Settings, create_app: AppFactory) -> None:
        self.settings = settings
        self.create_app = create_app
        self.app: Flask | None = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self.app is None:
            # A refusal's detail names the database (host, port, name): the log has it, the
            # page only says what to do.
            try:
                check_database(self.settings.training_database_url)
            except ConfigurationError as exc:
                _log.warning("training workspace unavailable: %s", exc.detail)
                return _unavailable(start_response, NOT_READY)
            try:
                with self._lock:
                    if self.app is None:
                        self.app = create_training_app(self.settings, self.create_app)
            except ConfigurationError as exc:
                _log.warning("training workspace refused: %s", exc.detail)
                return _unavailable(start_response, NOT_TRAINING)
        return self.app(environ, start_response)


NOT_READY = "The training database cannot be used yet. Set it up with `cadastre training reset`."
NOT_TRAINING = (
    "The training workspace is off: the database it is set to use is marked 'register' (or "
    "holds register data). Point CADASTRE_TRAINING_DATABASE_URL at a training database."
)


def _unavailable(start_response, detail: str):
    body = json.dumps(
        {
            "type": "https://cadastre.example/problems/training-unavailable",
            "title": "Training workspace unavailable",
            "status": 503,
            "detail": detail,
        }
    ).encode()
    start_response(
        "503 Service Unavailable",
        set_hardening_headers(
            [
                ("Content-Type", "application/problem+json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", "30"),  # as the register's own 503s (cadastre.http_errors)
            ]
        ),
    )
    return [body]


def mount_training(app: Flask, settings: Settings, create_app: AppFactory) -> Flask:
    """Serve the training workspace under ``/training`` of the register app (once)."""
    if app.extensions.get("training_mount") is None and settings.training_database_url:
        lazy = _LazyTraining(settings, create_app)
        app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: lazy})
        app.extensions["training_mount"] = lazy
    return app


def training_app_of(app: Flask) -> Flask | None:
    """The mounted training app, building it if needed (None when none is mounted)."""
    lazy = app.extensions.get("training_mount")
    if lazy is None:
        return None
    if lazy.app is None:
        with lazy._lock:
            if lazy.app is None:
                lazy.app = create_training_app(lazy.settings, lazy.create_app)
    return lazy.app
