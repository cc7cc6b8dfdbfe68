"""The ``licence_types`` table kept equal to the profile (the one place that writes it).

``sync_licence_types`` runs as the owner in ``cadastre db upgrade`` and ``cadastre training
reset`` (through ``cadastre.migrate.upgrade``): an idempotent upsert of every type the profile
lists (label, colour, order, offered), and types the profile no longer lists, which licences
may still name, are kept and marked not offered. The application's role may only read the
table; ``missing_licence_types`` lets ``cadastre serve`` refuse a profile whose types were
never copied ("run cadastre db upgrade") rather than fail on the first application.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cadastre.errors import ConfigurationError
from cadastre.models.licences import LicenceTypeRecord
from cadastre.profile import Profile


def sync_licence_types(session: Session, profile: Profile) -> None:
    """Upsert the profile's licence types; mark the others not offered. Does not commit."""
    rows = [
        {"name": t.name, "label": t.label, "colour": t.colour, "sort_order": i, "offered": True}
        for i, t in enumerate(profile.licence_types.values())
    ]
    stmt = insert(LicenceTypeRecord).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[LicenceTypeRecord.name],
            set_={
                "label": stmt.excluded.label,
                "colour": stmt.excluded.colour,
                "sort_order": stmt.excluded.sort_order,
                "offered": True,
            },
        )
    )
    session.execute(
        update(LicenceTypeRecord)
        .where(LicenceTypeRecord.name.not_in(list(profile.licence_types)))
        .values(offered=False)
    )


def missing_licence_types(session: Session, profile: Profile) -> list[str]:
    """The profile's types the table lacks or holds as not offered (empty when in step)."""
    offered = set(session.scalars(select(LicenceTypeRecord.name).where(LicenceTypeRecord.offered)))
    return [name for name in profile.licence_types if name not in offered]


def stored_licence_types(session: Session) -> list[LicenceTypeRecord]:
    """Every type the register knows, offered or not, in the profile's order."""
    return list(
        session.scalars(
            select(LicenceTypeRecord).order_by(LicenceTypeRecord.sort_order, LicenceTypeRecord.name)
        )
    )


def check_licence_types(url: str, profile: Profile) -> None:
    """Raise ConfigurationError when the database at ``url`` lacks a type the profile offers."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    # Its own unpooled engine: the server's workers must not inherit an open connection.
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            missing = missing_licence_types(session, profile)
    finally:
        engine.dispose()
    if missing:
        raise ConfigurationError(
            f"Profile {profile.path}: licence type(s) {', '.join(missing)} are not in the "
            "database's licence_types; run `cadastre db upgrade` to copy them from the profile."
        )
