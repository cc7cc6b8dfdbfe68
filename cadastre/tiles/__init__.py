"""Vector tiles: OGC API - Tiles in WebMercatorQuad, one SQL statement per tile."""

from cadastre.tiles.views import bp

__all__ = ["bp"]
