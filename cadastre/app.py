"""The application factory: settings in, a wired Flask app out.

The top of the import graph: it imports every area, and nothing in ``cadastre`` imports it
back (the entry point ``cadastre.cli`` and servers do). Request and command code reads the
app's state through ``cadastre.state.registry()``.
"""

from __future__ import annotations

from flask import Flask

from cadastre import hosts, http_errors, input_guard, state, static_assets
from cadastre.blueprints import register_blueprints
from cadastre.cli.commands import register_commands
from cadastre.config import ROOT, Settings
from cadastre.db import session_factory
from cadastre.ogc import lane as items_lane
from cadastre.profile import load_profile
from cadastre.tiles import lane as tile_lane
from cadastre.workspaces import mount_training


class CadastreFlask(Flask):
    """Flask that answers only to the allowed hosts, before anything else runs
    (``cadastre.hosts``; the lanes and the training mount sit in ``wsgi_app``), and whose
    automatic ``OPTIONS`` answer is a bodiless 204 naming ``Allow`` (Flask's own is a 200
    with an empty body declared ``text/html``; the map layers' CORS hooks still apply).
    """

    host_guard: hosts.HostGuard | None = None

    def __call__(self, environ, start_response):
        """Refuse an unknown Host, else serve as Flask does."""
        guard = self.host_guard
        if guard is not None and not guard.allows(environ):
            return guard.refuse(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def make_default_options_response(self):
        """204 No Content with the rule's ``Allow`` header and no Content-Type."""
        response = super().make_default_options_response()
        response.status_code = 204
        response.headers.pop("Content-Type", None)
        return response


def create_app(config: Settings | dict | None = None) -> Flask:
    """Build the app from settings (or from the environment when none are given)."""
    if isinstance(config, dict):
        settings = Settings.from_env(**config)
    else:
        settings = config or Settings.from_env()
    profile = load_profile(settings.profile)

    app = CadastreFlask(
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
    app.host_guard = hosts.guard(settings)  # an unknown Host is refused before anything reads it
    return app


def create_wsgi(settings: Settings | None = None) -> Flask:
    """The register app with the training workspace mounted (the WSGI app the server serves)."""
    return create_app(settings or Settings.from_env())
