"""The application factory: settings in, a wired Flask app out.

The top of the import graph: it imports every area, and nothing in ``cadastre`` imports it
back (the entry point ``cadastre.cli`` and servers do). Request and command code reads the
app's state through ``cadastre.state.registry()``.
"""

from __future__ import annotations

from flask import Flask

from cadastre import http_errors, input_guard, state, static_assets
from cadastre.blueprints import register_blueprints
from cadastre.cli.commands import register_commands
from cadastre.config import ROOT, Settings
from cadastre.db import session_factory
from cadastre.ogc import lane as items_lane
from cadastre.profile import load_profile
from cadastre.tiles import lane as tile_lane
from cadastre.workspaces import mount_training


def create_app(config: Settings | dict | None = None) -> Flask:
    """Build the app from settings (or from the environment when none are given)."""
    if isinstance(config, dict):
        settings = Settings.from_env(**config)
    else:
        settings = config or Settings.from_env()
    profile = load_profile(settings.profile)

    app = Flask(
        __name__,
        template_folder=str(ROOT / "web" / "templates"),
        static_folder=str(ROOT / "web" / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key or None,  # None: the stored key (cadastre.webauth)
        TESTING=settings.testing,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    app.json.sort_keys = False
    state.init_app(app, state.Registry(settings, profile, session_factory(settings.database_url)))

    http_errors.init_app(app)
    input_guard.init_app(app)  # NULs and out-of-range ids refused before any view
    static_assets.init_app(app)  # fingerprinted CSS/JS cached for a year, the icon
    register_blueprints(app)
    register_commands(app)
    if settings.workspace == "register":  # the training workspace under /training
        # The training app is this factory over the training database (built on first use).
        mount_training(app, settings, create_app)
        items_lane.install(app)  # anonymous GeoJSON items pages without the Flask cycle
        tile_lane.install(app)  # and tile GETs (the most frequent request, looked at first)
    return app


def create_wsgi(settings: Settings | None = None) -> Flask:
    """The register app with the training workspace mounted (the WSGI app the server serves)."""
    return create_app(settings or Settings.from_env())
