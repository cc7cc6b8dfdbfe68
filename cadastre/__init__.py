"""cadastre: an open-source mining cadastre licence registry."""

from cadastre.app import create_app

__all__ = ["create_app"]
