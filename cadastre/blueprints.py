"""One blueprint per surface, registered in one place."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every area's blueprint to the app."""
    from cadastre.health import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(__import__("cadastre.api").api.bp)
    __import__("cadastre.webauth").webauth.init_app(app)
    app.register_blueprint(__import__("cadastre.officer").officer.bp)
    app.register_blueprint(__import__("cadastre.admin").admin.bp)
    app.register_blueprint(__import__("cadastre.ogc").ogc.bp)
    app.register_blueprint(__import__("cadastre.tiles").tiles.bp)
    app.register_blueprint(__import__("cadastre.exports").exports.bp)
    app.register_blueprint(__import__("cadastre.training.web").training.web.bp)
    app.register_blueprint(__import__("cadastre.importer.web").importer.web.bp)
    app.register_blueprint(__import__("cadastre.border").border.bp)
