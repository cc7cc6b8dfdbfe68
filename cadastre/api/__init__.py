"""The registry JSON API under ``/api``: holders, licences, actions, history, availability."""

from cadastre.api import (  # noqa: F401  (views register themselves on bp)
    deadlines,
    default_notices,
    documents,
    history,
    holders,
    licences,
    money,
    notices,
    obligations,
    openapi,
    procedure,
    reports,
)
from cadastre.api.blueprint import bp

__all__ = ["bp"]
