"""Read a legacy register file into rows: CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile, KML.

Spreadsheets give attribute rows (geometry comes later from a WKT or corner columns);
GeoJSON keeps each feature's geometry as sent, so faults such as open rings can be named
exactly; the GDAL formats (GeoPackage, Shapefile, KML) are read with pyogrio into shapely
geometries in EPSG:4326 in one vectorised pass.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from cadastre.errors import ValidationError, field_error
from cadastre.importer.wkb import wkb_to_geojson

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shp": "shapefile",
    ".kml": "kml",
    ".kmz": "kml",
}


@dataclass
class Table:
    """The rows of a file: attributes per row, and geometry per row where the format has one."""

    path: str
    format: str
    columns: list[str]
    records: list[dict[str, Any]]
    labels: list[str]
    #: "shapely": an array of geometries (None where absent); "geojson": raw geometry
    #: objects as sent; None: spreadsheets, whose geometry is in columns.
    geometry_kind: str | None = None
    geometries: Any = None
    #: Rows whose stored geometry GEOS cannot build, as raw GeoJSON-like mappings.
    raw_geometries: dict[int, dict] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)


def _file_error(path: str, message: str) -> ValidationError:
    """A refusal of the whole file, its name in the detail."""
    return field_error("file", message, detail=f"{Path(path).name}: {message}")


def detect_format(path: str | Path, name: str | None = None) -> str:
    """The file's format from its extension (``name`` when the path is a temporary file)."""
    suffix = Path(name or path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise _file_error(
            str(name or path),
            f"files ending “{suffix or '(nothing)'}” cannot be imported; send CSV, XLSX, "
            "GeoJSON, GeoPackage, a zipped Shapefile or KML",
        )
    return fmt


def read_table(path: str | Path, *, layer: str | None = None, name: str | None = None) -> Table:
    """Read ``path`` (format from ``name`` or the path's extension) into a Table."""
    path = str(path)
    fmt = detect_format(path, name)
    try:
        if fmt == "csv":
            table = _read_csv(path)
        elif fmt == "xlsx":
            table = _read_xlsx(path, layer)
        elif fmt == "geojson":
            table = _read_geojson(path)
        else:
            table = _read_gdal(path, fmt, layer)
        _refuse_nul(table, name or path)
        return table
    except ValidationError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise _file_error(name or path, f"cannot be read as {fmt.upper()}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; all mean unreadable
        raise _file_error(name or path, f"cannot be read as {fmt.upper()}: {exc}") from exc


def _refuse_nul(table: Table, name: str) -> None:
    """PostgreSQL cannot store a NUL character in text: name the first cell holding one."""
    if any("\x00" in c for c in table.columns):
        raise _file_error(name, "a column name contains a NUL character (\\0); remove it")
    for label, record in zip(table.labels, table.records, strict=True):
        for column, value in record.items():
            if isinstance(value, str) and "\x00" in value:
                raise _file_error(
                    name,
                    f"{label}, column “{column}” contains a NUL character (\\0), which the "
                    "register cannot store; remove it and import again",
                )


def _rows_to_table(path: str, fmt: str, header: list, rows: list[list], first: int) -> Table:
    columns = [str(h).strip() if h is not None else f"column {i + 1}" for i, h in enumerate(header)]
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise _file_error(path, f"the header repeats column names: {', '.join(dupes)}")
    records, labels = [], []
    for offset, row in enumerate(rows):
        if not any(v not in (None, "") for v in row):
            continue
        cells = list(row) + [None] * (len(columns) - len(row))
        records.append(dict(zip(columns, cells, strict=False)))
        labels.append(f"row {first + offset}")
    return Table(path, fmt, columns, records, labels)


def _read_csv(path: str) -> Table:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise _file_error(path, "the file is empty")
    return _rows_to_table(path, "csv", rows[0], rows[1:], 2)


def _read_xlsx(path: str, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet and sheet not in book.sheetnames:
            raise _file_error(
                path, f"has no sheet “{sheet}” (sheets: {', '.join(book.sheetnames)})"
            )
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(v not in (None, "") for v in rows[0]):
        rows.pop(0)
    if not rows:
        raise _file_error(path, "the first sheet is empty")
    return _rows_to_table(path, "xlsx", rows[0], rows[1:], 2)


def _read_geojson(path: str) -> Table:
    with open(path, encoding="utf-8-sig") as fh:
        data = json.load(fh)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        raise _file_error(path, "is not a GeoJSON FeatureCollection")
    columns: list[str] = []
    seen = set()
    records, labels, geoms = [], [], []
    for i, feat in enumerate(features):
        props = (feat or {}).get("properties") or {}
        for k in props:
            if k not in seen:
                seen.add(k)
                columns.append(k)
        records.append(dict(props))
        labels.append(f"feature {i + 1}")
        geoms.append((feat or {}).get("geometry"))
    return Table(path, "geojson", columns, records, labels, "geojson", geoms)


def _read_gdal(path: str, fmt: str, layer: str | None) -> Table:
    import pyogrio
    import pyogrio.raw

    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    if layer is not None and layer not in layers:
        raise _file_error(path, f"has no layer “{layer}” (layers: {', '.join(layers)})")
    chosen = [layer] if layer else (layers if fmt == "kml" else layers[:1])
    columns: list[str] = []
    records: list[dict] = []
    labels: list[str] = []
    parts = []
    raw: dict[int, dict] = {}
    for name in chosen:
        meta, _fids, wkb, fields = pyogrio.raw.read(path, layer=name)
        names = [str(n) for n in meta["fields"]]
        for n in names:
            if n not in columns:
                columns.append(n)
        values = [np.asarray(f).tolist() for f in fields]
        count = len(wkb) if wkb is not None else (len(values[0]) if values else 0)
        if values:
            records.extend(dict(zip(names, row, strict=True)) for row in zip(*values, strict=True))
        else:
            records.extend({} for _ in range(count))
        where = f" of layer {name}" if len(chosen) > 1 else ""
        labels.extend(f"feature {i + 1}{where}" for i in range(count))
        if wkb is None:
            geoms = np.full(count, None, dtype=object)
        else:
            geoms = shapely.from_wkb(wkb, on_invalid="ignore")
            offset = len(labels) - count
            for i in np.flatnonzero(shapely.is_missing(geoms)):
                if wkb[i] is not None:
                    raw[offset + int(i)] = wkb_to_geojson(wkb[i])
        parts.append(_to_lonlat(geoms, meta.get("crs")))
    geometries = np.concatenate(parts) if parts else np.array([], dtype=object)
    geometries = shapely.force_2d(geometries)
    return Table(path, fmt, columns, records, labels, "shapely", geometries, raw)


def _to_lonlat(geoms: np.ndarray, crs: str | None) -> np.ndarray:
    """Reproject geometries to EPSG:4326 (longitude, latitude) when the file says otherwise."""
    if not crs:
        return geoms
    from pyproj import CRS, Transformer

    source = CRS.from_user_input(crs)
    if source.to_epsg() == 4326 or source.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return geoms
    tr = Transformer.from_crs(source, 4326, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
