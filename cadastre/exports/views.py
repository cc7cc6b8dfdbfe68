"""File exports of any collection, with the same filters as its items, never paged."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, Response, request, send_file

from cadastre.downloads import complete_download
from cadastre.exports import writers
from cadastre.ogc.collections import get_collection
from cadastre.ogc.documents import EXPORT_FORMATS
from cadastre.ogc.errors import not_found
from cadastre.ogc.http import add_cors
from cadastre.ogc.params import parse_items_query
from cadastre.ogc.query import where_clauses
from cadastre.state import registry

bp = Blueprint("exports", __name__)


@bp.after_request
def _cors(response: Response) -> Response:
    return add_cors(response)


@bp.get("/collections/<collection_id>/export.<path:fmt>")
def export(collection_id: str, fmt: str):
    """The whole (filtered) collection as GeoPackage, zipped Shapefile, KML, CSV or GeoJSON."""
    coll = get_collection(collection_id)
    if fmt not in EXPORT_FORMATS:
        raise not_found(f"No export format '{fmt}'; use one of {', '.join(EXPORT_FORMATS)}.")
    reg = registry()
    q = parse_items_query(coll, request.args, reg.settings.max_page_size, paged=False)
    where = where_clauses(coll, q)  # checks the filter before any byte is sent
    mime, _label = EXPORT_FORMATS[fmt]
    filename = f"{coll.id}.{fmt}"
    if fmt in ("geojson", "csv"):
        chunks = writers.geojson_chunks if fmt == "geojson" else writers.csv_chunks

        def pieces():
            with reg.sessions() as session:
                yield from chunks(session, coll, where, q)

        # made whole first: a failure part-way is an error status, never a cut-off file
        extra = {"Content-Crs": q.crs.header} if fmt == "geojson" else None
        return complete_download(pieces, mime, filename, extra)
    folder = Path(tempfile.mkdtemp(prefix="cadastre-export-"))
    try:
        with reg.sessions() as session:
            path = writers.write_file(session, coll, where, q, fmt, folder)
        response = send_file(path, mimetype=mime, as_attachment=True, download_name=filename,
                             max_age=0, conditional=False)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    response.call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return response
