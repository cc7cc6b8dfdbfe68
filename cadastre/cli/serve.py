"""``cadastre serve``: the production server (granian, WSGI) over the register and /training.

granian is a Rust HTTP server with a WSGI interface: HTTP parsing, keep-alive and
writing happen in Rust, and only the app runs in Python threads ("blocking threads").
On the map layers' small requests it costs a fraction of gunicorn's gthread worker per
request (figures in bench/README.md, ``python -m bench.map_layers --server ...``).
``cadastre run`` stays Flask's development server.
"""

from __future__ import annotations

import click

#: The layout measured best on two cores (bench/README.md, map layers).
WORKERS = 2
THREADS = 4


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--workers", default=WORKERS, type=int, show_default=True,
              help="Worker processes (one Python interpreter each).")
@click.option("--threads", default=THREADS, type=int, show_default=True,
              help="Threads running the app in each worker (granian's blocking threads).")
@click.option("--access-log/--no-access-log", default=False, show_default=True)
def serve_command(host: str, port: int, workers: int, threads: int, access_log: bool) -> None:
    """Serve the register (and the training workspace under /training) with granian."""
    from granian import Granian
    from granian.constants import Interfaces

    _refuse_a_training_register()
    _refuse_types_not_in_the_database()
    Granian(
        "cadastre.app:create_wsgi",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        factory=True,
        websockets=False,
        log_access=access_log,
    ).serve()


def _refuse_a_training_register() -> None:
    """Stop (one line, non-zero exit) before serving a training workspace as the register.

    Real applications registered there would be wiped by the next ``training reset``. A
    database that cannot be reached yet does not stop the server: it answers 503 until then.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from cadastre.config import Settings
    from cadastre.services.workspace import check_register_database

    try:
        check_register_database(Settings.from_env().database_url)
    except SQLAlchemyError:
        return


def _refuse_types_not_in_the_database() -> None:
    """Stop (one line) when the profile offers a licence type the database does not hold yet:
    ``cadastre db upgrade`` copies them; the app's role may only read the table."""
    from sqlalchemy.exc import SQLAlchemyError

    from cadastre.config import Settings
    from cadastre.profile import load_profile
    from cadastre.services.licence_types import check_licence_types

    settings = Settings.from_env()
    try:
        check_licence_types(settings.database_url, load_profile(settings.profile))
    except SQLAlchemyError:
        return  # unreachable or not migrated yet: the server says so on each request
