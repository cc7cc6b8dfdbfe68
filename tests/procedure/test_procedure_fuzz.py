"""The procedure's endpoints fuzzed from their OpenAPI document (valid and invalid requests,
against a real HTTP server), with files that exist at several stages: never a 5xx, and every
status answered is documented."""

from __future__ import annotations

import copy

import pytest
import requests
from conftest import serving

from tests.procedure.flow import apply, walk_to

pytest.importorskip("schemathesis")
from tests.api.test_schemathesis import _explore  # noqa: E402

PATHS = ("/api/licences/{licence_id}/procedure", "/api/licences/{licence_id}/stages/{stage}",
         "/api/queue")  # fmt: skip


def test_the_procedure_document_is_true(app, client, auth, company):
    ids = [apply(client, auth, company, lon=-10.97 + 0.05 * i) for i in range(3)]
    walk_to(client, auth, ids[1], "decision")
    walk_to(client, auth, ids[2], "issue")
    headers = auth("supervisor")
    with serving(app) as url:
        document = requests.get(url + "/api/openapi.json", timeout=10).json()
        document["paths"] = {p: copy.deepcopy(document["paths"][p]) for p in PATHS}
        for item in document["paths"].values():
            for parameter in item.get("parameters", []):
                if parameter["name"] == "licence_id":  # mostly files that exist
                    parameter["schema"] = {"type": "integer", "enum": ids}
                if parameter["name"] == "stage":
                    parameter["schema"] = {"type": "string", "examples": ["decision", "issue"]}
        failures = _explore(url, document, headers, examples=150)
    assert not failures, "\n\n".join(failures)
