"""Granting a licence in the page tests: its application walked through every stage of its
procedure (``services.procedure_walk``), as the officers would, for tests whose purpose is
something after the grant (a renewal, a notice, a transfer, a certificate)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadastre.domain.licence_rules import add_years
from cadastre.services.document_store import FileStore
from cadastre.services.licences import get_licence
from cadastre.services.procedure_walk import walk_procedure


def walk_to_grant(session, profile, licence_id: int, documents_dir: str, *, at=None, until=None):
    """Complete the application's stages in order (up to ``until``; all: the licence is
    granted), its documents put on file in ``documents_dir`` and its payments made. The
    licence as it ends; flushed, not committed."""
    lic = walk_procedure(
        session, profile, licence_id, store=FileStore(documents_dir), at=at, until=until
    )
    session.flush()
    return lic


def walked_near_expiry(session, profile, licence_id: int, documents_dir: str, days_left=20):
    """Walk the application to its grant so long ago that it expires in ``days_left`` days:
    today lies inside its renewal window (the profile's windows all close on the expiry)."""
    spec = profile.licence_type(get_licence(session, licence_id).licence_type)
    expires = datetime.now(UTC) + timedelta(days=days_left)
    when = expires.replace(year=add_years(expires.date(), -spec.term_years).year)
    return walk_to_grant(session, profile, licence_id, documents_dir, at=when)


def walk_committed(database_url: str, licence_id: int, *, until=None, at=None):
    """``walk_to_grant`` in its own committed unit of work (a browser test's live server
    reads it): the licence's (status, stage) as the walk leaves it."""
    from cadastre.config import Settings
    from cadastre.db import session_factory, unit_of_work
    from cadastre.profile import load_profile

    settings = Settings.from_env(database_url=database_url)
    profile = load_profile(settings.profile)
    with unit_of_work(session_factory(database_url)) as s:
        lic = walk_to_grant(s, profile, licence_id, settings.documents_dir, until=until, at=at)
        return lic.status, lic.stage
