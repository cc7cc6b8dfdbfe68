"""The one decision behind every role guard, web and API alike."""

from __future__ import annotations

import pytest

from cadastre.domain.roles import ROLES, refusal


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("needed", ROLES)
def test_refusal_follows_the_ranking(role, needed):
    allowed = ROLES.index(role) >= ROLES.index(needed)
    assert (refusal(role, needed) is None) is allowed


def test_refusal_says_who_may():
    assert refusal("officer", "supervisor", "approve a licence") == (
        "Your role 'officer' may not approve a licence; it needs 'supervisor' or higher."
    )
    assert (
        refusal("nobody", "viewer")
        == "Your role 'nobody' may not do this; it needs 'viewer' or higher."
    )
