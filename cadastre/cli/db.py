"""CLI: migrate the database, load boundaries, load the demo register."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cadastre.db import check_database, unit_of_work
from cadastre.progress import Progress
from cadastre.services.workspace import claim_for_register
from cadastre.state import registry

db_cli = click.Group("db", help="Database schema.")
boundaries_cli = click.Group("boundaries", help="International boundaries and land borders.")
fixtures_cli = click.Group("fixtures", help="Demo data.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database schema with Alembic (as the owner) and mark it the register."""
    from sqlalchemy.orm import Session

    from cadastre.db import get_engine
    from cadastre.db_roles import grant_app_role, url_user
    from cadastre.migrate import upgrade

    settings = registry().settings
    url = settings.owner_url()
    check_database(url)
    app_role = url_user(settings.database_url)
    profile = registry().profile if revision == "head" else None  # types need the head schema
    upgrade(url, revision, app_role=app_role, profile=profile)
    with Session(get_engine(url)) as session:
        claim_for_register(session)
        # Again after the migrations: the role may have been created since they ran.
        granted = bool(app_role) and grant_app_role(session.connection(), app_role)
        session.commit()
    click.echo(f"database at revision {revision}")
    if granted:
        click.echo(f"application role {app_role}: row rights granted", err=True)


def boundaries_changed(session) -> None:
    """Hook run after a boundary data set comes into force (border flags are recomputed)."""
    from cadastre.services.border import recompute_all

    recompute_all(
        session,
        registry().profile,
        progress=Progress("border recompute"),
        reason="boundary data set changed",
    )


@boundaries_cli.command("load")
@with_appcontext
def boundaries_load() -> None:
    """Load Natural Earth 1:10m (npm world-atlas@2.0.2) countries and land borders."""
    from cadastre.services.boundaries import load_natural_earth

    reg = registry()
    check_database(reg.settings.database_url)
    click.echo(f"reading {reg.settings.world_atlas}", err=True)
    with unit_of_work(reg.sessions) as session:
        claim_for_register(session)
        result = load_natural_earth(session, reg.profile, reg.settings.world_atlas)
        if result.created:
            boundaries_changed(session)
    state = "loaded" if result.created else "already loaded, unchanged"
    click.echo(
        f"{result.dataset.label}: {state} ({result.countries} countries, "
        f"{result.borders} land borders)"
    )


@boundaries_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--source", required=True, help="Name of the data set, e.g. 'NMA official 2025'.")
@click.option("--version", "version", default=None, help="Version label (default: checksum).")
@click.option("--uncertainty-km", type=float, default=0.5, show_default=True)
@click.option("--iso-field", default=None, help="Column with ISO 3166 alpha-3 codes.")
@with_appcontext
def boundaries_import(path, source, version, uncertainty_km, iso_field) -> None:
    """Import an official boundary file (GeoJSON, GeoPackage, Shapefile) and put it in force."""
    from cadastre.services.boundaries import import_boundary_file

    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        claim_for_register(session)
        result = import_boundary_file(
            session,
            reg.profile,
            path,
            source=source,
            version=version,
            uncertainty_km=uncertainty_km,
            iso_field=iso_field,
        )
        if result.created:
            boundaries_changed(session)
    click.echo(
        f"{result.dataset.label}: {result.countries} countries, "
        f"{result.borders} land borders, now in force"
    )


@fixtures_cli.command("load")
@with_appcontext
def fixtures_load() -> None:
    """Create the demo register (only into an empty register, so it is safe to repeat)."""
    from cadastre.services.demo import build_demo_register, demo_loaded
    from cadastre.services.document_store import FileStore

    reg = registry()
    check_database(reg.settings.database_url)
    with unit_of_work(reg.sessions) as session:
        claim_for_register(session)
        existing = demo_loaded(session)
        if existing:
            click.echo(f"register already holds {existing} licences; demo not loaded again")
            return
        progress = Progress("demo register")
        store = FileStore(reg.settings.documents_dir)
        made = build_demo_register(session, reg.profile, store=store, progress=progress)
        progress.finish()
    click.echo(f"demo register: {made} licences")
