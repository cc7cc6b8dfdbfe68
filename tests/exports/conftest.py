import pytest
from ogc.register import build_register


@pytest.fixture
def register(empty_register, profile):
    """A dozen licences inside the test's rolled-back transaction."""
    return build_register(empty_register, profile, 12)
