"""Messy legacy registers written by the tests, in every format the importer reads.

One register of nine rows, each carrying a fault a real legacy file has (or none):

=====  =============  ===============================================================
label  code           what is in it
=====  =============  ===============================================================
R1     EL/2021/0001   clean, holder already registered; overlaps R2 (legacy overlap: flagged)
R2     EL/2021/0002   unknown holder; overlaps R1 (flagged); received date as an Excel serial
R3     AML/2022/0005  open ring (corner lists: only two corners)
R4     SML/2022/0003  coordinates swapped (latitude first / northing first)
R5     QP/2020/0001   unknown licence type "Quarry Permit"
R6     AML/2023/0010  artisanal licence of 4 ha, over the 1 ha limit (imported, flagged)
R7     EL/2020/0009   polygon in Guinea, outside the country
R8     SML/2023/0007  unknown cooperative (created), pending application, "12 May 2023"
R9     LML/2015/0002  clean, holder matched by registration number, dates in 3 formats
=====  =============  ===============================================================
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import box

AS_OF = "2024-06-30"
EXISTING_HOLDER = {
    "name": "Sewa Resources Ltd",
    "kind": "company",
    "registration_number": "SL-CR-1001",
}
ATTRS = ["Licence No", "Type", "Holder", "Reg No", "Holder Type", "Status", "Minerals",
         "Date of application", "Grant Date", "Expiry Date"]  # fmt: skip


def rect(lon: float, lat: float, width_m: float, height_m: float):
    """A lon/lat rectangle of about ``width_m`` x ``height_m`` metres centred at lon, lat."""
    dlat = height_m / 111_320 / 2
    dlon = width_m / (111_320 * math.cos(math.radians(lat))) / 2
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


ROWS = [
    dict(code="EL/2021/0001", type="Exploration Licence", holder="Sewa Resources Ltd",
         reg="SL-CR-1001", kind="", status="Active", minerals="Diamonds; Gold",
         received="2021-01-10", granted="15/03/2021", expires="15 March 2025",
         geom=rect(-11.00, 8.55, 4000, 4000), fault=None),
    dict(code="EL/2021/0002", type="exploration", holder="Moa Gold Ltd", reg="SL-CR-2002",
         kind="company", status="granted", minerals="gold", received=44300,
         granted="2021-05-01", expires="2025-05-01", geom=rect(-10.98, 8.55, 4000, 4000),
         fault=None),
    dict(code="AML/2022/0005", type="AML", holder="Fatmata Kamara", reg="", kind="",
         status="granted", minerals="diamond", received="12 May 2022", granted="01/06/2022",
         expires="2025-06-01", geom=rect(-10.90, 8.70, 80, 80), fault="open"),
    dict(code="SML/2022/0003", type="Small Scale", holder="Kono Miners Cooperative", reg="",
         kind="cooperative", status="granted", minerals="diamond", received="2022-02-02",
         granted="2022-03-03", expires="2026-03-03", geom=rect(-10.95, 8.62, 500, 500),
         fault="swap"),
    dict(code="QP/2020/0001", type="Quarry Permit", holder="Sewa Resources Ltd",
         reg="SL-CR-1001", kind="", status="granted", minerals="granite",
         received="2020-01-01", granted="2020-02-01", expires="2025-02-01",
         geom=rect(-11.30, 8.30, 300, 300), fault=None),
    dict(code="AML/2023/0010", type="artisanal", holder="Abu Sesay", reg="", kind="individual",
         status="granted", minerals="diamond", received="2023-01-05", granted="2023-02-01",
         expires="2025-02-01", geom=rect(-10.85, 8.40, 200, 200), fault=None),
    dict(code="EL/2020/0009", type="exploration", holder="Atlantic Minerals SL Ltd", reg="",
         kind="company", status="granted", minerals="bauxite", received="2020-03-01",
         granted="2020-04-01", expires="2025-04-01", geom=rect(-11.00, 10.60, 3000, 3000),
         fault=None),
    dict(code="SML/2023/0007", type="small-scale", holder="Kono Miners Cooperative", reg="",
         kind="cooperative", status="Pending", minerals="Diamonds", received="12 May 2023",
         granted="", expires="", geom=rect(-10.90, 8.45, 1000, 1000), fault=None),
    dict(code="LML/2015/0002", type="Large-scale mining licence", holder="SEWA RESOURCES LTD",
         reg="SL-CR-1001", kind="", status="granted", minerals="Iron ore",
         received="2014-11-20", granted="01/02/2015", expires="1 February 2040",
         geom=rect(-11.80, 8.90, 6000, 6000), fault=None),
]  # fmt: skip

EXPECTED = {
    "EL/2021/0001": "flagged",
    "EL/2021/0002": "flagged",
    "AML/2022/0005": "refused",
    "SML/2022/0003": "refused",
    "QP/2020/0001": "refused",
    "AML/2023/0010": "flagged",
    "EL/2020/0009": "refused",
    "SML/2023/0007": "imported with warnings",
    "LML/2015/0002": "imported",
}


#: How many rows of the samples are imported (flagged or not): all but the refused.
IMPORTED = sum(o != "refused" for o in EXPECTED.values())


def _ring(row) -> list[list[float]]:
    coords = [[float(x), float(y)] for x, y in shapely.get_coordinates(row["geom"].exterior)]
    if row["fault"] == "swap":
        coords = [[y, x] for x, y in coords]
    if row["fault"] == "open":
        coords = coords[:-1]
    return coords


def _wkt(row) -> str:
    ring = ", ".join(f"{float(x)!r} {float(y)!r}" for x, y in _ring(row))
    return f"POLYGON (({ring}))"


def _attrs(row) -> list:
    return [row["code"], row["type"], row["holder"], row["reg"], row["kind"], row["status"],
            row["minerals"], row["received"], row["granted"], row["expires"]]  # fmt: skip


def _write_csv(path: Path, header: list, lines: list[list]) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(lines)
    return path


def csv_wkt(folder: Path) -> Path:
    """CSV with the area as WKT in lon/lat."""
    return _write_csv(
        folder / "register.csv", ATTRS + ["WKT"], [_attrs(r) + [_wkt(r)] for r in ROWS]
    )


def csv_utm(folder: Path) -> tuple[Path, Path]:
    """CSV with corner columns E1/N1..E4/N4 in UTM 29N, plus its mapping file."""
    tr = Transformer.from_crs(4326, 32629, always_xy=True)
    lines = []
    for r in ROWS:
        ring = [list(c) for c in shapely.get_coordinates(r["geom"].exterior)][:-1]
        e, n = tr.transform([c[0] for c in ring], [c[1] for c in ring])
        pairs = [[round(a, 3), round(b, 3)] for a, b in zip(e, n, strict=True)]
        if r["fault"] == "swap":
            pairs = [[b, a] for a, b in pairs]
        if r["fault"] == "open":
            pairs = [pairs[0], pairs[1], ["", ""], ["", ""]]
        lines.append(_attrs(r) + [v for p in pairs for v in p])
    header = ATTRS + [f"{a}{k}" for k in range(1, 5) for a in ("E", "N")]
    path = _write_csv(folder / "register_utm.csv", header, lines)
    mapping = folder / "utm_mapping.yaml"
    mapping.write_text("crs: EPSG:32629\n", encoding="utf-8")
    return path, mapping


def xlsx(folder: Path) -> Path:
    """XLSX with WKT; dates as real date cells, Excel serial numbers and text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Licences"
    ws.append(ATTRS + ["WKT"])
    for k, r in enumerate(ROWS):
        values = _attrs(r)
        if k == 0:
            values[7] = datetime(2021, 1, 10)  # a real date cell
        ws.append(values + [_wkt(r)])
    path = folder / "register.xlsx"
    wb.save(path)
    return path


def geojson(folder: Path) -> Path:
    """GeoJSON FeatureCollection with the coordinates exactly as the faults need them."""
    feats = []
    for r in ROWS:
        props = dict(zip(ATTRS, _attrs(r), strict=True))
        feats.append(
            {"type": "Feature", "properties": props,
             "geometry": {"type": "Polygon", "coordinates": [_ring(r)]}}
        )  # fmt: skip
    path = folder / "register.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def _wkb(row) -> bytes:
    """WKB of the polygon; an open ring is packed by hand (GEOS would refuse to build it)."""
    if row["fault"] != "open":
        return shapely.to_wkb(shapely.Polygon(_ring(row)))
    ring = _ring(row)
    out = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring))
    return out + b"".join(struct.pack("<dd", x, y) for x, y in ring)


def _write_gdal(path: Path, driver: str, **kwargs) -> Path:
    from pyogrio.raw import write

    fields = [
        np.array([str(v) for v in col], dtype=object)
        for col in zip(*[_attrs(r) for r in ROWS], strict=True)
    ]
    names = [a.replace(" ", "_") for a in ATTRS]
    write(
        str(path), np.array([_wkb(r) for r in ROWS], dtype=object), fields, fields=names,
        geometry_type="Polygon", crs="EPSG:4326", driver=driver, **kwargs,
    )  # fmt: skip
    return path


def gpkg(folder: Path) -> Path:
    """GeoPackage, one layer, the open ring stored as written."""
    return _write_gdal(folder / "register.gpkg", "GPKG", layer="licences")


def shapefile_zip(folder: Path) -> Path:
    """A zipped ESRI Shapefile (.shp, .shx, .dbf, .prj)."""
    shp_dir = folder / "shp"
    shp_dir.mkdir(exist_ok=True)
    _write_gdal(shp_dir / "licences.shp", "ESRI Shapefile")
    path = folder / "register_shp.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in shp_dir.iterdir():
            z.write(f, f.name)
    return path


def kml(folder: Path) -> Path:
    """KML as Google Earth writes it (attributes as ExtendedData), the open ring kept open."""
    from xml.sax.saxutils import escape

    marks = []
    for r in ROWS:
        data = "".join(
            f'<Data name="{escape(a)}"><value>{escape(str(v))}</value></Data>'
            for a, v in zip(ATTRS, _attrs(r), strict=True)
        )
        coords = " ".join(f"{x!r},{y!r},0" for x, y in _ring(r))
        marks.append(
            f"<Placemark><name>{escape(r['code'])}</name><ExtendedData>{data}</ExtendedData>"
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon></Placemark>"
        )
    path = folder / "register.kml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><name>Licences</name>{''.join(marks)}</Document></kml>\n",
        encoding="utf-8",
    )
    return path
