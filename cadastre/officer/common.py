"""Helpers shared by the officer pages: units of work, field errors, labels."""

from __future__ import annotations

from cadastre.db import unit_of_work
from cadastre.state import registry


def work():
    """One unit of work (commit on success, roll back on error)."""
    return unit_of_work(registry().sessions)


def reading():
    """A read-only session."""
    return registry().sessions()


def field_errors(errors: list[dict] | None) -> dict[str, list[str]]:
    """Group ``[{field, message}]`` by field for the templates."""
    grouped: dict[str, list[str]] = {}
    for item in errors or []:
        grouped.setdefault(str(item.get("field") or "_form"), []).append(str(item.get("message")))
    return grouped
