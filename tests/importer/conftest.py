"""Importer fixtures: the as-of date of the samples and the holder already registered."""

from __future__ import annotations

from datetime import date

import pytest

from tests.importer import samples


@pytest.fixture
def as_of() -> date:
    return date.fromisoformat(samples.AS_OF)


@pytest.fixture
def sewa(empty_register):
    """The one holder already in the register before an import."""
    from cadastre.services.holders import create_holder

    return create_holder(empty_register, dict(samples.EXISTING_HOLDER))
