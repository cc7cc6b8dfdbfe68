"""Training pages: the trainer's progress board, the trainee's task sheet, pack downloads;
plus the TRAINING banner, watermark and export names on every response of the workspace.

The board checks each trainee's work against the training register on every load (nothing
is self-reported). In the register workspace these addresses lead to ``/training/...``.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from cadastre.errors import NotFound, Unauthorized, ValidationError
from cadastre.state import registry

bp = Blueprint("training", __name__)

BANNER_MARK = "data-training-banner"
_BODY = re.compile(rb"<body[^>]*>", re.IGNORECASE)


def is_training() -> bool:
    """Is the current app the training workspace?"""
    return registry().settings.workspace == "training"


@bp.app_context_processor
def _workspace_globals():
    return {"workspace": registry().settings.workspace}


def banner_html() -> str:
    """The banner and watermark put on every page of the training workspace."""
    return render_template("training/_banner.html")


@bp.after_app_request
def _mark_training(response: Response) -> Response:
    if not is_training():
        return response
    response.headers["X-Cadastre-Workspace"] = "training"
    disposition = response.headers.get("Content-Disposition", "")
    if "filename=" in disposition and "TRAINING" not in disposition:
        response.headers["Content-Disposition"] = re.sub(
            r'filename=("?)', r"filename=\1TRAINING-", disposition, count=1
        )
    if (
        response.mimetype == "text/html"
        and not response.is_streamed
        and not response.direct_passthrough
    ):
        body = response.get_data()
        if BANNER_MARK.encode() not in body:
            banner = banner_html().encode()
            match = _BODY.search(body)
            at = match.end() if match else 0
            response.set_data(body[:at] + banner + body[at:])
    return response


def _elsewhere():
    """In the register workspace, send the trainer to the training workspace's page."""
    return redirect("/training" + request.full_path.rstrip("?"))


def _actor(min_role: str):
    from cadastre.auth import API

    sign_in = "Sign in to the training workspace (or send a bearer token)."
    return API.check(min_role, sign_in=sign_in)


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def _login_redirect():
    if "officer.login" in current_app.view_functions:
        return redirect(url_for("officer.login", next=request.path))
    return None


def _loaded(session):
    from cadastre.training.reset import load_state
    from cadastre.training.scenarios import load_scenario

    state = load_state(session)
    if state is None:
        raise NotFound("No scenario is loaded: run `cadastre training reset --scenario NAME`.")
    return load_scenario(state.scenario, registry().profile), state


def _layout() -> str:
    return "base.html" if "officer" in current_app.blueprints else "training/layout.html"


def _guard(min_role: str):
    """The actor, or a redirect to sign in for a browser that is not signed in."""
    try:
        return _actor(min_role), None
    except Unauthorized:
        browser = _wants_html() and not request.headers.get("Authorization")
        if browser and (target := _login_redirect()) is not None:
            return None, target
        raise


@bp.get("/trainer")
def trainer():
    """Each trainee's progress on each task, checked against the training register."""
    if not is_training():
        return _elsewhere()
    _, redirect_to = _guard("supervisor")
    if redirect_to is not None:
        return redirect_to
    from cadastre.training.checker import progress

    reg = registry()
    with reg.sessions() as session:
        scenario, state = _loaded(session)
        board = progress(session, reg.profile, scenario, state)
    if not _wants_html():
        return jsonify(_board_json(scenario, state, board))
    return render_template(
        "training/trainer.html", layout=_layout(), scenario=scenario, state=state, board=board
    )


@bp.get("/trainer/progress.json")
def trainer_json():
    """The progress board as JSON."""
    if not is_training():
        return _elsewhere()
    _actor("supervisor")
    from cadastre.training.checker import progress

    reg = registry()
    with reg.sessions() as session:
        scenario, state = _loaded(session)
        board = progress(session, reg.profile, scenario, state)
    return jsonify(_board_json(scenario, state, board))


def _board_json(scenario, state, board) -> dict:
    return {
        "workspace": "training",
        "scenario": scenario.name,
        "title": scenario.title,
        "as_of": state.as_of.isoformat(),
        "tasks": [{"key": t.key, "title": t.title} for t in scenario.tasks],
        "trainees": {
            user: [
                {"task": r.task, "done": r.done, "detail": r.detail, "licence": r.licence_code}
                for r in results
            ]
            for user, results in board.items()
        },
    }


@bp.get("/tasks")
def tasks():
    """The signed-in trainee's task sheet: briefing, tasks, their ground, answer forms."""
    if not is_training():
        return _elsewhere()
    actor, redirect_to = _guard("viewer")
    if redirect_to is not None:
        return redirect_to
    from cadastre.training.checker import check_trainee
    from cadastre.training.sheet import task_sheet

    reg = registry()
    with reg.sessions() as session:
        scenario, state = _loaded(session)
        if actor.username not in {t.username for t in scenario.trainees}:
            return _not_a_trainee(actor, scenario)
        results = check_trainee(session, reg.profile, scenario, state, actor.username)
        sheet = task_sheet(session, scenario, state, actor.username)
    if not _wants_html():
        return jsonify(
            {
                "scenario": scenario.name,
                "username": actor.username,
                "tasks": [{"task": r.task, "done": r.done, "detail": r.detail} for r in results],
                **sheet,
            }
        )
    return render_template(
        "training/tasks.html",
        layout=_layout(),
        scenario=scenario,
        state=state,
        results=dict(zip([t.key for t in scenario.tasks], results, strict=True)),
        sheet=sheet,
        username=actor.username,
    )


def _not_a_trainee(actor, scenario):
    """A trainer (or any account not among the scenario's trainees) has no task sheet: a
    trainer's browser goes to the progress board, anyone else gets a 404 saying why."""
    from cadastre.domain.roles import role_allows

    if _wants_html() and role_allows(actor.role, "supervisor"):
        return redirect(url_for("training.trainer"))
    names = ", ".join(t.username for t in scenario.trainees)
    raise NotFound(
        f"'{actor.username}' has no task sheet: scenario '{scenario.name}' has tasks for its "
        f"trainees ({names}); trainers follow them on /training/trainer."
    )


@bp.post("/tasks/<key>/answer")
def answer(key: str):
    """Record the trainee's answer to a task (form field or JSON ``answer``)."""
    if not is_training():
        raise NotFound("Answers are given in the training workspace.")
    actor = _actor("viewer")
    from cadastre.training.checker import save_answer

    data = request.get_json(silent=True) if request.is_json else request.form
    given = (data or {}).get("answer")
    if not isinstance(given, str) or not given.strip() or len(given) > 2000:
        raise ValidationError(
            "Give an answer (1 to 2000 characters).",
            errors=[{"field": "answer", "message": "is required"}],
        )
    reg = registry()
    with reg.sessions() as session:
        scenario, state = _loaded(session)
        if key not in {t.key for t in scenario.tasks if t.check["kind"] == "answer"}:
            raise NotFound(f"Scenario '{scenario.name}' has no question '{key}'.")
        save_answer(session, scenario, actor.username, key, given.strip())
        session.commit()
    if request.is_json:
        return jsonify({"task": key, "answer": given.strip()}), 201
    return redirect(url_for("training.tasks") + f"#task-{key}")


@bp.get("/trainer/pack.<fmt>")
def pack_download(fmt: str):
    """The offline pack of the loaded scenario: ``.gpkg`` alone, or ``.zip`` with the MBTiles."""
    if not is_training():
        return _elsewhere()
    if fmt not in ("gpkg", "zip"):
        raise NotFound("Packs come as .gpkg or .zip.")
    _actor("supervisor")
    from cadastre.training.pack import write_pack

    reg = registry()
    with tempfile.TemporaryDirectory() as tmp, reg.sessions() as session:
        scenario, state = _loaded(session)
        out = Path(tmp) / f"TRAINING-{scenario.name}.gpkg"
        result = write_pack(session, reg.profile, scenario, out)
        name = out.name
        if fmt == "gpkg":
            data = out.read_bytes()
            mimetype = "application/geopackage+sqlite3"
        else:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(out, out.name)
                zf.write(result.mbtiles, result.mbtiles.name)
            data, name, mimetype = buf.getvalue(), out.with_suffix(".zip").name, "application/zip"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
