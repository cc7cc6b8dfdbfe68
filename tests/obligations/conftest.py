"""Fixtures of the obligations tests: the API's ``auth`` and holders (from tests/api)."""

from tests.api.conftest import auth, company  # noqa: F401  (fixtures)
