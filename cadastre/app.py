"""The application factory: settings in, a wired Flask app out."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from cadastre.config import ROOT, Settings
from cadastre.db import session_factory
from cadastre.profile import Profile, load_profile


@dataclass
class Registry:
    """What every request needs: settings, the jurisdiction profile, sessions."""

    settings: Settings
    profile: Profile
    sessions: sessionmaker[Session]


def registry() -> Registry:
    """The registry state of the current app."""
    return current_app.extensions["cadastre"]


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
    app.extensions["cadastre"] = Registry(settings, profile, session_factory(settings.database_url))

    from cadastre import http_errors, input_guard
    from cadastre.blueprints import register_blueprints
    from cadastre.commands import register_commands

    http_errors.init_app(app)
    input_guard.init_app(app)  # NULs and out-of-range ids refused before any view
    register_blueprints(app)
    register_commands(app)
    if settings.workspace == "register":  # the training workspace under /training
        from cadastre.workspaces import mount_training

        mount_training(app, settings)
        from cadastre.ogc import lane as items_lane
        from cadastre.tiles import lane

        items_lane.install(app)  # anonymous GeoJSON items pages without the Flask cycle
        lane.install(app)  # and tile GETs (the most frequent request, looked at first)
    return app
