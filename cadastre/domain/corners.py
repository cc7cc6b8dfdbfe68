"""Read corner lists as surveyors write them: decimal degrees, DMS or UTM 28N/29N.

Pure parsing: text (or rows) in, ``(longitude, latitude)`` pairs out, each with
the label an officer can find again ("corner 3", or "corner 3 (line 5)" when
blank or header lines make the two numbers differ). Geometry checks (closure,
validity, area) belong to :mod:`cadastre.domain.geometry`, which calls this.

Reading rules, in short:

* one corner per line; blank lines and lines starting with ``#`` are skipped,
  and so is a first line without any digit (a column header);
* a leading label such as ``P1``, ``BP-3`` or ``1:`` is ignored;
* degrees are read latitude first, unless N/S/E/W letters say otherwise;
  ``S`` and ``W`` (or a minus sign) mean south and west;
* DMS accepts ``8°36'44.3"N``, ``8 36 44.3 N``, ``8d36m44.3s N`` and degrees
  with decimal minutes (``8°36.738'N``). A lowercase ``s`` glued to a number is
  "seconds"; a capital ``S`` is "south";
* UTM is easting then northing in metres (``750123.4 956789.0``; ``mE``/``mN``
  markers allowed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

from cadastre.errors import field_error

#: Roughly Sierra Leone with a margin: used by ``auto`` to tell UTM 28N from 29N.
SIERRA_LEONE_BBOX = (-13.6, 6.7, -10.0, 10.2)

UTM_EPSG = {"utm28": 32628, "utm29": 32629}
EASTING_RANGE = (100_000.0, 900_000.0)
NORTHING_RANGE = (0.0, 10_000_000.0)
NOTATIONS = ("auto", "dd", "dms", "utm28", "utm29")
_ALIASES = {
    "epsg:32628": "utm28",
    "epsg:32629": "utm29",
    "32628": "utm28",
    "32629": "utm29",
    "utm28n": "utm28",
    "utm29n": "utm29",
    "decimal": "dd",
    "decimaldegrees": "dd",
}
_NAMES = {
    "dd": "decimal degrees",
    "dms": "degrees-minutes-seconds",
    "utm": "UTM easting and northing",
    "utm28": "UTM zone 28N easting and northing",
    "utm29": "UTM zone 29N easting and northing",
}

_TOKEN = re.compile(
    r"""
      (?P<num>[-+\u2212\u2013]?(?:\d+(?:\.\d*)?|\.\d+))
      (?P<unit>\s*[°º˚]|\s*(?:''|[″"”“])|\s*[′'’‘`´]|[dD](?![a-zA-Z])|[mM](?![a-zA-Z]{2})|s(?![a-zA-Z]))?
    | (?P<hemi>(?i:north|south|east|west)|[NSEWnsew])(?![a-zA-Z])
    | (?P<sep>[\s,;/|]+)
    """,
    re.VERBOSE,
)
_UNIT = {
    "°": "deg",
    "º": "deg",
    "˚": "deg",
    "d": "deg",
    "D": "deg",
    "m": "min",
    "M": "min",
    "s": "sec",
    "'": "min",
    "′": "min",
    "’": "min",
    "‘": "min",
    "`": "min",
    "´": "min",
    "''": "sec",
    "″": "sec",
    '"': "sec",
    "”": "sec",
    "“": "sec",
}
_LABEL = re.compile(r"^\s*(?:[A-Za-z]{1,5}[-_]?\d{1,4}[:).]?|\d{1,4}[:).]|#\d{1,4})(?:\s+|[,;\t])")


@dataclass
class _Num:
    value: float
    unit: str | None
    negative: bool


@dataclass
class _Group:
    nums: list[_Num]
    hemi: str | None = None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tokens(line: str) -> list[_Num | str]:
    """Split one line into numbers (with units) and hemisphere letters."""
    out: list[_Num | str] = []
    pos = 0
    while pos < len(line):
        m = _TOKEN.match(line, pos)
        if not m:
            raise ValueError(f"could not read “{line[pos : pos + 12].strip()}”")
        pos = m.end()
        if m.group("num"):
            raw = m.group("num")
            unit = _UNIT[m.group("unit").strip()] if m.group("unit") else None
            negative = raw[0] in "-\u2212\u2013"
            out.append(_Num(abs(float(raw.lstrip("+-\u2212\u2013"))), unit, negative))
        elif m.group("hemi"):
            out.append(m.group("hemi")[0].upper())
    return out


def _groups(tokens: list[_Num | str]) -> list[_Group]:
    """Split tokens into one group per coordinate."""
    if any(isinstance(t, str) for t in tokens):
        groups: list[_Group] = []
        prefix = isinstance(tokens[0], str)
        cur = _Group([])
        for t in tokens:
            if isinstance(t, str):
                if prefix:
                    if cur.nums or cur.hemi:
                        groups.append(cur)
                    cur = _Group([], t)
                else:
                    if not cur.nums:
                        raise ValueError(f"the letter {t} does not follow a number")
                    cur.hemi = t
                    groups.append(cur)
                    cur = _Group([])
            else:
                cur.nums.append(t)
        if cur.nums or cur.hemi:
            groups.append(cur)
        return groups
    nums = [t for t in tokens if isinstance(t, _Num)]
    if any(n.unit == "deg" for n in nums):
        groups = []
        for n in nums:
            if n.unit == "deg" or not groups:
                groups.append(_Group([]))
            groups[-1].nums.append(n)
        return groups
    if len(nums) in (2, 4, 6):
        half = len(nums) // 2
        return [_Group(nums[:half]), _Group(nums[half:])]
    raise ValueError(f"expected two coordinates, found {len(nums)} numbers")


def _degrees(g: _Group) -> float:
    """Value of one DD/DMS coordinate, signed, from its numbers and letter."""
    if not g.nums:
        raise ValueError(f"the letter {g.hemi} has no number")
    if len(g.nums) > 3:
        raise ValueError("a coordinate has more than degrees, minutes and seconds")
    order = ("deg", "min", "sec")
    parts: dict[str, float] = {}
    last = -1
    for i, n in enumerate(g.nums):
        unit = n.unit or order[i]
        if order.index(unit) <= last or (i == 0 and unit != "deg"):
            raise ValueError("degrees, minutes and seconds are out of order")
        last = order.index(unit)
        if i > 0 and n.negative:
            raise ValueError("only the degrees may carry a minus sign")
        if i > 0 and g.nums[i - 1].value % 1:
            raise ValueError("only the last of degrees, minutes, seconds may have decimals")
        parts[unit] = n.value
    for unit, word in (("min", "minutes"), ("sec", "seconds")):
        if parts.get(unit, 0.0) >= 60:
            raise ValueError(f"{word} must be below 60, got {parts[unit]:g}")
    value = parts.get("deg", 0.0) + parts.get("min", 0.0) / 60 + parts.get("sec", 0.0) / 3600
    negative = g.nums[0].negative
    if g.hemi in ("S", "W"):
        if negative:
            raise ValueError(f"a coordinate has both a minus sign and the letter {g.hemi}")
        negative = True
    elif g.hemi and negative:
        raise ValueError(f"a coordinate has both a minus sign and the letter {g.hemi}")
    return -value if negative else value


def _read_line(line: str) -> tuple[str, float, float, bool]:
    """One line -> (kind, x, y, explicit) with kind dd/dms (x=lon, y=lat) or utm (x=E, y=N)."""
    tokens = _tokens(line)
    nums = [t for t in tokens if isinstance(t, _Num)]
    if not nums:
        raise ValueError("no numbers found")
    letters = [t for t in tokens if isinstance(t, str)]
    if len(nums) == 2 and all(n.value >= 1000 for n in nums):
        if any(n.unit not in (None, "min") or n.negative for n in nums):
            raise ValueError("eastings and northings are plain positive metres")
        e, n = nums[0].value, nums[1].value
        if letters:
            marks = [g.hemi for g in _groups(tokens)]
            if len(marks) != 2:
                raise ValueError("mark eastings with E and northings with N")
            if sorted(m or "" for m in marks) not in (["E", "N"], ["", "E"], ["", "N"]):
                raise ValueError("mark eastings with E and northings with N")
            if marks[0] == "N" or marks[1] == "E":
                e, n = n, e
        return "utm", e, n, False
    groups = _groups(tokens)
    if len(groups) != 2:
        raise ValueError(f"expected two coordinates (latitude and longitude), found {len(groups)}")
    dms = any(len(g.nums) > 1 or any(n.unit in ("min", "sec") for n in g.nums) for g in groups)
    a, b = (_degrees(g) for g in groups)
    h1, h2 = groups[0].hemi, groups[1].hemi
    lat_first = True
    if h1 in ("E", "W") or h2 in ("N", "S"):
        lat_first = False
    if (h1 in ("N", "S") and h2 in ("N", "S")) or (h1 in ("E", "W") and h2 in ("E", "W")):
        raise ValueError(f"both coordinates are marked {h1}/{h2}; one must be N/S, one E/W")
    lat, lon = (a, b) if lat_first else (b, a)
    explicit = bool(letters) or any(n.unit == "deg" for n in nums)
    return ("dms" if dms else "dd"), lon, lat, explicit


def _read_labelled(line: str) -> tuple[str, float, float, bool]:
    """Read a line, retrying without a leading corner label such as 'P1' or '3:'."""
    try:
        return _read_line(line)
    except ValueError:
        stripped = _LABEL.sub("", line, count=1)
        if stripped == line:
            raise
        try:
            return _read_line(stripped)
        except ValueError:
            pass
        raise


def _is_header(line: str) -> bool:
    """A first line that is not a corner but a column header ('Easting Northing')."""
    if not re.search(r"\d", line):
        return True
    words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", line)}
    if not words - {"north", "south", "east", "west"}:
        return False
    try:
        _read_labelled(line)
    except ValueError:
        return True
    return False


def _lines(text_or_rows: str | Iterable) -> list[tuple[int, str]]:
    if isinstance(text_or_rows, str):
        return [(i + 1, s) for i, s in enumerate(text_or_rows.splitlines())]
    out = []
    for i, row in enumerate(text_or_rows):
        if isinstance(row, str):
            out.append((i + 1, row))
        elif isinstance(row, Sequence):
            out.append((i + 1, " ".join(_cell(v) for v in row)))
        else:
            out.append((i + 1, _cell(row)))
    return out


def _cell(v: object) -> str:
    if isinstance(v, bool):
        return "?"
    if isinstance(v, int | float):
        text = repr(float(v))
        return f"{v:.12f}" if "e" in text else text
    return str(v)


@lru_cache(maxsize=4)
def _to_lonlat(epsg: int) -> Transformer:
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def normalise_notation(notation: str, field: str = "notation") -> str:
    """Map spellings such as 'UTM 28N' or 'EPSG:32629' onto one of NOTATIONS."""
    key = re.sub(r"[\s_\-]", "", str(notation).lower())
    key = _ALIASES.get(key, key)
    if key not in NOTATIONS:
        raise field_error(
            field,
            f"Unknown corner notation “{notation}”; choose decimal degrees (dd), "
            "degrees-minutes-seconds (dms), UTM 28N or UTM 29N.",
        )
    return key


def read_corners(
    text_or_rows: str | Iterable,
    *,
    notation: str = "auto",
    field: str = "corners",
    max_vertices: int = 2000,
    utm_zone_bbox: tuple[float, float, float, float] = SIERRA_LEONE_BBOX,
) -> tuple[list[tuple[float, float]], list[str]]:
    """Read a corner list into (lon, lat) pairs plus a label per corner."""
    reading = read_corner_list(
        text_or_rows,
        notation=notation,
        field=field,
        max_vertices=max_vertices,
        utm_zone_bbox=utm_zone_bbox,
    )
    return reading.points, reading.labels


@dataclass(frozen=True)
class CornerReading:
    """A corner list as understood: the notation used (and whether it was worked out), and
    each corner's label, its line as written, the two numbers read, and its lon/lat."""

    notation: str  # dd, dms, utm28 or utm29
    assumed: bool  # True: worked out from the numbers ("auto"), not declared
    labels: list[str]
    lines: list[str]
    read: list[tuple[float, float]]  # (lon, lat) in degrees, or (easting, northing) in UTM
    points: list[tuple[float, float]]

    @property
    def words(self) -> str:
        """The notation in words: 'UTM zone 29N easting and northing'."""
        return _NAMES[self.notation]

    def echo(self) -> list[dict]:
        """Each corner as written, as read, and as longitude and latitude (6 decimals)."""
        utm = self.notation.startswith("utm")
        out = []
        for label, line, (a, b), (lon, lat) in zip(
            self.labels, self.lines, self.read, self.points, strict=True
        ):
            parsed = f"E {a:,.1f} m, N {b:,.1f} m" if utm else f"lat {b:.6f}, lon {a:.6f}"
            out.append(
                {
                    "label": label,
                    "input": line,
                    "parsed": parsed,
                    "lon": round(lon, 6),
                    "lat": round(lat, 6),
                }
            )
        return out


def read_corner_list(
    text_or_rows: str | Iterable,
    *,
    notation: str = "auto",
    field: str = "corners",
    max_vertices: int = 2000,
    utm_zone_bbox: tuple[float, float, float, float] = SIERRA_LEONE_BBOX,
) -> CornerReading:
    """Read a corner list, saying how it was read (see :class:`CornerReading`)."""
    mode = normalise_notation(notation)
    rows = [(n, line.strip()) for n, line in _lines(text_or_rows)]
    rows = [(n, line) for n, line in rows if line and not line.startswith("#")]
    if rows and _is_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise field_error(field, "No corners were given: write one corner per line.")
    if len(rows) > max_vertices:
        raise field_error(
            field,
            f"{len(rows):,} corners were given; at most {max_vertices:,} are "
            "accepted. Simplify the boundary or split the area.",
        )
    labels, read, lines, seen = [], [], [], set()
    for k, (lineno, line) in enumerate(rows, start=1):
        label = f"corner {k}" if k == lineno else f"corner {k} (line {lineno})"
        labels.append(label)
        try:
            result = _read_labelled(line)
        except ValueError as exc:
            raise field_error(field, f"{_cap(label)}: {exc} in “{line}”.") from None
        kind = result[0]
        wanted = "utm" if mode.startswith("utm") else mode
        if mode != "auto" and kind != wanted and not (mode == "dms" and kind == "dd" and result[3]):
            raise field_error(
                field,
                f"{_cap(label)}: “{line}” looks like {_NAMES[kind]}, but the "
                f"list was declared as {_NAMES[mode]}.",
            )
        read.append((kind,) + result[1:3])
        lines.append(line)
        seen.add(kind)
    kinds = {"utm" if k == "utm" else "deg" for k, _, _ in read}
    if len(kinds) > 1:
        first = read[0][0]
        k = next(i for i, r in enumerate(read) if (r[0] == "utm") != (first == "utm"))
        raise field_error(
            field,
            f"{_cap(labels[k])} is written as {_NAMES[read[k][0]]}, but "
            f"{labels[0]} is {_NAMES[first]}; use one notation for the whole list.",
        )
    if kinds == {"deg"}:
        for label, (_, lon, lat) in zip(labels, read, strict=True):
            _check_degrees(field, label, lon, lat)
        points = [(lon, lat) for _, lon, lat in read]
        used = mode if mode != "auto" else ("dms" if "dms" in seen else "dd")
        return CornerReading(used, mode == "auto", labels, lines, points, points)
    for label, (_, e, n) in zip(labels, read, strict=True):
        _check_utm(field, label, e, n)
    zone = mode if mode.startswith("utm") else _guess_zone(read, field, utm_zone_bbox)
    tr = _to_lonlat(UTM_EPSG[zone])
    lons, lats = tr.transform([r[1] for r in read], [r[2] for r in read])
    points = list(zip(lons, lats, strict=True))
    raw = [(e, n) for _, e, n in read]
    return CornerReading(zone, mode != zone, labels, lines, raw, points)


def _check_degrees(field: str, label: str, lon: float, lat: float) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        hint = (
            (
                " It looks like longitude, latitude: corner lists are read latitude first "
                "(or add N/S/E/W letters)."
            )
            if abs(lon) <= 90 and abs(lat) <= 180
            else ""
        )
        raise field_error(field, f"{_cap(label)}: latitude {lat:g} is outside −90 to 90.{hint}")
    if not -180 <= lon <= 180:
        raise field_error(field, f"{_cap(label)}: longitude {lon:g} is outside −180 to 180.")


def _check_utm(field: str, label: str, e: float, n: float) -> None:
    if not EASTING_RANGE[0] <= e <= EASTING_RANGE[1]:
        hint = (
            " Corner lists are read easting first, then northing."
            if EASTING_RANGE[0] <= n <= EASTING_RANGE[1]
            else ""
        )
        raise field_error(
            field,
            f"{_cap(label)}: easting {e:,.1f} m is outside the plausible range "
            f"100,000–900,000 m.{hint}",
        )
    if not NORTHING_RANGE[0] <= n <= NORTHING_RANGE[1]:
        raise field_error(field, f"{_cap(label)}: northing {n:,.1f} m is outside 0–10,000,000 m.")


def _guess_zone(read: list, field: str, bbox: tuple[float, float, float, float]) -> str:
    """Pick the UTM zone (28N or 29N) that puts every corner inside ``bbox``."""
    fits = []
    for zone, epsg in UTM_EPSG.items():
        lons, lats = _to_lonlat(epsg).transform([r[1] for r in read], [r[2] for r in read])
        if all(
            bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]
            for x, y in zip(lons, lats, strict=True)
        ):
            fits.append(zone)
    if len(fits) != 1:
        raise field_error(
            field,
            "The corners look like UTM eastings and northings, but the zone cannot "
            "be told from the numbers: choose UTM 28N or UTM 29N.",
        )
    return fits[0]
