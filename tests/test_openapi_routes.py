"""The two OpenAPI documents are held against the URL map: every ``/api`` rule and every
rule of the OGC surface (features, tiles, exports) with each of its methods is documented,
and every documented path and method is a rule. ``OPTIONS`` is Flask's automatic answer,
made a bodiless 204 with ``Allow``."""

from __future__ import annotations

import re

import pytest

from cadastre.api.openapi import api_openapi_document
from cadastre.ogc.collections import all_collections
from cadastre.ogc.documents import EXPORT_FORMATS
from cadastre.ogc.openapi import openapi_document

#: Blueprints that make up the OGC surface documented at /openapi.
OGC_BLUEPRINTS = ("ogc", "tiles", "exports")
#: Methods Flask adds to every rule by itself (HEAD for GET, the automatic OPTIONS).
AUTOMATIC = {"HEAD", "OPTIONS"}
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_PLACEHOLDER = re.compile(r"\{[^}]+\}")


def openapi_path(rule: str) -> str:
    """``/api/licences/<int:licence_id>`` -> ``/api/licences/{licence_id}``."""
    return _VARIABLE.sub(r"{\1}", rule)


def _operations(paths: dict) -> set[tuple[str, str]]:
    return {(path, m.upper()) for path, item in paths.items() for m in item if m != "parameters"}


def _rules(app, keep) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if keep(rule)
        for method in rule.methods - AUTOMATIC
    }


def test_openapi_path_converts_flask_variables():
    assert (
        openapi_path("/api/holders/<int:holder_id>/history") == "/api/holders/{holder_id}/history"
    )
    assert openapi_path("/collections/<collection_id>/export.<path:fmt>") == (
        "/collections/{collection_id}/export.{fmt}"
    )


def test_every_api_rule_is_documented_and_every_documented_operation_is_a_rule(app):
    with app.test_request_context():
        documented = _operations(api_openapi_document()["paths"])
    served = _rules(app, lambda rule: rule.rule.startswith("/api/"))
    assert served - documented == set(), "served but not in /api/openapi.json"
    assert documented - served == set(), "in /api/openapi.json but not served"


def _expand_ogc(path: str, method: str) -> set[tuple[str, str]]:
    """A rule of the OGC surface as the document writes it: one path per collection and
    per export format, other variables anonymous (the document uses OGC's names, e.g.
    ``{featureId}``, ``{tileMatrix}``)."""
    out = set()
    for coll in all_collections():
        concrete = path.replace("{collection_id}", coll)
        fmts = EXPORT_FORMATS if "{fmt}" in concrete else [None]
        for fmt in fmts:
            done = concrete.replace("{fmt}", fmt) if fmt else concrete
            out.add((_PLACEHOLDER.sub("{}", done), method))
    return out


def test_every_ogc_rule_is_documented_and_every_documented_operation_is_a_rule(app):
    with app.test_request_context():
        documented = {
            (_PLACEHOLDER.sub("{}", path), method)
            for path, method in _operations(openapi_document("")["paths"])
        }
    served = set()
    for path, method in _rules(app, lambda rule: rule.endpoint.split(".")[0] in OGC_BLUEPRINTS):
        served |= _expand_ogc(path, method)
    assert served - documented == set(), "served but not in /openapi"
    assert documented - served == set(), "in /openapi but not served"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/licences", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/api/holders/1", {"GET", "HEAD", "PATCH", "OPTIONS"}),
        ("/collections/licences/items", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_is_a_bodiless_204_naming_the_allowed_methods(client, path, allowed):
    r = client.open(path, method="OPTIONS")
    assert r.status_code == 204
    assert {m.strip() for m in r.headers["Allow"].split(",")} == allowed
    assert r.data == b""
    assert "Content-Type" not in r.headers
