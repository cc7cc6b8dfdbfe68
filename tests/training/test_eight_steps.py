"""The artisanal-eight-steps scenario is the real procedure: walked task by task through the
training workspace's API, each task turns done only once its stage is complete on the
trainee's file (never before), and scenario files naming stages are checked at load."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
import yaml
from shapely.geometry import mapping
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cadastre.app import create_app
from cadastre.db import get_engine
from cadastre.errors import ConfigurationError
from cadastre.models import User
from cadastre.services.procedure_walk import placeholder_pdf
from cadastre.services.users import issue_token
from cadastre.training.scenarios import SCENARIO_DIR, load_scenario

NAME = "artisanal-eight-steps"


@pytest.fixture
def ws_client(settings, training_url, sessions):
    app = create_app(replace(settings, training_database_url=training_url))
    app.extensions["cadastre"].sessions = sessions  # the register side rolls back after the test
    return app.test_client()


def _bearer(training_url, username) -> dict:
    with Session(get_engine(training_url)) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = issue_token(s, user)
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def test_each_task_is_done_once_its_stage_is_complete_and_not_before(
    reset_to, training_url, ws_client
):
    scenario, state = reset_to(NAME)
    trainee = _bearer(training_url, "trainee1")
    trainer = _bearer(training_url, "trainer")
    cashier = _bearer(training_url, "cashier")
    api = "/training/api"

    def done() -> set[str]:
        sheet = ws_client.get("/training/tasks", headers=trainee).get_json()
        return {t["task"] for t in sheet["tasks"] if t["done"]}

    def stage(licence_id, name, who=trainee):
        return ws_client.post(f"{api}/licences/{licence_id}/stages/{name}", json={}, headers=who)

    def upload(licence_id, kind):
        data = {"kind": kind, "title": kind.replace("_", " "),
                "file": (io.BytesIO(placeholder_pdf(kind)), f"{kind}.pdf")}  # fmt: skip
        r = ws_client.post(f"{api}/licences/{licence_id}/documents", data=data, headers=trainee,
                           content_type="multipart/form-data")  # fmt: skip
        assert r.status_code == 201, r.get_json()

    def pay(licence_id, receipt):
        charges = ws_client.get(f"{api}/licences/{licence_id}/charges", headers=cashier).get_json()
        owed = [b for b in charges["balances"] if Decimal(b["balance"]) > 0]
        assert owed, charges
        for b in owed:
            paid = {
                "licence_id": licence_id,
                "amount": b["balance"],
                "currency": b["currency"],
                "paid_on": charges["orders"][-1]["raised_on"],
                "receipt_number": receipt,
            }
            r = ws_client.post(f"{api}/payments", headers=cashier, json=paid)
            assert r.status_code == 201, r.get_json()

    expected: set[str] = set()
    assert done() == expected
    r = ws_client.post("/training/tasks/allocation/answer", headers=trainee,
                       json={"answer": "Chiefdom Mining Allocation Committee"})  # fmt: skip
    assert r.status_code == 201
    assert done() == (expected := expected | {"allocation"})

    # the trainee records the application from the warden's corners: it waits at stage 1
    body = {"licence_type": "artisanal", "holder_id": state.holder_id("conteh"),
            "commodities": ["diamond"], "district": "Kono",
            "geometry": mapping(scenario.area("allocated-plot", "trainee1"))}  # fmt: skip
    r = ws_client.post(f"{api}/licences", json=body, headers=trainee)
    assert r.status_code == 201, r.get_json()
    lid = r.get_json()["id"]
    assert done() == (expected := expected | {"register"})
    procedure = ws_client.get(f"{api}/licences/{lid}/procedure", headers=trainee).get_json()
    assert procedure["current_stage"] == "plot_allocation"

    # out of order: refused, nothing done
    assert stage(lid, "survey").status_code == 409
    assert stage(lid, "plot_allocation").status_code == 200
    assert done() == (expected := expected | {"plot-allocation"})

    # the survey: refused without its sheet; the sheet alone does not do the task
    r = stage(lid, "survey")
    assert r.status_code == 409 and "survey_sheet" in r.get_json()["detail"]
    upload(lid, "survey_sheet")
    assert done() == expected
    assert stage(lid, "survey").status_code == 200
    assert done() == (expected := expected | {"survey"})

    upload(lid, "surface_rent_agreement")
    assert done() == expected
    assert stage(lid, "surface_rent_agreement").status_code == 200
    assert done() == (expected := expected | {"surface-rent"})

    assert stage(lid, "file_check").status_code == 200
    assert done() == (expected := expected | {"file-check"})

    area = ws_client.get(f"{api}/licences/{lid}", headers=trainee).get_json()["area_ha"]
    r = ws_client.post("/training/tasks/verify-area/answer", headers=trainee,
                       json={"answer": f"{area:.2f}"})  # fmt: skip
    assert r.status_code == 201
    assert done() == (expected := expected | {"verify-area"})

    # verification: the plan on file, then the application fee paid by Finance
    upload(lid, "environmental_management_plan")
    r = stage(lid, "verification")
    assert r.status_code == 409 and "application fee" in r.get_json()["detail"]
    assert done() == expected
    pay(lid, "RCB-FEE-T1")
    assert done() == expected  # the fee's receipt is not the order to pay's
    assert stage(lid, "verification").status_code == 200
    assert done() == (expected := expected | {"verification"})

    # the approval is the supervisor's: the trainee may not; the trainer does
    assert stage(lid, "approval").status_code == 403
    assert done() == expected
    r = stage(lid, "approval", trainer)
    assert r.status_code == 200 and r.get_json()["status"] == "approved", r.get_json()
    assert done() == (expected := expected | {"approval"})

    # finalisation before the order to pay stage and its payment: refused
    assert stage(lid, "finalisation").status_code == 409
    assert stage(lid, "order_to_pay").status_code == 200
    assert done() == (expected := expected | {"order-to-pay"})
    r = stage(lid, "finalisation")
    assert r.status_code == 409 and "unpaid" in r.get_json()["detail"]
    assert done() == expected

    pay(lid, "RCB-T1")
    assert done() == (expected := expected | {"record-receipt"})
    r = stage(lid, "finalisation")
    assert r.status_code == 200 and r.get_json()["status"] == "granted", r.get_json()
    assert done() == {t.key for t in scenario.tasks}

    # checked against licence_stages: each stage by whom the scenario says
    with Session(get_engine(training_url)) as s:
        rows = dict(
            s.execute(
                text("SELECT stage, completed_by FROM licence_stages WHERE licence_id = :i"),
                {"i": lid},
            ).all()
        )
    assert rows.pop("approval") == "trainer"
    assert set(rows.values()) == {"trainee1"} and len(rows) == 7
    # another trainee's sheet is untouched
    other = _bearer(training_url, "trainee2")
    sheet = ws_client.get("/training/tasks", headers=other).get_json()
    assert not any(t["done"] for t in sheet["tasks"])


def test_a_stage_completed_by_the_trainer_for_the_trainee_does_not_count(
    reset_to, training_url, ws_client
):
    scenario, state = reset_to(NAME)
    trainee = _bearer(training_url, "trainee1")
    trainer = _bearer(training_url, "trainer")
    body = {"licence_type": "artisanal", "holder_id": state.holder_id("conteh"),
            "commodities": ["diamond"], "district": "Kono",
            "geometry": mapping(scenario.area("allocated-plot", "trainee1"))}  # fmt: skip
    lid = ws_client.post("/training/api/licences", json=body, headers=trainee).get_json()["id"]
    r = ws_client.post(f"/training/api/licences/{lid}/stages/plot_allocation", json={},
                       headers=trainer)  # fmt: skip
    assert r.status_code == 200
    tasks = {
        t["task"]: t for t in ws_client.get("/training/tasks", headers=trainee).get_json()["tasks"]
    }
    assert tasks["register"]["done"] and not tasks["plot-allocation"]["done"]
    assert "not yet completed" in tasks["plot-allocation"]["detail"]


def test_starting_files_walked_their_procedure(reset_to, training_session):
    """A granted starting licence completed every stage; one placed at a stage waits there."""
    _scenario, state = reset_to(NAME)
    neighbour = state.licence_id("neighbour", "trainee1")
    stages = training_session.scalars(
        text("SELECT stage FROM licence_stages WHERE licence_id = :i ORDER BY position"),
        {"i": neighbour},
    ).all()
    assert len(stages) == 8 and stages[-1] == "finalisation"
    status = text("SELECT status FROM licences WHERE id = :i")
    assert training_session.scalar(status, {"i": neighbour}) == "granted"
    training_session.rollback()  # let the next reset empty the tables
    _scenario, state = reset_to("order-to-pay-and-finalise")
    plot = state.licence_id("bangura-plot", "trainee2")
    row = training_session.execute(
        text("SELECT stage, status FROM licences WHERE id = :i"), {"i": plot}
    ).one()
    assert tuple(row) == ("approval", "application")


def _variant(tmp_path, change, name=NAME) -> str:
    data = yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text())
    change(data)
    (tmp_path / "variant.yaml").write_text(yaml.safe_dump(data))
    return "variant"


def _task(data, key) -> dict:
    return next(t for t in data["tasks"] if t["key"] == key)["check"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _task(d, "survey").update(stage="sruvey"),
         r"'tasks\[3\]\.check\.stage': 'sruvey' is not a stage of the artisanal procedure"),
        (lambda d: _task(d, "approval").update(by_role="chief"),
         r"'tasks\[8\]\.check\.by_role': must be one of"),
        (lambda d: _task(d, "approval").update(by_role="finance"),
         r"'finance' may not complete the stage 'approval'"),
        (lambda d: d["licences"][0].update(stage="approval"),
         r"'licences\[0\]\.stage': places an application at a stage: it takes no 'history'"),
        (lambda d: (d["licences"][0].pop("history"), d["licences"][0].update(stage="board")),
         r"'licences\[0\]\.stage': 'board' is not a stage of the artisanal procedure"),
    ],
)  # fmt: skip
def test_stage_names_and_roles_are_checked_at_load(profile, tmp_path, change, message):
    name = _variant(tmp_path, change)
    with pytest.raises(ConfigurationError, match=message) as caught:
        load_scenario(name, profile, tmp_path)
    assert str(tmp_path / "variant.yaml") in str(caught.value)


def test_a_stage_check_on_a_starting_licence_names_its_stage(profile, tmp_path):
    def at_file_check(data):
        _task(data, "hand-over-order").update(stage="file_check")

    name = _variant(tmp_path, at_file_check, "order-to-pay-and-finalise")
    assert load_scenario(name, profile, tmp_path).task("hand-over-order").check["stage"]

    def unknown(data):
        _task(data, "hand-over-order").update(stage="lodged")

    name = _variant(tmp_path, unknown, "order-to-pay-and-finalise")
    with pytest.raises(ConfigurationError, match="'lodged' is not a stage of the artisanal"):
        load_scenario(name, profile, tmp_path)
