"""CQL2 (text and JSON) to SQLAlchemy expressions with bound parameters.

pygeofilter parses; this module walks its AST and builds SQL from the collection's own
columns, so only public properties can be queried and every literal is a bound
parameter. pygeofilter's grammars lack ``S_DWITHIN``; the text grammar is extended with
it here and the JSON walker handles it before delegating.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from lark import Lark, v_args
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json.parser import walk_cql_json
from pygeofilter.parsers.cql2_text import parser as text_parser
from sqlalchemy import and_, func, literal, not_, or_
from sqlalchemy.types import Date, DateTime, Float, Integer, String

from cadastre.ogc.collections import Collection
from cadastre.ogc.crs import Crs, check_within
from cadastre.ogc.errors import bad_parameter
from cadastre.ogc.params import integer_value

UNITS_M = {"meters": 1.0, "metres": 1.0, "m": 1.0, "kilometers": 1000.0, "kilometres": 1000.0,
           "km": 1000.0, "feet": 0.3048, "ft": 0.3048, "miles": 1609.344, "mi": 1609.344}


@v_args(meta=False, inline=True)
class _Transformer(text_parser.CQLTransformer):
    def s_dwithin(self, lhs, rhs, distance, units=None):
        unit = units.name if isinstance(units, ast.Attribute) else (units or "meters")
        return ast.DistanceWithin(lhs, rhs, distance, unit)


@cache
def _text_parser() -> Lark:
    path = os.path.join(os.path.dirname(text_parser.__file__), "grammar.lark")
    with open(path, encoding="utf-8") as fh:
        grammar = fh.read()
    anchor = '                  | "RELATE"'
    extra = (
        '                  | "S_DWITHIN"i "(" expression "," expression "," full_number ")"'
        " -> s_dwithin\n"
        '                  | "S_DWITHIN"i "(" expression "," expression "," full_number ","'
        " (attribute | SINGLE_QUOTED) \")\" -> s_dwithin\n"
    )
    if anchor not in grammar:  # pragma: no cover - pygeofilter changed its grammar
        raise RuntimeError("pygeofilter's CQL2 grammar changed; update cadastre/ogc/cql.py")
    grammar = grammar.replace(anchor, extra + anchor, 1)
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=_Transformer(),
        import_paths=[os.path.dirname(os.path.dirname(text_parser.__file__))],
    )


def _walk_json(node: Any):
    if isinstance(node, dict) and "op" in node:
        op, args = node["op"], node.get("args", [])
        if op in ("and", "or"):
            cls = ast.And if op == "and" else ast.Or
            return cls.from_items(*[_walk_json(a) for a in args])
        if op == "not":
            return ast.Not(_walk_json(args[0] if isinstance(args, list) else args))
        if op == "s_dwithin":
            if len(args) not in (3, 4):
                raise ValueError("s_dwithin takes a geometry, a geometry, a distance [, units]")
            unit = args[3] if len(args) == 4 else "meters"
            return ast.DistanceWithin(walk_cql_json(args[0]), walk_cql_json(args[1]),
                                      args[2], unit)
    return walk_cql_json(node)


def parse_filter(text: str, lang: str):
    """The pygeofilter AST of a CQL2 filter, or a 400 naming ``filter``."""
    try:
        if lang == "cql2-json":
            return _walk_json(json.loads(text))
        return _text_parser().parse(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the client's filter
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise bad_parameter("filter", f"not valid {lang}: {first}") from None


def _flat(coords):
    """The x, y of every position of a GeoJSON geometry (or ``coordinates`` array), in order."""
    if isinstance(coords, dict):
        for part in coords.get("geometries", []):
            yield from _flat(part)
        yield from _flat(coords.get("coordinates", []))
        return
    if isinstance(coords, (list, tuple)) and coords and not isinstance(coords[0], (list, tuple)):
        yield from coords[:2]  # a position: x, y (a height is not checked)
        return
    for part in coords or []:
        yield from _flat(part)


class _Lit:
    """A literal waiting for the type of the property it is compared with."""

    def __init__(self, value):
        self.value = value


class _Translator:
    def __init__(self, coll: Collection, crs: Crs) -> None:
        self.coll = coll
        self.crs = crs

    def fail(self, message: str):
        raise bad_parameter("filter", message)

    # -- operands ---------------------------------------------------------------------
    def operand(self, node):
        if isinstance(node, ast.Attribute):
            return self.attribute(node.name)
        if isinstance(node, ast.Function):
            name = node.name.lower()
            if name in ("lower", "casei") and len(node.arguments) == 1:
                arg = self.operand(node.arguments[0])
                if isinstance(arg, _Lit):
                    return _Lit(str(arg.value).lower())
                return ("text", func.lower(arg[1]))
            if name == "bbox" and len(node.arguments) in (4, 5):
                return ("geometry", self.envelope(*node.arguments[:4]))
            self.fail(f"function {node.name}() is not supported")
        if isinstance(node, values.Geometry):
            return ("geometry", self.geometry(node.__geo_interface__))
        if isinstance(node, values.Envelope):
            return ("geometry", self.envelope(node.x1, node.y1, node.x2, node.y2))
        if isinstance(node, (str, int, float, bool, date, datetime)):
            return _Lit(node)
        self.fail(f"unsupported expression {type(node).__name__}")

    def attribute(self, name: str):
        if name in ("geometry", "geom"):
            return ("geometry", self.coll.geom_column)
        if name == "id":
            return ("integer", self.coll.id_column)
        prop = self.coll.prop(name)
        if prop is None:
            self.fail(f"'{name}' is not a queryable of {self.coll.id}")
        return (prop.type, prop.column)

    def geometry(self, geojson: dict):
        try:
            coords = list(_flat(geojson))
            if self.crs.lat_lon:
                coords = [c for i in range(0, len(coords) - 1, 2)
                          for c in (coords[i + 1], coords[i])]
            check_within(self.crs, coords, "filter")
        except (TypeError, ValueError, AttributeError):
            self.fail("a geometry's coordinates must be numbers")
        geom = func.ST_GeomFromGeoJSON(literal(json.dumps(geojson), String))
        if self.crs.lat_lon:
            geom = func.ST_FlipCoordinates(geom)
        geom = func.ST_SetSRID(geom, self.crs.srid)
        return geom if self.crs.srid == 4326 else func.ST_Transform(geom, 4326)

    def envelope(self, x1, y1, x2, y2):
        if self.crs.lat_lon:
            x1, y1, x2, y2 = y1, x1, y2, x2
        try:
            check_within(self.crs, [x1, y1, x2, y2], "filter")
        except (TypeError, ValueError):
            self.fail("a bounding box needs four numbers")
        env = func.ST_MakeEnvelope(
            literal(float(x1), Float), literal(float(y1), Float),
            literal(float(x2), Float), literal(float(y2), Float), self.crs.srid,
        )
        return env if self.crs.srid == 4326 else func.ST_Transform(env, 4326)

    def bind(self, kind: str, lit: _Lit):
        value = lit.value
        try:
            if kind == "integer":
                if isinstance(value, bool) or float(value) != int(float(value)):
                    raise ValueError
                return literal(integer_value(int(value), "filter"), Integer)
            if kind == "number":
                if isinstance(value, bool):
                    raise ValueError
                return literal(float(value), Float)
            if kind == "date":
                if isinstance(value, datetime):
                    value = value.date()
                elif not isinstance(value, date):
                    value = date.fromisoformat(str(value))
                return literal(value, Date)
            if kind == "date-time":
                if not isinstance(value, datetime):
                    if isinstance(value, date):
                        value = datetime.combine(value, datetime.min.time(), tzinfo=UTC)
                    else:
                        value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                return literal(value, DateTime(timezone=True))
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a valid {kind}")
        if kind in ("geometry",):
            self.fail("a geometry can only be compared with spatial predicates")
        if not isinstance(value, str):
            self.fail(f"{value!r} is not text")
        return literal(value, String)

    def pair(self, lhs, rhs):
        a, b = self.operand(lhs), self.operand(rhs)
        if isinstance(a, _Lit) and isinstance(b, _Lit):
            self.fail("a comparison needs at least one property")
        if isinstance(a, _Lit):
            a = (b[0], self.bind(b[0], a))
        if isinstance(b, _Lit):
            b = (a[0], self.bind(a[0], b))
        return a, b

    # -- predicates -------------------------------------------------------------------
    def predicate(self, node):
        if isinstance(node, ast.And):
            return and_(self.predicate(node.lhs), self.predicate(node.rhs))
        if isinstance(node, ast.Or):
            return or_(self.predicate(node.lhs), self.predicate(node.rhs))
        if isinstance(node, ast.Not):
            return not_(self.predicate(node.sub_node))
        if isinstance(node, ast.Comparison):
            return self.comparison(node)
        if isinstance(node, ast.Between):
            a = self.operand(node.lhs)
            if isinstance(a, _Lit):
                self.fail("BETWEEN needs a property on its left")
            expr = a[1].between(self.bind(a[0], _Lit(node.low)), self.bind(a[0], _Lit(node.high)))
            return not_(expr) if node.not_ else expr
        if isinstance(node, ast.Like):
            return self.like(node)
        if isinstance(node, ast.In):
            a = self.operand(node.lhs)
            if isinstance(a, _Lit) or a[0] in ("array", "geometry"):
                self.fail("IN needs a scalar property on its left")
            opts = [self.bind(a[0], _Lit(v)) for v in node.sub_nodes]
            expr = a[1].in_(opts)
            return not_(expr) if node.not_ else expr
        if isinstance(node, ast.IsNull):
            a = self.operand(node.lhs)
            if isinstance(a, _Lit):
                self.fail("IS NULL needs a property")
            return a[1].is_not(None) if node.not_ else a[1].is_(None)
        if isinstance(node, ast.DistanceWithin):
            return self.dwithin(node)
        if isinstance(node, ast.SpatialComparisonPredicate):
            return self.spatial(node)
        if isinstance(node, ast.BBox):
            a = self.operand(node.lhs)
            env = self.envelope(node.minx, node.miny, node.maxx, node.maxy)
            return func.ST_Intersects(a[1], env)
        self.fail(f"{type(node).__name__} is not supported")

    def comparison(self, node):
        (ka, a), (kb, b) = self.pair(node.lhs, node.rhs)
        op = node.op.value
        if "geometry" in (ka, kb):
            self.fail("compare geometries with S_INTERSECTS, S_WITHIN or S_DWITHIN")
        if ka == "array" or kb == "array":
            if op != "=":
                self.fail("array properties only support '=' (contains the value)")
            arr, val = (a, b) if ka == "array" else (b, a)
            return val == func.any(arr)
        ops = {"=": a.__eq__, "<>": a.__ne__, "!=": a.__ne__, "<": a.__lt__, "<=": a.__le__,
               ">": a.__gt__, ">=": a.__ge__}
        if op not in ops:
            self.fail(f"operator {op} is not supported")
        return ops[op](b)

    def like(self, node):
        a = self.operand(node.lhs)
        if isinstance(a, _Lit) or a[0] != "string" and a[0] != "text":
            self.fail("LIKE needs a text property on its left")
        pattern = node.pattern
        if isinstance(pattern, ast.Function):
            lit = self.operand(pattern)
            pattern = lit.value if isinstance(lit, _Lit) else self.fail("bad LIKE pattern")
        if not isinstance(pattern, str):
            self.fail("the LIKE pattern must be text")
        # CQL2: '%' any run, '_' one character, '\' escapes; PostgreSQL LIKE is the same.
        bound = literal(pattern, String)
        expr = a[1].ilike(bound, escape="\\") if node.nocase else a[1].like(bound, escape="\\")
        return not_(expr) if node.not_ else expr

    def spatial(self, node):
        (ka, a), (kb, b) = self.pair(node.lhs, node.rhs)
        if ka != "geometry" or kb != "geometry":
            self.fail("spatial predicates take two geometries")
        fns = {
            "INTERSECTS": func.ST_Intersects, "WITHIN": func.ST_Within,
            "CONTAINS": func.ST_Contains, "DISJOINT": func.ST_Disjoint,
            "TOUCHES": func.ST_Touches, "CROSSES": func.ST_Crosses,
            "OVERLAPS": func.ST_Overlaps, "EQUALS": func.ST_Equals,
        }
        name = node.op.name
        if name not in fns:
            self.fail(f"{name} is not supported")
        return fns[name](a, b)

    def dwithin(self, node):
        (ka, a), (kb, b) = self.pair(node.lhs, node.rhs)
        if ka != "geometry" or kb != "geometry":
            self.fail("S_DWITHIN takes two geometries and a distance")
        unit = str(node.units or "meters").lower()
        if unit not in UNITS_M:
            self.fail(f"unknown distance unit {node.units!r}; use meters or kilometers")
        try:
            metres = float(node.distance) * UNITS_M[unit]
        except (TypeError, ValueError):
            self.fail("the S_DWITHIN distance must be a number")
        if metres < 0:
            self.fail("the S_DWITHIN distance must not be negative")
        return func.ST_DWithin(func.geography(a), func.geography(b), literal(metres, Float))


def filter_clause(coll: Collection, text: str, lang: str, crs: Crs):
    """The SQL condition for a CQL2 filter on ``coll`` (400 on any fault)."""
    tree = parse_filter(text, lang)
    return _Translator(coll, crs).predicate(tree)
