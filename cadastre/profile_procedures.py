"""The profile's ``procedures`` section read into ``domain.procedure.Procedure`` per licence
type (file, key, problem on any fault). Kept apart from ``profile.py`` so the shape of a
procedure reads in one place."""

from __future__ import annotations

from datetime import date
from typing import Any

from cadastre.domain.documents import DOCUMENT_KINDS
from cadastre.domain.procedure import (
    COUNTS,
    FIELDS,
    PAYMENTS,
    STAGE_ACTIONS,
    Clock,
    Procedure,
    Stage,
)
from cadastre.domain.roles import ROLES

_STAGE_KEYS = {"name", "label", "roles", "officer", "requires", "action", "refusal"}
_REQUIRES = {"documents", "fields", "payment"}
_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def procedures(
    r: Any, data: dict | None, type_names: set[str], decision_days: int
) -> dict[str, Procedure]:
    """The ``procedures`` section (absent: no type has stages; decisions are taken at once)."""
    if data is None:
        return {}
    where = "procedures"
    holidays = frozenset(_day(r, d, f"{where}.holidays") for d in data.get("holidays") or [])
    found = {}
    for name, spec in data.items():
        if name == "holidays":
            continue
        at = f"{where}.{name}"
        if name not in type_names:
            raise r.fail(at, "is not a licence type of the profile")
        if not isinstance(spec, dict):
            raise r.fail(at, "must be a mapping with 'stages' and 'clock'")
        found[name] = _procedure(r, name, spec, at, decision_days, holidays)
    return found


def _procedure(r, name, spec, where, decision_days, holidays) -> Procedure:
    raw = r.get(spec, "stages", list, where)
    if not raw:
        raise r.fail(f"{where}.stages", "must list at least one stage")
    stages = tuple(_stage(r, s, f"{where}.stages[{i}]") for i, s in enumerate(raw))
    names = [s.name for s in stages]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise r.fail(f"{where}.stages[{i}].name", f"'{n}' names two stages")
    if stages[-1].action not in ("grant", "finalise"):
        raise r.fail(
            f"{where}.stages[{len(stages) - 1}].action",
            "the last stage must grant or finalise the licence (action: grant or finalise)",
        )
    clock = _clock(r, r.opt(spec, "clock", dict, where, {}) or {}, f"{where}.clock", names,
                   decision_days, holidays)  # fmt: skip
    return Procedure(name, stages, clock)


def _stage(r, spec, where) -> Stage:
    if not isinstance(spec, dict):
        raise r.fail(where, "must be a mapping (name, label, roles, requires, ...)")
    unknown = sorted(set(spec) - _STAGE_KEYS)
    if unknown:
        raise r.fail(
            f"{where}.{unknown[0]}", f"is not a stage key ({', '.join(sorted(_STAGE_KEYS))})"
        )
    name = r.get(spec, "name", str, where)
    if not name or not set(name) <= _NAME_OK:
        raise r.fail(f"{where}.name", f"{name!r}: use lower-case letters, digits and _")
    roles = tuple(r.get(spec, "roles", list, where))
    for role in roles:
        if role not in ROLES:
            raise r.fail(f"{where}.roles", f"'{role}' is not a role ({', '.join(ROLES)})")
    if not roles:
        raise r.fail(f"{where}.roles", "must name at least one role")
    action = r.opt(spec, "action", str, where, None)
    if action is not None and action not in STAGE_ACTIONS:
        raise r.fail(f"{where}.action", f"'{action}' is not one of {', '.join(STAGE_ACTIONS)}")
    req = r.opt(spec, "requires", dict, where, {}) or {}
    bad = sorted(set(req) - _REQUIRES)
    if bad:
        raise r.fail(
            f"{where}.requires.{bad[0]}", f"is not a requirement ({', '.join(sorted(_REQUIRES))})"
        )
    documents = tuple(r.opt(req, "documents", list, f"{where}.requires", []) or [])
    for kind in documents:
        if kind not in DOCUMENT_KINDS:
            raise r.fail(
                f"{where}.requires.documents",
                f"'{kind}' is not a document kind ({', '.join(DOCUMENT_KINDS)})",
            )
    fields = tuple(r.opt(req, "fields", list, f"{where}.requires", []) or [])
    for f in fields:
        if f not in FIELDS:
            raise r.fail(f"{where}.requires.fields", f"'{f}' is not a field ({', '.join(FIELDS)})")
    payment = r.opt(req, "payment", str, f"{where}.requires", None)
    if payment is not None and payment not in PAYMENTS:
        raise r.fail(
            f"{where}.requires.payment", f"'{payment}' is not one of {', '.join(PAYMENTS)}"
        )
    return Stage(
        name=name,
        label=str(r.get(spec, "label", str, where)).strip(),
        roles=roles,
        officer=str(r.opt(spec, "officer", str, where, "")).strip(),
        documents=documents,
        fields=fields,
        payment=payment,
        action=action,
        refusal=bool(r.opt(spec, "refusal", bool, where, False)),
    )  # fmt: skip


def _clock(r, spec, where, names, decision_days, holidays) -> Clock:
    count = r.opt(spec, "count", str, where, "calendar")
    if count not in COUNTS:
        raise r.fail(f"{where}.count", f"'{count}' is not one of {', '.join(COUNTS)}")
    until = r.opt(spec, "until", str, where, None)
    if until is None:
        until = names[-1]
    elif until not in names:
        raise r.fail(f"{where}.until", f"'{until}' is not a stage of this procedure")
    days = int(r.opt(spec, "days", int, where, decision_days))
    if days < 1:
        raise r.fail(f"{where}.days", "must be at least 1")
    source = str(r.opt(spec, "source", str, where, "guess: not set in the profile")).strip()
    return Clock(days=days, count=count, until=until, source=source, holidays=holidays)


def _day(r, value, where) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise r.fail(where, f"{value!r} is not a date") from None
