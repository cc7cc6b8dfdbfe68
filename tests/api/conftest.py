"""API fixtures: an auth helper giving bearer headers per role, and a holder."""

from __future__ import annotations

import pytest
from licence_support import make_holder, make_token


@pytest.fixture
def auth(empty_register):
    """``auth(role)`` -> headers with a bearer token for a user of that role (None: anonymous)."""
    tokens: dict[str, str] = {}

    def headers(role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        if role not in tokens:
            tokens[role] = make_token(empty_register, role)
        return {"Authorization": f"Bearer {tokens[role]}"}

    return headers


@pytest.fixture
def company(empty_register) -> int:
    """A company holder's id."""
    holder_id = make_holder(empty_register, "company", "Kono Test Diamonds Ltd")
    empty_register.commit()
    return holder_id
