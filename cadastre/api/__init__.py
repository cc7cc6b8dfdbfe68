"""The registry JSON API under ``/api``: holders, licences, actions, history, availability."""

from cadastre.api import history, holders, licences, money, notices, openapi  # noqa: F401
from cadastre.api.blueprint import bp

__all__ = ["bp"]
