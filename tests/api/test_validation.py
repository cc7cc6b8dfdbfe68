"""The published request schemas and the validation agree: a body the OpenAPI schema allows is
never refused for its form, and the forms the validation refuses are outside the schema."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from cadastre.api.bodies import ACTION, APPLICATION, AVAILABILITY, HOLDER_CHANGE, NEW_HOLDER
from cadastre.api.validation import body_faults

SQUARE = [[-10.97, 8.64], [-10.96, 8.64], [-10.96, 8.65], [-10.97, 8.65], [-10.97, 8.64]]
POLYGON = {"type": "Polygon", "coordinates": [SQUARE]}
CRS84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}


def as_json_schema(schema):
    """OpenAPI 3.0's ``nullable`` in plain JSON Schema terms."""
    if isinstance(schema, list):
        return [as_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: as_json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def schema_allows(spec, body) -> bool:
    return jsonschema.Draft7Validator(as_json_schema(spec.schema())).is_valid(body)


GOOD = [
    (NEW_HOLDER, {"name": "Sewa Mining Ltd", "kind": "company", "email": None}),
    (HOLDER_CHANGE, {"phone": "+232 76 123456"}),
    (HOLDER_CHANGE, {}),
    (
        APPLICATION,
        {
            "licence_type": "exploration",
            "holder_id": 3,
            "commodities": ["gold"],
            "geometry": POLYGON,
        },
    ),
    (
        APPLICATION,
        {
            "licence_type": "exploration",
            "holder_id": 3,
            "commodities": [],
            "geometry": {**POLYGON, "crs": CRS84, "bbox": [-11, 8, -10, 9]},
        },
    ),
    (
        APPLICATION,
        {
            "licence_type": "exploration",
            "holder_id": 3,
            "commodities": ["gold"],
            "corners": [["A", 8.64, -10.97], "8.65 -10.96"],
            "notation": "dd",
        },
    ),
    (ACTION, {"reason": None, "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE]]}}),
    (ACTION, {"holder_id": 4}),
    (AVAILABILITY, {"geometry": POLYGON, "licence_type": None}),
]
BAD = [
    (NEW_HOLDER, {"name": 5, "kind": "company"}),
    (NEW_HOLDER, {"name": "A", "kind": "company", "id": 3}),
    (NEW_HOLDER, {"kind": "company"}),
    (HOLDER_CHANGE, {"kind": "alien"}),
    (APPLICATION, {"licence_type": "exploration", "holder_id": "3", "commodities": ["gold"]}),
    (APPLICATION, {"licence_type": "exploration", "holder_id": True, "commodities": ["gold"]}),
    (APPLICATION, {"licence_type": "exploration", "holder_id": 3, "commodities": "gold"}),
    (ACTION, {"geometry": {"type": "Feature", "geometry": POLYGON, "properties": {}}}),
    (
        ACTION,
        {"geometry": {**POLYGON, "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}}},
    ),
    (ACTION, {"geometry": {**POLYGON, "properties": {}}}),
    (ACTION, {"geometry": {"type": "Polygon", "coordinates": [[["-10.97", 8.64]] * 5]}}),
    (ACTION, {"geometry": {"type": "Polygon", "coordinates": [[[-10.97, 8.64, 1, 2]] * 5]}}),
    (ACTION, {"geometry": "POLYGON((0 0, 1 0, 1 1, 0 0))"}),
    (ACTION, {"colour": "red"}),
    (AVAILABILITY, {"geometry": POLYGON, "notation": "UTM 28N"}),
]


@pytest.mark.parametrize("spec,body", GOOD, ids=range(len(GOOD)))
def test_what_the_schema_allows_is_accepted(spec, body):
    assert schema_allows(spec, body)
    assert body_faults(copy.deepcopy(body), spec) == []


def test_an_id_written_with_a_point_is_refused_as_its_schema_says():
    # JSON Schema counts 3.0 as an integer; the description says what is refused
    assert body_faults({"holder_id": 3.0}, ACTION)
    assert "12.0" in ACTION.schema()["properties"]["holder_id"]["description"]


@pytest.mark.parametrize("spec,body", BAD, ids=range(len(BAD)))
def test_what_the_validation_refuses_is_outside_the_schema(spec, body):
    assert body_faults(copy.deepcopy(body), spec)
    assert not schema_allows(spec, body)
