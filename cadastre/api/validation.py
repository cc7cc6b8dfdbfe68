"""Strict reading of JSON bodies for the registry API: one unambiguous form per field.

A register of legal rights must not guess: a number where text is documented, text where a
number is, a Feature where a geometry is, or a member nobody reads are all refused with the
field's path (``geometry.coordinates[0][3]``), never coerced or ignored. Each field's check
also gives the JSON Schema the OpenAPI document publishes, so the two cannot drift apart.
Pure: no Flask, no session; the views call ``check_body`` and the services then apply the law.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cadastre.errors import ValidationError

#: GeoJSON (RFC 7946) coordinates are CRS84; an old-style ``crs`` member may only say so.
CRS84_NAMES = (
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "https://www.opengis.net/def/crs/OGC/1.3/CRS84",
)
GEOMETRY_MEMBERS = ("type", "coordinates", "bbox", "crs")
AREA_TYPES = ("Polygon", "MultiPolygon")
#: Beyond this many faults the rest of a body is not worth listing.
MAX_ERRORS = 20

Errors = list[dict[str, str]]


def _add(errors: Errors, path: str, message: str) -> None:
    if len(errors) < MAX_ERRORS:
        errors.append({"field": path, "message": message})


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def is_number(value: Any) -> bool:
    """A finite JSON number (booleans are not numbers; 1e400 and NaN are not finite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _no_nul(value: str, path: str, errors: Errors) -> bool:
    """False (with an error) for text the register cannot store: NUL, or a lone surrogate."""
    if "\x00" in value:
        _add(errors, path, "contains a NUL character (\\u0000), which the register cannot store")
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's \ud800 escape alone (half of a pair) is no character: UTF-8 cannot hold it
        _add(
            errors,
            path,
            "contains half of a UTF-16 surrogate pair (e.g. \\ud800 alone), "
            "which is not a character",
        )
        return False
    return True


@dataclass(frozen=True)
class Text:
    """A JSON string (``null`` too when nullable), optionally one of ``choices``."""

    nullable: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""
    min_length: int = 0
    #: The length is a rule of the application (``domain.application_rules``), refused
    #: there in the same words on every path; documented here.
    length_by_rule: bool = False

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is text of the documented form."""
        if value is None and self.nullable:
            return
        if not isinstance(value, str):
            _add(errors, path, f"must be text, not {_kind(value)}")
            return
        if not _no_nul(value, path, errors):
            return
        if len(value.strip()) < self.min_length:
            _add(errors, path, "must not be empty")
        elif (
            self.max_length is not None and not self.length_by_rule and len(value) > self.max_length
        ):
            _add(errors, path, f"is longer than {self.max_length} characters")
        elif self.choices is not None and value not in self.choices:
            _add(errors, path, f"must be one of {', '.join(self.choices)}")

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        out: dict[str, Any] = {"type": "string"}
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        if self.min_length:
            out["minLength"] = self.min_length
        if self.choices is not None:
            out["enum"] = list(self.choices)
        return _finish(out, self.nullable, self.description)


@dataclass(frozen=True)
class Integer:
    """A JSON integer: not ``"12"``, not ``12.0``, not ``true``."""

    nullable: bool = False
    description: str = ""

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is a whole JSON number written without a point."""
        if value is None and self.nullable:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            _add(errors, path, f"must be a whole number (e.g. 12), not {_kind(value)}")

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        # JSON Schema counts 12.0 as an integer; the description says it is refused
        written = 'written without a point: 12, not 12.0 nor "12"'
        description = f"{self.description}; {written}" if self.description else written
        return _finish({"type": "integer"}, self.nullable, description)


@dataclass(frozen=True)
class Boolean:
    """A JSON ``true`` or ``false``: not ``"true"``, not ``1``."""

    description: str = ""
    nullable: bool = False

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is a JSON boolean."""
        if value is None and self.nullable:
            return
        if not isinstance(value, bool):
            _add(errors, path, f"must be true or false, not {_kind(value)}")

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        return _finish({"type": "boolean"}, self.nullable, self.description)


@dataclass(frozen=True)
class Share:
    """A JSON number from 0 to 100 (a percentage), or ``null``."""

    description: str = ""

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is null or a number from 0 to 100."""
        if value is None:
            return
        if not is_number(value) or not 0 <= value <= 100:
            _add(errors, path, f"must be a number from 0 to 100, not {_kind(value)}")

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        return _finish({"type": "number", "minimum": 0, "maximum": 100}, True, self.description)


#: One consent as the API takes it (``domain.eligibility.parse_consent`` reads the values).
CONSENT_MEMBERS = {
    "licence_id": {"type": "integer", "description": "the licence whose ground is overlapped"},
    "given_by": {"type": "integer", "description": "the holder of that licence (its id)"},
    "given_on": {"type": "string", "format": "date"},
    "document": {"type": "string", "minLength": 1, "maxLength": 200},
}


@dataclass(frozen=True)
class Consents:
    """A JSON list of consent objects with exactly the members of ``CONSENT_MEMBERS``."""

    description: str = ""

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is a list of objects with the consent's members."""
        if not isinstance(value, list):
            _add(errors, path, f"must be a list of consents, not {_kind(value)}")
            return
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                _add(errors, where, f"must be an object, not {_kind(item)}")
                continue
            for name in sorted(set(CONSENT_MEMBERS) ^ set(item)):
                _add(
                    errors,
                    f"{where}.{name}",
                    "is required" if name in CONSENT_MEMBERS else "is not a consent member",
                )
            for name in ("licence_id", "given_by"):
                if name in item:
                    Integer().check(item[name], f"{where}.{name}", errors)
            for name in ("given_on", "document"):
                if name in item:
                    Text(max_length=200, min_length=1).check(item[name], f"{where}.{name}", errors)

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        item = {
            "type": "object",
            "properties": CONSENT_MEMBERS,
            "required": list(CONSENT_MEMBERS),
            "additionalProperties": False,
        }
        return _finish({"type": "array", "items": item}, False, self.description)


@dataclass(frozen=True)
class TextList:
    """A JSON list of strings."""

    description: str = ""

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is a list whose items are all text."""
        if not isinstance(value, list):
            _add(errors, path, f'must be a list of text, e.g. ["gold"], not {_kind(value)}')
            return
        for i, item in enumerate(value):
            if not isinstance(item, str):
                _add(errors, f"{path}[{i}]", f"must be text, not {_kind(item)}")
            else:
                _no_nul(item, f"{path}[{i}]", errors)

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        return _finish({"type": "array", "items": {"type": "string"}}, False, self.description)


@dataclass(frozen=True)
class Corners:
    """Corners as text (one per line) or a list of rows (text, or a list of cells)."""

    nullable: bool = True
    description: str = "Instead of geometry: corners, one per line (or a list of rows)."

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error unless ``value`` is corner text or a list of rows of text and numbers."""
        if value is None and self.nullable:
            return
        if isinstance(value, str):
            _no_nul(value, path, errors)
            return
        if not isinstance(value, list):
            _add(
                errors,
                path,
                f"must be text (one corner per line) or a list of rows, not {_kind(value)}",
            )
            return
        for i, row in enumerate(value):
            where = f"{path}[{i}]"
            if isinstance(row, str):
                _no_nul(row, where, errors)
            elif isinstance(row, list) and 1 <= len(row) <= 8:
                for j, cell in enumerate(row):
                    if isinstance(cell, str):
                        _no_nul(cell, f"{where}[{j}]", errors)
                    elif not is_number(cell):
                        _add(
                            errors,
                            f"{where}[{j}]",
                            f"must be text or a finite number, not {_kind(cell)}",
                        )
            else:
                _add(errors, where, "must be a corner as text or a list of 1 to 8 cells")

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        row = {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 8,
                    "items": {"oneOf": [{"type": "string"}, {"type": "number"}]},
                },
            ]
        }
        return _finish(
            {"oneOf": [{"type": "string"}, {"type": "array", "items": row}]},
            self.nullable,
            self.description,
        )


@dataclass(frozen=True)
class AreaGeometry:
    """A GeoJSON Polygon or MultiPolygon geometry object, exactly (RFC 7946, lon/lat)."""

    nullable: bool = True
    description: str = (
        "GeoJSON Polygon or MultiPolygon geometry object in longitude, latitude (CRS84); "
        "members type, coordinates and optionally bbox and a CRS84 crs."
    )

    def check(self, value: Any, path: str, errors: Errors) -> None:
        """Add an error for every way ``value`` differs from a GeoJSON (Multi)Polygon."""
        if value is None and self.nullable:
            return
        check_area_geometry(value, path, errors)

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        return _finish(area_geometry_schema(), self.nullable, self.description)


def _finish(schema: dict, nullable: bool, description: str) -> dict:
    if nullable:
        schema["nullable"] = True
    if description:
        schema["description"] = description
    return schema


def check_area_geometry(value: Any, path: str, errors: Errors) -> None:
    """Refuse anything but a GeoJSON Polygon/MultiPolygon object with finite positions."""
    if isinstance(value, str):
        _add(
            errors,
            path,
            "must be a GeoJSON geometry object, not text (WKT or JSON inside a string is not read)",
        )
        return
    if not isinstance(value, dict):
        _add(errors, path, f"must be a GeoJSON Polygon or MultiPolygon object, not {_kind(value)}")
        return
    gtype = value.get("type")
    if gtype not in AREA_TYPES:
        if gtype in ("Feature", "FeatureCollection", "GeometryCollection"):
            message = (
                f"must be a Polygon or MultiPolygon geometry, not a {gtype}; send the "
                "geometry object itself (a MultiPolygon for an area in pieces)"
            )
        elif isinstance(gtype, str):
            message = f"must be Polygon or MultiPolygon, not {gtype[:40]!r}"
        else:
            message = "is required: Polygon or MultiPolygon"
        _add(errors, f"{path}.type", message)
    for name in value:
        if name not in GEOMETRY_MEMBERS:
            _add(
                errors,
                f"{path}.{str(name)[:60]}",
                "is not a member of a GeoJSON geometry "
                f"object (members: {', '.join(GEOMETRY_MEMBERS)})",
            )
    if "crs" in value:
        _check_crs(value["crs"], f"{path}.crs", errors)
    if "bbox" in value:
        bbox = value["bbox"]
        if not (isinstance(bbox, list) and len(bbox) in (4, 6) and all(map(is_number, bbox))):
            _add(errors, f"{path}.bbox", "must be a list of 4 (or 6) finite numbers")
    if "coordinates" not in value:
        _add(errors, f"{path}.coordinates", "is required")
    elif gtype in AREA_TYPES:
        depth = 4 if gtype == "MultiPolygon" else 3
        _check_coordinates(value["coordinates"], depth, f"{path}.coordinates", errors)


def _check_crs(crs: Any, path: str, errors: Errors) -> None:
    name = None
    if isinstance(crs, dict) and crs.get("type") == "name" and set(crs) == {"type", "properties"}:
        props = crs.get("properties")
        if isinstance(props, dict) and set(props) == {"name"}:
            name = props["name"]
    if name not in CRS84_NAMES:
        shown = f" ({name[:80]!r})" if isinstance(name, str) else ""
        _add(
            errors,
            path,
            f"names a coordinate reference system other than CRS84{shown}; send "
            "longitude, latitude in WGS 84 (CRS84) and omit crs, or name "
            f"{CRS84_NAMES[0]}",
        )


_LEVELS = {4: "polygons", 3: "rings", 2: "positions"}


def _check_coordinates(value: Any, depth: int, path: str, errors: Errors) -> None:
    """Nested lists ``depth`` deep ending in positions of 2 or 3 finite numbers."""
    if depth == 1:
        if not (isinstance(value, list) and len(value) in (2, 3)):
            _add(errors, path, "must be a position: [longitude, latitude] (or with a height)")
            return
        for i, number in enumerate(value):
            if not is_number(number):
                _add(errors, f"{path}[{i}]", f"must be a finite number, not {_kind(number)}")
        return
    if not isinstance(value, list) or not value:
        _add(errors, path, f"must be a non-empty list of {_LEVELS[depth]}")
        return
    for i, item in enumerate(value):
        if len(errors) >= MAX_ERRORS:
            return
        _check_coordinates(item, depth - 1, f"{path}[{i}]", errors)


def area_geometry_schema() -> dict:
    """JSON Schema of the GeoJSON Polygon/MultiPolygon object ``check_area_geometry`` takes."""
    position = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}
    ring = {"type": "array", "minItems": 4, "items": position}
    polygon = {"type": "array", "minItems": 1, "items": ring}
    common = {
        "bbox": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "crs": {
            "type": "object",
            "description": "Only CRS84 may be named (RFC 7946 coordinates are CRS84).",
            "required": ["type", "properties"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": ["name"]},
                "properties": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {"name": {"type": "string", "enum": list(CRS84_NAMES)}},
                },
            },
        },
    }

    def geometry(gtype: str, coordinates: dict) -> dict:
        return {
            "type": "object",
            "required": ["type", "coordinates"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": [gtype]},
                "coordinates": coordinates,
                **common,
            },
        }

    return {
        "oneOf": [
            geometry("Polygon", polygon),
            geometry("MultiPolygon", {"type": "array", "minItems": 1, "items": polygon}),
        ]
    }


@dataclass(frozen=True)
class Body:
    """The fields one endpoint takes, each with its one form, and those it requires."""

    what: str
    fields: dict[str, Any]
    required: tuple[str, ...] = ()
    read_only: tuple[str, ...] = field(default_factory=tuple)

    def schema(self) -> dict:
        """The JSON Schema of the whole body (no members beyond the documented ones)."""
        out: dict[str, Any] = {
            "type": "object",
            "properties": {name: check.schema() for name, check in self.fields.items()},
            "additionalProperties": False,
        }
        if self.required:
            out["required"] = list(self.required)
        return out


def require_object(body: Any) -> dict:
    """``body`` when it is a JSON object; 422 otherwise."""
    if not isinstance(body, dict):
        raise ValidationError(
            f"The body must be a JSON object, not {_kind(body)}.",
            errors=[{"field": "", "message": "must be a JSON object"}],
        )
    return body


def body_faults(body: dict, spec: Body) -> Errors:
    """Every way ``body`` departs from ``spec``: missing, unknown, read-only or mis-typed fields."""
    errors: Errors = []
    for name in spec.required:
        if name not in body:
            _add(errors, name, "is required")
    for name, value in body.items():
        check = spec.fields.get(name)
        if name in spec.read_only:
            _add(errors, name, "is given by the register and cannot be sent")
        elif check is None:
            shown = name[:60].replace("\x00", "\\u0000")
            _add(errors, shown, f"is not a field of {spec.what} (fields: {', '.join(spec.fields)})")
        else:
            check.check(value, name, errors)
    return errors


def top_field(path: str) -> str:
    """The body member an error path starts at (``geometry`` for ``geometry.coordinates[0]``)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def summary(errors: Errors) -> str:
    """One sentence for a problem's ``detail`` naming the faults."""
    if len(errors) == 1:
        return f"{errors[0]['field'] or 'The body'}: {errors[0]['message']}."
    listed = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return f"The body has {len(errors)} problems: {listed}{'; …' if len(errors) > 5 else '.'}"


def check_body(body: Any, spec: Body) -> dict:
    """``body`` when it is an object with only ``spec``'s fields in their one form; else 422."""
    errors = body_faults(require_object(body), spec)
    if errors:
        raise ValidationError(summary(errors), errors=errors)
    return body
