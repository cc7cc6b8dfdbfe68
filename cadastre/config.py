"""Settings, read from ``CADASTRE_*`` environment variables in one place.

Nothing reads the environment at import time: ``Settings.from_env()`` is called by
``create_app`` (or by a test with overrides), so tests can build apps side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DATABASE_URL = "postgresql+psycopg://cadastre_app@127.0.0.1:5432/cadastre"


@dataclass(frozen=True)
class Settings:
    """Typed settings; each field maps to ``CADASTRE_<NAME>`` in the environment."""

    #: The application's connection: a role that owns nothing (``cadastre.db_roles``).
    database_url: str = DEFAULT_DATABASE_URL
    #: The schema owner's connection for migrations, training resets, backups and restores;
    #: empty means the application's URL with ``cadastre`` in place of ``cadastre_app``.
    owner_database_url: str = ""
    #: Jurisdiction profile: rules of the country as data.
    profile: str = str(ROOT / "fixtures" / "profiles" / "sierra-leone.yaml")
    #: Natural Earth TopoJSON from the npm package world-atlas@2.0.2.
    world_atlas: str = str(ROOT / "web" / "node_modules" / "world-atlas" / "countries-10m.json")
    #: Signs session cookies and CSRF tokens. Empty: a key generated once and kept in the
    #: database (table app_secrets), so every worker and restart signs alike.
    secret_key: str = ""
    #: Largest page the OGC API serves.
    max_page_size: int = 10000
    #: Public root of the server (``https://cadastre.example.gov``): absolute links in the
    #: map layers' documents are built from it. Empty: from the request's (allowed) host.
    base_url: str = ""
    #: Host names requests may name, comma-separated (``*``: any); empty means
    #: ``127.0.0.1,localhost``. The base URL's host is always allowed (cadastre.hosts).
    allowed_hosts: str = ""
    #: Optional raster basemap for the web map; empty means countries only (offline).
    basemap_url: str = ""
    #: Cookies marked Secure (set to 0 only for plain-http development off this machine;
    #: browsers accept Secure cookies from http://127.0.0.1 and http://localhost).
    secure_cookies: bool = True
    #: Failed sign-ins for one username within the window before it is locked.
    sign_in_account_limit: int = 5
    #: Failed sign-ins from one client address within the window before it is locked.
    sign_in_address_limit: int = 20
    #: The throttle's window in minutes: a lock ends when enough failures are this old.
    sign_in_window_minutes: int = 15
    #: Label shown on every page and export of a training workspace.
    workspace: str = "register"
    #: Database of the training workspace mounted under /training ("" to switch it off).
    training_database_url: str = (
        "postgresql+psycopg://cadastre_app@127.0.0.1:5432/cadastre_training"
    )
    #: Where documents on file are kept, by checksum (``ab/cd/abcd…``); back it up with
    #: the database: a row names its file by content, the file is only here.
    documents_dir: str = str(ROOT / "var" / "documents")
    #: Largest document taken, in bytes (larger uploads are refused unread, 413).
    max_document_bytes: int = 20 * 1024 * 1024
    #: The SMTP server ``cadastre notices run`` hands mail to (empty: no mail is sent;
    #: messages wait in the outbox). A local relay needs neither TLS nor a login.
    smtp_host: str = ""
    smtp_port: int = 25
    #: The From address of every message (``Mining Cadastre <cadastre@example.gov>``).
    smtp_from: str = ""
    #: A login, when the server asks for one (sent only over TLS unless TLS is "none").
    smtp_user: str = ""
    smtp_password: str = ""
    #: ``starttls`` (upgrade a plain connection), ``ssl`` (TLS from the start), ``none``.
    smtp_tls: str = "none"
    #: How long a worker's claim on a message lasts; a message still being sent after it
    #: (the worker died) is tried again.
    outbox_lease_seconds: int = 300
    #: Attempts at a message before it is marked failed and reported.
    outbox_max_attempts: int = 8
    #: The wait after the first failed attempt; it doubles with each further failure.
    outbox_retry_seconds: int = 60
    testing: bool = False

    def owner_url(self, url: str | None = None) -> str:
        """The owner's connection to ``url`` (default: the register's database)."""
        from cadastre.db_roles import owner_url

        if url is None and self.owner_database_url:
            return self.owner_database_url
        return owner_url(url or self.database_url, self.owner_database_url or None)

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
