"""/training/tasks for an account that is not a trainee (the trainer): never a 500."""

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.app import create_app
from cadastre.db import get_engine
from cadastre.models import User
from cadastre.services.users import issue_token


@pytest.fixture
def ws_client(settings, training_url, sessions, reset_to):
    reset_to("kenema-artisanal-plot")
    app = create_app(replace(settings, training_database_url=training_url))
    app.extensions["cadastre"].sessions = sessions
    return app.test_client()


def _bearer(training_url, username):
    with Session(get_engine(training_url)) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = issue_token(s, user)
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def test_trainer_asking_for_a_task_sheet_is_told_where_to_look(training_url, ws_client):
    trainer = _bearer(training_url, "trainer")
    r = ws_client.get("/training/tasks", headers=trainer)
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"
    assert "/training/trainer" in r.get_json()["detail"]
    page = ws_client.get("/training/tasks", headers={**trainer, "Accept": "text/html"})
    assert page.status_code == 302
    assert page.headers["Location"].endswith("/training/trainer")


def test_a_nul_in_a_trainee_answer_is_a_400(training_url, ws_client):
    trainee = _bearer(training_url, "trainee1")
    r = ws_client.post("/training/tasks/name-the-tier/answer", json={"answer": "hi\u0000gh"},
                       headers=trainee)
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    assert r.get_json()["errors"][0]["field"] == "body"
    r = ws_client.post("/training/tasks/name-the-tier/answer", data={"answer": "hi\x00gh"},
                       headers=trainee)
    assert r.status_code == 400 and r.get_json()["errors"][0]["field"] == "answer"
