"""File exports (GeoPackage, zipped Shapefile, KML, CSV, GeoJSON) of the map collections."""

from cadastre.exports.views import bp

__all__ = ["bp"]
