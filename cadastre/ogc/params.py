"""Parse and check the items query parameters; a bad value is a 400 naming the parameter."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from cadastre.ogc.collections import Collection
from cadastre.ogc.crs import DEFAULT, Crs, check_within, parse_crs
from cadastre.ogc.errors import bad_parameter
from cadastre.services.history import MAX_ID

#: Parameters every items request may carry (besides property names as equality filters).
STANDARD = {
    "f", "bbox", "bbox-crs", "limit", "offset", "datetime", "properties", "sortby", "crs",
    "filter", "filter-lang", "filter-crs",
}
FILTER_LANGS = ("cql2-text", "cql2-json")


@dataclass
class ItemQuery:
    """A checked items request: what to match, how to page, sort and encode."""

    limit: int = 100
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: Crs = DEFAULT
    interval: tuple[datetime | None, datetime | None] | None = None
    properties: list[str] | None = None
    sortby: list[tuple[str, bool]] = field(default_factory=list)
    equals: dict[str, Any] = field(default_factory=dict)
    filter: str | None = None
    filter_lang: str = "cql2-text"
    filter_crs: Crs = DEFAULT
    crs: Crs = DEFAULT


def parse_items_query(coll: Collection, args, max_page_size: int, *, paged: bool = True):
    """Check every parameter of an items (or export) request against ``coll``."""
    if hasattr(args, "to_dict"):
        # First value per name, as ``MultiDict.get`` gives, in a plain dict: a missing key
        # then costs a dict lookup, not a raised and caught BadRequestKeyError.
        args = args.to_dict()
    q = ItemQuery()
    unknown = [k for k in args if k not in STANDARD and coll.prop(k) is None and k != "id"]
    if unknown:
        raise bad_parameter(
            unknown[0],
            "unknown parameter; the queryable properties are "
            + ", ".join(p.name for p in coll.properties),
        )
    if paged:
        q.limit = _int(args.get("limit"), "limit", 100, minimum=1)
        q.limit = min(q.limit, max_page_size)  # Part 1: a larger limit is not an error
        # the page's OFFSET is bound as PostgreSQL integer; no collection holds more rows
        q.offset = _int(args.get("offset"), "offset", 0, minimum=0, maximum=MAX_ID)
    q.crs = parse_crs(args.get("crs"), "crs")
    q.bbox_crs = parse_crs(args.get("bbox-crs"), "bbox-crs")
    if "bbox-crs" in args and "bbox" not in args:
        raise bad_parameter("bbox-crs", "given without bbox")
    if args.get("bbox") is not None:
        q.bbox = parse_bbox(args.get("bbox"), q.bbox_crs)
    if args.get("datetime") is not None:
        q.interval = parse_datetime(args.get("datetime"))
    if args.get("properties") is not None:
        names = [n.strip() for n in args.get("properties").split(",") if n.strip()]
        for n in names:
            if coll.prop(n) is None:
                raise bad_parameter("properties", f"'{n}' is not a property of {coll.id}")
        q.properties = names
    if args.get("sortby"):
        q.sortby = parse_sortby(coll, args.get("sortby"))
    for key in args:
        if key in STANDARD:
            continue
        q.equals[key] = coerce(coll, key, args.get(key), key)
    if args.get("filter") is not None:
        q.filter = args.get("filter")
        q.filter_lang = args.get("filter-lang") or "cql2-text"
        if q.filter_lang not in FILTER_LANGS:
            raise bad_parameter("filter-lang", f"use one of {', '.join(FILTER_LANGS)}")
        q.filter_crs = parse_crs(args.get("filter-crs"), "filter-crs")
    return q


def _int(
    raw: str | None, name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter(name, f"{raw!r} is not an integer") from None
    if value < minimum:
        raise bad_parameter(name, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise bad_parameter(name, f"must be at most {maximum}")
    return value


def parse_bbox(raw: str, crs: Crs) -> tuple[float, float, float, float]:
    """Four (or six, 3D) numbers in the axis order of ``crs``; returned as x/y min, x/y max."""
    try:
        nums = [float(v) for v in raw.split(",")]
    except ValueError:
        raise bad_parameter("bbox", f"{raw!r} is not a comma-separated list of numbers") from None
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    if len(nums) != 4 or not all(math.isfinite(n) for n in nums):
        raise bad_parameter("bbox", "needs 4 numbers: minx,miny,maxx,maxy (or 6 with heights)")
    if crs.lat_lon:  # EPSG:4326 is lat,lon in OGC Part 2
        nums = [nums[1], nums[0], nums[3], nums[2]]
    minx, miny, maxx, maxy = nums
    check_within(crs, nums, "bbox")
    if miny > maxy:
        raise bad_parameter("bbox", "the lower corner is above the upper corner")
    if crs.srid == 4326:
        if not (-90 <= miny <= 90 and -90 <= maxy <= 90 and -180 <= minx <= 180
                and -180 <= maxx <= 180):
            raise bad_parameter("bbox", "longitude/latitude out of range")
    elif minx > maxx:
        raise bad_parameter("bbox", "minx is greater than maxx")
    return minx, miny, maxx, maxy


def _instant(text: str, end: bool) -> datetime | None:
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise bad_parameter(
            "datetime", f"{text!r} is not an RFC 3339 date or date-time (or '..')"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_datetime(raw: str) -> tuple[datetime | None, datetime | None]:
    """An instant or an interval ``start/end`` (either end open with ``..`` or empty)."""
    parts = raw.split("/")
    if len(parts) == 1:
        if parts[0] in ("", ".."):
            raise bad_parameter("datetime", "an instant cannot be open")
        return _instant(parts[0], False), _instant(parts[0], True)
    if len(parts) != 2:
        raise bad_parameter("datetime", f"{raw!r} is neither an instant nor an interval")
    start, end = _instant(parts[0], False), _instant(parts[1], True)
    if start is None and end is None:
        raise bad_parameter("datetime", "both ends of the interval are open")
    if start and end and start > end:
        raise bad_parameter("datetime", "the interval ends before it starts")
    return start, end


def parse_sortby(coll: Collection, raw: str) -> list[tuple[str, bool]]:
    """``+a,-b`` as (name, descending) pairs over sortable (scalar) properties."""
    keys = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        desc = item.startswith("-")
        name = item.lstrip("+-").strip()
        prop = coll.prop(name)
        if name != "id" and (prop is None or prop.type == "array"):
            raise bad_parameter("sortby", f"cannot sort on '{name}'")
        keys.append((name, desc))
    return keys


def integer_value(value: int, parameter: str) -> int:
    """An integer the database's ``integer`` columns can be compared with, or a 400."""
    if not -MAX_ID <= value <= MAX_ID:
        raise bad_parameter(parameter, f"{value} is out of range (at most {MAX_ID})")
    return value


def coerce(coll: Collection, name: str, raw: str, parameter: str) -> Any:
    """A query-string value as the Python value of property ``name``'s type."""
    kind = "integer" if name == "id" else coll.prop(name).type
    try:
        if kind == "integer":
            return integer_value(int(raw), parameter)
        if kind == "number":
            return float(raw)
        if kind == "date":
            return date.fromisoformat(raw)
        if kind == "date-time":
            return _instant(raw, False)
    except ValueError:
        raise bad_parameter(parameter, f"{raw!r} is not a valid {kind}") from None
    return raw
