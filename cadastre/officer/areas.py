"""The licence area from a form: typed corners, an uploaded file, or a drawing.

Uploaded files are saved to a temporary file and read with pyogrio (GeoJSON, KML, a zipped
Shapefile, GeoPackage); every part is reprojected to lon/lat and merged, then checked by the
same geometry intake as the API. Every refusal names the form field it belongs to.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile

import shapely
from shapely.geometry import MultiPolygon

from cadastre.domain.geometry import parse_corners, parse_geojson, to_geojson
from cadastre.errors import field_error

SUFFIXES = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".zip": "shapefile",
    ".gpkg": "gpkg",
}
MAX_UPLOAD = 20 * 1024 * 1024


def read_upload(storage, *, field: str = "upload", max_vertices: int = 2000) -> MultiPolygon:
    """Read an uploaded boundary file into a checked MultiPolygon (lon/lat)."""
    name = (getattr(storage, "filename", "") or "").strip()
    suffix = os.path.splitext(name.lower())[1]
    if suffix not in SUFFIXES:
        raise field_error(
            field,
            f"“{name or 'The file'}” is not a file type we read: send GeoJSON "
            "(.geojson), KML (.kml), a zipped Shapefile (.zip) or a GeoPackage (.gpkg).",
        )
    with tempfile.TemporaryDirectory(prefix="cadastre-upload-") as tmp:
        path = os.path.join(tmp, "upload" + suffix)
        storage.save(path)
        size = os.path.getsize(path)
        if size == 0:
            raise field_error(field, "The uploaded file is empty.")
        if size > MAX_UPLOAD:
            raise field_error(field, f"The file is {size / 1e6:.1f} MB; at most 20 MB is accepted.")
        if suffix == ".zip":
            path = _shapefile_in_zip(path, field)
        geom = _read_with_pyogrio(path, field)
    source = {"geojson": "GeoJSON", "kml": "KML", "shapefile": "a Shapefile",
              "gpkg": "a GeoPackage"}[SUFFIXES[suffix]]  # fmt: skip
    return parse_geojson(to_geojson(geom), field=field, max_vertices=max_vertices, source=source)


def _shapefile_in_zip(path: str, field: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            shps = [n for n in zf.namelist() if n.lower().endswith(".shp") and "__MACOSX" not in n]
    except zipfile.BadZipFile:
        raise field_error(
            field, "The .zip file could not be opened; is it a zipped Shapefile?"
        ) from None
    if not shps:
        raise field_error(
            field, "The .zip file holds no .shp file; zip the .shp, .shx, .dbf and .prj together."
        )
    if len(shps) > 1:
        raise field_error(field, f"The .zip file holds {len(shps)} Shapefiles; send one at a time.")
    return f"/vsizip/{path}/{shps[0]}"


def _read_with_pyogrio(path: str, field: str):
    import pyogrio

    try:
        df = pyogrio.read_dataframe(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; all mean "unreadable"
        raise field_error(
            field, f"The file could not be read as a map layer ({_short(exc)})."
        ) from None
    if df.empty or df.geometry.is_empty.all():
        raise field_error(field, "The file holds no areas.")
    if df.crs is not None and not df.crs.equals("EPSG:4326"):
        try:
            df = df.to_crs("EPSG:4326")
        except Exception as exc:  # noqa: BLE001
            raise field_error(
                field, f"The file's coordinate system could not be converted ({_short(exc)})."
            ) from None
    geoms = [g for g in df.geometry if g is not None and not g.is_empty]
    polys = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        kinds = ", ".join(sorted({g.geom_type for g in geoms}))
        raise field_error(field, f"The file holds {kinds} features, not areas (polygons).")
    merged = shapely.union_all([shapely.force_2d(g) for g in polys])
    if merged.geom_type == "Polygon":
        merged = MultiPolygon([merged])
    return merged


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def area_from_form(form, *, max_vertices: int = 2000) -> tuple[MultiPolygon, str]:
    """The area the form gives by its chosen method, and the field it came from."""
    method = form.area_method.data or "corners"
    if method == "corners":
        text = form.corners.data or ""
        if not text.strip():
            raise field_error("corners", "Type the corners of the area, one per line.")
        poly = parse_corners(
            text, notation=form.notation.data or "auto", field="corners", max_vertices=max_vertices
        )
        return MultiPolygon([poly]), "corners"
    if method == "upload":
        storage = form.upload.data
        if storage is not None and getattr(storage, "filename", ""):
            return read_upload(storage, max_vertices=max_vertices), "upload"
        if form.uploaded_geometry.data:
            return _from_json(form.uploaded_geometry.data, "upload", max_vertices), "upload"
        raise field_error(
            "upload", "Choose a file with the area (GeoJSON, KML, zipped Shapefile or GeoPackage)."
        )
    if method == "draw":
        if not (form.drawn_geometry.data or "").strip():
            raise field_error(
                "drawn_geometry",
                "Draw the area on the map: click each corner, then click the first corner again.",
            )
        return _from_json(
            form.drawn_geometry.data, "drawn_geometry", max_vertices
        ), "drawn_geometry"
    raise field_error("area_method", "Choose how you will give the area.")


def _from_json(text: str, field: str, max_vertices: int) -> MultiPolygon:
    try:
        obj = json.loads(text)
    except (ValueError, TypeError):
        raise field_error(field, "The area could not be read; draw or upload it again.") from None
    return parse_geojson(obj, field=field, max_vertices=max_vertices)
