"""The money scenario: issue an order to pay, record the bank receipt, finalise; each task is
checked from the register (the order, a Finance user's receipt covering it, the grant)."""

import pytest
import yaml
from sqlalchemy import text

from cadastre.errors import ConfigurationError
from cadastre.services.licences import perform_action
from cadastre.training.checker import check_trainee
from cadastre.training.scenarios import SCENARIO_DIR, load_scenario
from tests.training.walkthrough import _pay_order, _stage

NAME = "order-to-pay-and-finalise"


def _results(session, profile, scenario, state, user="trainee1") -> dict:
    return {r.task: r for r in check_trainee(session, profile, scenario, state, user)}


def test_each_step_is_checked_against_the_register(reset_to, training_session, profile):
    scenario, state = reset_to(NAME)
    session = training_session
    assert {a.role for a in scenario.accounts} >= {"finance", "supervisor"}
    licence_id = state.licence_id("bangura-plot", "trainee1")
    got = _results(session, profile, scenario, state)
    assert not any(r.done for r in got.values())
    assert got["issue-order"].detail.endswith("no order to pay issued yet.")

    # the starting file waits at the Regional Manager's approval, its earlier stages done
    done = session.scalars(
        text("SELECT stage FROM licence_stages WHERE licence_id = :i ORDER BY position"),
        {"i": licence_id},
    ).all()
    assert done == ["plot_allocation", "survey", "surface_rent_agreement", "file_check",
                    "verification"]  # fmt: skip
    perform_action(session, profile, licence_id, "approve", actor="trainee1")
    got = _results(session, profile, scenario, state)
    assert got["issue-order"].done and "1,500.00 SLE issued" in got["issue-order"].detail
    assert not got["hand-over-order"].done
    _stage(session, profile, licence_id, "order_to_pay", "trainee1", role="supervisor")
    got = _results(session, profile, scenario, state)
    assert got["hand-over-order"].done, got["hand-over-order"]
    assert got["record-receipt"].detail.endswith(
        "no receipt recorded by Finance; 1,500.00 SLE still owed."
    )
    # the finalise is refused while the order is open, and so not done
    assert not got["finalise"].done

    # a payment recorded by someone who is not Finance does not count
    _pay_order(session, licence_id, "trainer", "NOT-FINANCE-1")
    assert not _results(session, profile, scenario, state)["record-receipt"].done
    session.rollback()
    perform_action(session, profile, licence_id, "approve", actor="trainee1")
    _stage(session, profile, licence_id, "order_to_pay", "trainee1", role="supervisor")
    _pay_order(session, licence_id, "cashier", "RCB-T1")
    got = _results(session, profile, scenario, state)
    assert got["record-receipt"].done and "receipt RCB-T1" in got["record-receipt"].detail
    perform_action(session, profile, licence_id, "finalise", actor="trainee1")
    got = _results(session, profile, scenario, state)
    assert all(r.done for r in got.values()), got
    # the other trainees' licences are untouched
    assert not any(r.done for r in _results(session, profile, scenario, state, "trainee2").values())
    session.rollback()


def _variant(tmp_path, change) -> str:
    data = yaml.safe_load((SCENARIO_DIR / f"{NAME}.yaml").read_text())
    change(data)
    (tmp_path / "variant.yaml").write_text(yaml.safe_dump(data))
    return "variant"


def test_a_payment_task_needs_a_finance_account(profile, tmp_path):
    def no_finance(data):
        data["accounts"] = [a for a in data["accounts"] if a["role"] != "finance"]

    with pytest.raises(ConfigurationError, match="the scenario's accounts need one"):
        load_scenario(_variant(tmp_path, no_finance), profile, tmp_path)


def test_officers_cannot_be_asked_to_issue_the_order(profile, tmp_path):
    def officers(data):
        for a in data["accounts"]:
            if a.get("trainee", True):
                a["role"] = "officer"

    with pytest.raises(ConfigurationError, match="may not approve"):
        load_scenario(_variant(tmp_path, officers), profile, tmp_path)
    load_scenario(NAME, profile)  # as shipped, it loads
