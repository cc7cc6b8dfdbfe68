"""A reset restores the exact starting state: same digest of every row, sequence and key."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.db import get_engine
from cadastre.errors import Conflict
from cadastre.services.boundaries import active_dataset
from cadastre.services.document_store import FileStore
from cadastre.services.users import authenticate
from cadastre.training.checker import check_trainee, save_answer
from cadastre.training.reset import load_state, register_digest, reset_register
from cadastre.training.scenarios import load_scenario
from tests.training.walkthrough import WALKTHROUGHS, _apply


def _digest(url):
    with Session(get_engine(url)) as s:
        return register_digest(s)


def test_reset_restores_the_exact_starting_state(reset_to, training_url, profile):
    scenario, state = reset_to("exploration-overlap-free-part")
    start = _digest(training_url)
    with Session(get_engine(training_url)) as s:
        for trainee in scenario.trainees[:2]:
            WALKTHROUGHS[scenario.name](s, profile, scenario, state, trainee.username)
        s.commit()
    assert _digest(training_url) != start
    # a different scenario in between, then back: still the same rows, ids and sequences
    reset_to("spot-expired-licences")
    assert _digest(training_url) != start
    reset_to("exploration-overlap-free-part")
    assert _digest(training_url) == start
    with Session(get_engine(training_url)) as s:
        assert s.scalar(text("SELECT count(*) FROM training.answers")) == 0
        assert load_state(s).keys == state.keys


def test_reset_keeps_boundaries_and_stamps_no_wall_clock_time(reset_to, training_url, as_of):
    reset_to("kenema-artisanal-plot")
    with Session(get_engine(training_url)) as s:
        dataset = active_dataset(s)
        assert dataset is not None
        # the border-risk bands are there for the trainees' map, from the data set in force
        zones = s.execute(text("SELECT DISTINCT dataset_id, tier FROM border_zones")).all()
        assert {z.dataset_id for z in zones} == {dataset.id} and len(zones) >= 2
        latest = s.scalar(text("SELECT max(created_at) FROM licences"))
        assert latest.date() <= as_of
        assert s.scalar(text("SELECT count(*) FROM api_tokens")) == 0


def test_reset_of_another_day_moves_the_dates_with_it(training_url, profile, settings, as_of):
    scenario = load_scenario("spot-expired-licences", profile)
    with Session(get_engine(training_url)) as s:
        reset_register(s, profile, scenario, world_atlas=settings.world_atlas, as_of=as_of,
                       store=FileStore(settings.documents_dir))  # fmt: skip
        today = s.scalar(text("SELECT max(expires_at) FROM licences"))
        s.rollback()
        earlier = as_of - timedelta(days=10)
        reset_register(s, profile, scenario, world_atlas=settings.world_atlas, as_of=earlier,
                       store=FileStore(settings.documents_dir))  # fmt: skip
        assert s.scalar(text("SELECT max(expires_at) FROM licences")) == today - timedelta(days=10)
        s.rollback()


def test_trainee_passwords_work_in_training(reset_to, training_session):
    scenario, _ = reset_to("transfer-licence")
    trainee = scenario.trainees[0]
    assert authenticate(training_session, trainee.username, trainee.password) is not None
    assert authenticate(training_session, trainee.username, "wrong-password") is None


def test_checks_fail_for_wrong_work(reset_to, training_session, profile):
    scenario, state = reset_to("exploration-overlap-free-part")
    s, user = training_session, scenario.trainees[0].username
    # the whole block is refused: it overlaps the licence in force
    with pytest.raises(Conflict):
        _apply(
            s,
            profile,
            state,
            user,
            "gola",
            "exploration",
            scenario.area("requested-block", user),
            commodities=["gold"],
        )
    # an answer naming the wrong licence, and an application outside the block
    save_answer(s, scenario, user, "find-blocking-licence", "EL/1999/0001")
    other = scenario.area("requested-block", scenario.trainees[3].username)
    blocking = state.licence_id("sewa-el", scenario.trainees[3].username)
    free = s.scalar(
        text(
            "SELECT ST_AsText(ST_Difference(ST_GeomFromText(:a, 4326), ST_Buffer(geom, 0.0002)))"
            " FROM licences WHERE id = :i"
        ),
        {"a": other.wkt, "i": blocking},
    )
    from shapely import wkt

    _apply(s, profile, state, user, "gola", "exploration", wkt.loads(free), commodities=["gold"])
    s.commit()
    results = check_trainee(s, profile, scenario, state, user)
    assert [r.done for r in results] == [False, False]
    assert "not what the register shows" in results[0].detail


def test_a_reset_leaves_a_whole_chain_and_the_guards_back_on(reset_to, training_url):
    from sqlalchemy.exc import DBAPIError

    from cadastre.services.chain import chain_head, verify_chain

    reset_to("kenema-artisanal-plot")
    with Session(get_engine(training_url)) as s:
        result = verify_chain(s)
        assert result.ok, result.mismatch
        assert result.checked == chain_head(s).seq > 0
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(text("DELETE FROM licence_events"))
