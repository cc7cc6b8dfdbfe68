"""A training database beside the test register: migrated once, reset by each test that needs it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from cadastre.db import get_engine
from cadastre.migrate import upgrade
from cadastre.services.document_store import FileStore
from cadastre.training.reset import reset_register
from cadastre.training.scenarios import load_scenario
from tests.conftest import scratch_database


@pytest.fixture(scope="session")
def training_url(database_url) -> str:
    """An empty, migrated PostGIS database for the training workspace."""
    url = scratch_database(database_url, "trainingws")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def as_of():
    return datetime.now(UTC).date()


@pytest.fixture
def training_session(training_url):
    with Session(get_engine(training_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def reset_to(training_url, profile, settings, as_of):
    """Reset the training database to a scenario (committed); returns (scenario, state)."""

    def reset(name: str):
        scenario = load_scenario(name, profile)
        with Session(get_engine(training_url)) as s:
            state = reset_register(
                s,
                profile,
                scenario,
                world_atlas=settings.world_atlas,
                as_of=as_of,
                store=FileStore(settings.documents_dir),
            )
            s.commit()
        return scenario, state

    return reset
