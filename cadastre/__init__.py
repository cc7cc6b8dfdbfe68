"""cadastre: an open-source mining cadastre licence registry.

The app factory is ``cadastre.app.create_app``; this package itself loads nothing, so a pure
rule (``cadastre.domain``) imports without Flask or the database.
"""
