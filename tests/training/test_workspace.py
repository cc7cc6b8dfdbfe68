"""The training workspace under /training: isolation both ways, banner, trainer board, answers."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cadastre.app import create_app, create_wsgi
from cadastre.auth import current_actor
from cadastre.db import get_engine
from cadastre.errors import Unauthorized
from cadastre.models import Holder, Licence, User
from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from cadastre.services.users import add_user, authenticate, issue_token
from cadastre.training.scenarios import rect
from cadastre.workspaces import training_app_of
from tests.training.walkthrough import WALKTHROUGHS

SCENARIO = "kenema-artisanal-plot"


@pytest.fixture
def ws_settings(settings, training_url):
    return replace(settings, training_database_url=training_url)


@pytest.fixture
def ws_app(ws_settings, sessions):
    app = create_app(ws_settings)
    app.extensions["cadastre"].sessions = sessions  # the register side rolls back after the test
    return app


@pytest.fixture
def ws_client(ws_app):
    return ws_app.test_client()


@pytest.fixture
def loaded(reset_to):
    return reset_to(SCENARIO)


def _token(training_url, username):
    with Session(get_engine(training_url)) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        token = issue_token(s, user)
        s.commit()
    return token


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_training_licence_never_reaches_the_register(loaded, training_url, empty_register, profile):
    scenario, state = loaded
    with Session(get_engine(training_url)) as t:
        lic = register_application(
            t,
            profile,
            holder_id=state.holder_id("komba"),
            licence_type="artisanal",
            commodities=["diamond"],
            geometry=scenario.area("warden-plot", "trainee1"),
            actor="trainee1",
        )
        code = lic.code
        t.commit()
        training_count = t.scalar(select(func.count()).select_from(Licence))
    assert training_count > 1
    register = empty_register
    assert register.scalar(select(func.count()).select_from(Licence)) == 0
    assert register.scalar(select(func.count()).where(Holder.name == "Sahr Komba")) == 0
    assert register.scalar(select(func.count()).where(User.username == "trainee1")) == 0
    assert code  # the same code may exist in the register one day: the databases are separate


def test_register_licence_never_reaches_training(loaded, training_url, session, profile):
    with Session(get_engine(training_url)) as t:
        before = t.scalar(select(func.count()).select_from(Licence))
    holder = create_holder(
        session,
        {"name": "Register Only Mining Ltd", "kind": "cooperative", "citizen_members": True},
    )
    register_application(
        session,
        profile,
        holder_id=holder.id,
        licence_type="artisanal",
        commodities=["gold"],
        geometry=rect(-11.5, 8.2, 80, 80),
        actor="officer",
    )
    session.commit()  # releases a savepoint of the test's transaction
    with Session(get_engine(training_url)) as t:
        assert t.scalar(select(func.count()).select_from(Licence)) == before
        assert t.scalar(select(func.count()).where(Holder.name == "Register Only Mining Ltd")) == 0


def test_trainee_credentials_do_not_work_on_the_register(loaded, training_url, ws_app, session):
    scenario, _ = loaded
    trainee = scenario.trainees[0]
    assert authenticate(session, trainee.username, trainee.password) is None
    token = _token(training_url, trainee.username)
    with ws_app.test_request_context("/api/licences", headers=_bearer(token)):
        with pytest.raises(Unauthorized):
            current_actor()
    training = training_app_of(ws_app)
    with training.test_request_context("/tasks", headers=_bearer(token)):
        assert current_actor().username == trainee.username
    # and a register account does not exist in training
    add_user(session, "register.officer", "officer", password="register-pass-1")
    session.commit()
    with Session(get_engine(training_url)) as t:
        assert authenticate(t, "register.officer", "register-pass-1") is None


def test_training_app_is_its_own_workspace(ws_app):
    training = training_app_of(ws_app)
    reg = training.extensions["cadastre"]
    assert reg.settings.workspace == "training"
    assert reg.settings.database_url != ws_app.extensions["cadastre"].settings.database_url
    assert training.config["SESSION_COOKIE_NAME"] != ws_app.config["SESSION_COOKIE_NAME"]
    assert training.secret_key != ws_app.secret_key
    assert create_wsgi(replace(ws_app.extensions["cadastre"].settings)).extensions["training_mount"]


def test_every_training_page_carries_the_banner(loaded, training_url, ws_client):
    token = _token(training_url, "trainer")
    page = ws_client.get("/training/trainer", headers={**_bearer(token), "Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["X-Cadastre-Workspace"] == "training"
    body = page.get_data(as_text=True)
    assert body.count("data-training-banner") == 1 and "TRAINING" in body
    login = ws_client.get("/training/login")
    if login.status_code == 200:  # the officer pages exist: their sign-in page is marked too
        assert "data-training-banner" in login.get_data(as_text=True)
    register_login = ws_client.get("/login")
    assert "data-training-banner" not in register_login.get_data(as_text=True)
    assert "X-Cadastre-Workspace" not in register_login.headers


def test_trainer_board_follows_the_register(loaded, training_url, ws_client, profile):
    scenario, state = loaded
    trainer = _bearer(_token(training_url, "trainer"))
    board = ws_client.get("/training/trainer/progress.json", headers=trainer).get_json()
    assert board["scenario"] == SCENARIO
    assert not any(r["done"] for rs in board["trainees"].values() for r in rs)
    with Session(get_engine(training_url)) as t:
        WALKTHROUGHS[SCENARIO](t, profile, scenario, state, "trainee1")
        t.commit()
    board = ws_client.get("/training/trainer/progress.json", headers=trainer).get_json()
    assert all(r["done"] for r in board["trainees"]["trainee1"])
    assert not any(r["done"] for r in board["trainees"]["trainee2"])
    html = ws_client.get("/training/trainer", headers={**trainer, "Accept": "text/html"})
    assert 'data-done="yes"' in html.get_data(as_text=True)
    # a trainee may not see the board
    trainee = _bearer(_token(training_url, "trainee2"))
    assert ws_client.get("/training/trainer/progress.json", headers=trainee).status_code == 403
    # the register workspace sends the trainer to the training workspace
    moved = ws_client.get("/trainer")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/training/trainer")


def test_trainee_answers_are_checked_against_the_register(reset_to, training_url, ws_client):
    scenario, state = reset_to("liberian-border-plot")
    trainee = _bearer(_token(training_url, "trainee3"))
    sheet = ws_client.get("/training/tasks", headers=trainee).get_json()
    assert sheet["username"] == "trainee3"
    assert sheet["areas"][0]["utm_zone"] == "29N" and len(sheet["areas"][0]["utm"]) == 4
    bad = ws_client.post(
        "/training/tasks/name-the-tier/answer", json={"answer": ""}, headers=trainee
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "answer"
    r = ws_client.post(
        "/training/tasks/name-the-tier/answer", json={"answer": "watch"}, headers=trainee
    )
    assert r.status_code == 201
    tasks = {
        t["task"]: t for t in ws_client.get("/training/tasks", headers=trainee).get_json()["tasks"]
    }
    assert not tasks["name-the-tier"]["done"]
    ws_client.post("/training/tasks/name-the-tier/answer", json={"answer": "high"}, headers=trainee)
    tasks = {
        t["task"]: t for t in ws_client.get("/training/tasks", headers=trainee).get_json()["tasks"]
    }
    assert tasks["name-the-tier"]["done"]
    html = ws_client.get("/training/tasks", headers={**trainee, "Accept": "text/html"})
    assert '<label for="answer-name-the-tier">' in html.get_data(as_text=True)
    with Session(get_engine(training_url)) as t:
        assert t.scalar(text("SELECT count(*) FROM training.answers")) == 1


def test_pack_download_is_marked_training(loaded, training_url, ws_client):
    trainer = _bearer(_token(training_url, "trainer"))
    r = ws_client.get("/training/trainer/pack.gpkg", headers=trainer)
    assert r.status_code == 200
    assert "TRAINING-" in r.headers["Content-Disposition"]
    assert r.data[:16] == b"SQLite format 3\x00"
    z = ws_client.get("/training/trainer/pack.zip", headers=trainer)
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(z.data)).namelist()
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["gpkg", "mbtiles"]


def test_exports_from_training_are_named_training(loaded, ws_client):
    r = ws_client.get("/training/collections/licences/export.csv")
    if r.status_code == 404 and "export" not in r.get_data(as_text=True).lower():
        pytest.skip("no export route in this build")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert 'filename="TRAINING-licences.csv"' in r.headers["Content-Disposition"]
    assert r.headers["X-Cadastre-Workspace"] == "training"
    assert (
        r.get_data(as_text=True).count("\n") >= 1 + 4
    )  # the scenario's licences, not the register's
    plain = ws_client.get("/collections/licences/export.csv")
    assert "TRAINING" not in plain.headers.get("Content-Disposition", "")


def test_map_layer_links_of_training_stay_under_training(loaded, training_url, ws_client):
    """A GIS client, the web map or an API client that follows training's links must never
    reach the register: every link, tile template, HTML href and Location carries /training."""
    docs = [
        ws_client.get("/training/").get_json(),
        ws_client.get("/training/collections").get_json(),
        ws_client.get("/training/collections/licences/items?limit=1").get_json(),
    ]
    hrefs = [lk["href"] for doc in docs for lk in doc["links"]]
    assert hrefs and all(h.startswith("http://localhost/training/") for h in hrefs), hrefs
    tilejson = ws_client.get("/training/collections/licences/tiles/WebMercatorQuad/tilejson.json")
    assert tilejson.get_json()["tiles"] == [
        "http://localhost/training/collections/licences/tiles/WebMercatorQuad/{z}/{y}/{x}"
    ]
    html = ws_client.get("/training/collections?f=html").get_data(as_text=True)
    assert 'href="/training/collections/licences?f=html"' in html
    assert 'href="/collections' not in html
    register = ws_client.get("/collections").get_json()
    assert all("/training" not in lk["href"] for lk in register["links"])
    trainee = _bearer(_token(training_url, loaded[0].trainees[0].username))
    page = ws_client.get("/training/api/licences?limit=1", headers=trainee).get_json()
    assert [lk["href"].split("?")[0] for lk in page["links"]] == ["/training/api/licences"] * 2
    made = ws_client.post(
        "/training/api/holders", json={"name": "Links Test Ltd", "kind": "company"},
        headers=trainee,
    )  # fmt: skip
    assert made.status_code == 201, made.get_json()
    assert made.headers["Location"] == f"/training/api/holders/{made.get_json()['id']}"


def test_unreachable_training_database_answers_503(settings, sessions):
    app = create_app(
        replace(settings, training_database_url="postgresql+psycopg://x@127.0.0.1:1/none")
    )
    r = app.test_client().get("/training/healthz")
    assert r.status_code == 503
    assert r.mimetype == "application/problem+json"
    assert "cadastre training reset" in r.get_json()["detail"]
    assert app.test_client().get("/healthz").status_code in (200, 503)  # the register still serves


def test_training_commands_refuse_the_register_database(settings, database_url):
    app = create_app(replace(settings, training_database_url=database_url))
    r = app.test_cli_runner().invoke(args=["training", "reset", "--scenario", "transfer-licence"])
    assert r.exit_code != 0
    assert "must not be the register's database" in str(r.exception)
