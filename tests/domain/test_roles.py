"""The one decision behind every role guard, web and API alike."""

from __future__ import annotations

import pytest

from cadastre.domain.roles import ROLES, refusal

LADDER = ("viewer", "officer", "supervisor", "admin")


@pytest.mark.parametrize("role", LADDER)
@pytest.mark.parametrize("needed", LADDER)
def test_refusal_follows_the_ranking(role, needed):
    allowed = LADDER.index(role) >= LADDER.index(needed)
    assert (refusal(role, needed) is None) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_finance_stands_beside_the_ladder(role):
    # only Finance records money (not even an admin); Finance otherwise reads like a viewer
    assert (refusal(role, "finance") is None) is (role == "finance")
    assert refusal("finance", "viewer") is None
    assert refusal("finance", "officer") is not None
    assert refusal("admin", "finance", "record payments") == (
        "Your role 'admin' may not record payments; only the 'finance' role may."
    )


def test_refusal_says_who_may():
    assert refusal("officer", "supervisor", "approve a licence") == (
        "Your role 'officer' may not approve a licence; it needs 'supervisor' or higher."
    )
    assert (
        refusal("nobody", "viewer")
        == "Your role 'nobody' may not do this; it needs 'viewer' or higher."
    )
