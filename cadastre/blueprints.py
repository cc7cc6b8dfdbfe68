"""One blueprint per surface, registered in one place."""

from __future__ import annotations

from flask import Flask

from cadastre import admin, api, border, exports, officer, ogc, palette, tiles, webauth
from cadastre.health import bp as health_bp
from cadastre.importer import web as importer_web
from cadastre.training import web as training_web


def register_blueprints(app: Flask) -> None:
    """Attach every area's blueprint to the app."""
    app.register_blueprint(health_bp)
    app.register_blueprint(api.bp)
    webauth.init_app(app)
    app.register_blueprint(officer.bp)
    app.register_blueprint(palette.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(ogc.bp)
    app.register_blueprint(tiles.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(training_web.bp)
    app.register_blueprint(importer_web.bp)
    app.register_blueprint(border.bp)
