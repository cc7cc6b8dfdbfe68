"""OGC API - Features (Parts 1, 2 and 3) at the root of the site."""

from cadastre.ogc.views import bp

__all__ = ["bp"]
