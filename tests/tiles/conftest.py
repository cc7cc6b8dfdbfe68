import pytest
from ogc.register import LiveServer, build_register


@pytest.fixture
def register(empty_register, profile):
    """A dozen licences inside the test's rolled-back transaction."""
    return build_register(empty_register, profile, 12)


@pytest.fixture(scope="package")
def live(database_url):
    """A live server over ~150 committed licences, removed after this package's tests."""
    server = LiveServer(database_url)
    yield server
    server.close()
