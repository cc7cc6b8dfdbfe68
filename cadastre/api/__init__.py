"""The registry JSON API under ``/api``: holders, licences, actions, history, availability."""

from cadastre.api import history, holders, licences, notices, openapi  # noqa: F401  (routes)
from cadastre.api.blueprint import bp

__all__ = ["bp"]
