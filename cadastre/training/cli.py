"""CLI: ``cadastre training reset [--scenario NAME]``, ``cadastre training pack OUT.gpkg``,
``cadastre training scenarios``. All act on the training database
(``CADASTRE_TRAINING_DATABASE_URL``), never on the register.
"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from cadastre.errors import ConfigurationError
from cadastre.state import registry

training_cli = click.Group("training", help="Training workspace: scenarios, resets, offline packs.")


def _training_url() -> str:
    from cadastre.db import check_database

    url = registry().settings.training_database_url
    if not url:
        raise ConfigurationError(
            "No training database is configured: set CADASTRE_TRAINING_DATABASE_URL."
        )
    if url == registry().settings.database_url:
        raise ConfigurationError(
            "The training database must not be the register's database: "
            "set CADASTRE_TRAINING_DATABASE_URL to another database."
        )
    check_database(url)
    return url


def _owner_training_url() -> str:
    """The training database as its owner (a reset recreates rows, sequences and marks)."""
    return registry().settings.owner_url(_training_url())


def _refuse_unless_training(url: str) -> None:
    """Stop (one line, non-zero exit) when the database reached is the register."""
    from cadastre.db import get_engine
    from cadastre.services.workspace import claim_for_training

    with Session(get_engine(url)) as session:
        claim_for_training(session)  # refuses before anything is written
        session.rollback()


@training_cli.command("scenarios")
@with_appcontext
def scenarios_list() -> None:
    """List the scenarios shipped in fixtures/training/."""
    from cadastre.training.scenarios import load_all

    for s in load_all(registry().profile):
        click.echo(f"{s.name}: {s.title} ({len(s.tasks)} tasks, {len(s.trainees)} trainees)")


@training_cli.command("reset")
@click.option(
    "--scenario", "name", default=None, help="Scenario to load (default: the loaded one)."
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day the scenario starts (default: today, UTC).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only when no scenario is loaded yet (so `make run` never wipes trainees' work).",
)
@with_appcontext
def reset(name: str | None, as_of, if_empty: bool) -> None:
    """Restore the training register to a scenario's exact starting state."""
    from cadastre.db import check_database, get_engine
    from cadastre.db_roles import url_user
    from cadastre.migrate import upgrade_and_grant
    from cadastre.progress import Progress
    from cadastre.services.document_store import FileStore
    from cadastre.training.reset import load_state, register_digest, reset_register
    from cadastre.training.scenarios import load_scenario, scenario_names

    reg = registry()
    url = _owner_training_url()
    check_database(url)
    # Judged by what the database says it is, after connecting: a URL may name the
    # register another way (localhost for 127.0.0.1, another user, a service alias).
    _refuse_unless_training(url)
    upgrade_and_grant(url, url_user(reg.settings.training_database_url), reg.profile)
    engine = get_engine(url)
    with Session(engine) as session:
        current = load_state(session)
        if if_empty and current is not None:
            click.echo(f"training workspace already holds scenario '{current.scenario}'; kept")
            return
        if name is None:
            name = current.scenario if current else scenario_names()[0]
        scenario = load_scenario(name, reg.profile)
        progress = Progress(f"training reset {name}")
        day: date | None = as_of.date() if as_of else None
        state = reset_register(
            session,
            reg.profile,
            scenario,
            world_atlas=reg.settings.world_atlas,
            store=FileStore(reg.settings.documents_dir),
            as_of=day,
            progress=progress,
        )
        session.commit()
        progress.finish()
        digest = register_digest(session)
    click.echo(f"training workspace reset to '{name}' as of {state.as_of.isoformat()}")
    click.echo(f"accounts: {', '.join(a.username for a in scenario.accounts)}")
    click.echo(f"state digest: {digest}")


@training_cli.command("pack")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--scenario", "name", default=None, help="Scenario (default: the loaded one).")
@click.option("--area", default=None, help="minlon,minlat,maxlon,maxlat (default: the scenario's).")
@click.option("--max-zoom", type=click.IntRange(6, 14), default=12, show_default=True)
@with_appcontext
def pack(out: str, name: str | None, area: str | None, max_zoom: int) -> None:
    """Write an offline pack: OUT.gpkg (styled layers) and OUT.mbtiles (vector tiles)."""
    from cadastre.db import get_engine
    from cadastre.progress import Progress
    from cadastre.training.pack import parse_bbox, write_pack
    from cadastre.training.reset import load_state
    from cadastre.training.scenarios import load_scenario

    reg = registry()
    url = _training_url()
    bbox = parse_bbox(area) if area else None
    with Session(get_engine(url)) as session:
        state = load_state(session)
        if state is None:
            raise ConfigurationError(
                "The training database is empty: run `cadastre training reset`."
            )
        name = name or state.scenario
        if name != state.scenario:
            raise ConfigurationError(
                f"The training register holds '{state.scenario}', not '{name}': "
                f"run `cadastre training reset --scenario {name}` first."
            )
        scenario = load_scenario(name, reg.profile)
        progress = Progress("vector tiles")
        result = write_pack(
            session, reg.profile, scenario, out, bbox=bbox, maxzoom=max_zoom, progress=progress
        )
        progress.finish()
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    click.echo(f"{result.gpkg}: {counts}; QGIS styles in layer_styles")
    click.echo(f"{result.mbtiles}: {result.tiles} vector tiles, zooms 6-{result.maxzoom}")
