"""Settings, read from ``CADASTRE_*`` environment variables in one place.

Nothing reads the environment at import time: ``Settings.from_env()`` is called by
``create_app`` (or by a test with overrides), so tests can build apps side by side.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DATABASE_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre"


@dataclass(frozen=True)
class Settings:
    """Typed settings; each field maps to ``CADASTRE_<NAME>`` in the environment."""

    database_url: str = DEFAULT_DATABASE_URL
    #: Jurisdiction profile: rules of the country as data.
    profile: str = str(ROOT / "fixtures" / "profiles" / "sierra-leone.yaml")
    #: Natural Earth TopoJSON from the npm package world-atlas@2.0.2.
    world_atlas: str = str(ROOT / "web" / "node_modules" / "world-atlas" / "countries-10m.json")
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    #: Largest page the OGC API serves.
    max_page_size: int = 10000
    #: Optional raster basemap for the web map; empty means countries only (offline).
    basemap_url: str = ""
    #: Cookies marked Secure (set to 0 only for plain-http local development).
    secure_cookies: bool = False
    #: Label shown on every page and export of a training workspace.
    workspace: str = "register"
    #: Database of the training workspace mounted under /training ("" to switch it off).
    training_database_url: str = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_training"
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Build settings from ``CADASTRE_*`` variables, then apply overrides."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"CADASTRE_{f.name.upper()}")
            if raw is None:
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            else:
                values[f.name] = raw
        return replace(cls(**values), **overrides)
