"""Fixtures of the deadlines tests: the API's ``auth`` and holders (from tests/api)."""

from tests.api.conftest import auth, company  # noqa: F401  (fixtures)
