"""The registry state every request and command reads: settings, profile, sessions.

Kept apart from the app factory (``cadastre.app``) so views and commands can reach it
without importing the module that imports them (the flaskr ``get_db`` idea).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from cadastre.config import Settings
from cadastre.profile import Profile

EXTENSION = "cadastre"


@dataclass
class Registry:
    """What every request needs: settings, the jurisdiction profile, sessions."""

    settings: Settings
    profile: Profile
    sessions: sessionmaker[Session]


def init_app(app: Flask, state: Registry) -> None:
    """Attach the registry state to an app."""
    app.extensions[EXTENSION] = state


def registry() -> Registry:
    """The registry state of the current app."""
    return current_app.extensions[EXTENSION]
