"""Property-based check that both OpenAPI documents are true to the server: generated requests
(valid and invalid) against a real HTTP server never get a 5xx, and every status answered is
documented. Bounded (a fixed number of examples, derandomised) so it runs in well under a minute.
"""

from __future__ import annotations

import requests
from conftest import serving
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

schemathesis = __import__("pytest").importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import status_code_conformance  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance]


def _explore(url: str, document: dict, headers: dict, examples: int) -> list[str]:
    """Run ``examples`` generated requests against ``url``; the failures, as curl commands."""
    schema = schemathesis.openapi.from_dict(document)
    strategy = st.one_of(
        schema.as_strategy(generation_mode=GenerationMode.POSITIVE),
        schema.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    failures: dict[str, str] = {}
    session = requests.Session()

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call(base_url=url, session=session, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as exc:  # collected, all reported at the end
            key = f"{case.method} {case.operation.path} -> {response.status_code}"
            failures.setdefault(key, f"{key}\n  {case.as_curl_command(headers)}\n  {exc!s:.400}")

    run()
    return list(failures.values())


def test_registry_api_document_is_true(app, auth, company):
    headers = auth("supervisor")
    with serving(app) as url:
        document = requests.get(url + "/api/openapi.json", timeout=10).json()
        failures = _explore(url, document, headers, examples=120)
    assert not failures, "\n\n".join(failures)


def test_map_layers_document_is_true(app, auth):
    headers = auth("supervisor")
    with serving(app) as url:
        document = requests.get(url + "/openapi", params={"f": "json"}, timeout=10).json()
        failures = _explore(url, document, headers, examples=80)
    assert not failures, "\n\n".join(failures)
