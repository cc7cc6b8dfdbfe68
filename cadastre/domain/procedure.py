"""The law's procedure for an application: its stages in order, who completes each, what
each needs, where a refusal may be made, and the clock a decision runs against.

A procedure is data in the profile (``procedures:``, read by ``cadastre.profile_procedures``).
A stage is either a step of the file (a survey, a check, an agreement on file) or one of the
lifecycle's decisions (``approve``, ``grant``, ``finalise``): completing that stage takes the
decision. The rules here are pure: the caller says what the file holds (``FileFacts``), and
gets the stage it may complete or an error saying exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from cadastre.domain.lifecycle import past_tense
from cadastre.domain.roles import refusal as role_refusal
from cadastre.domain.roles import role_allows
from cadastre.errors import Conflict, Forbidden

#: Lifecycle decisions a stage may take (``domain.lifecycle``).
STAGE_ACTIONS = ("approve", "grant", "finalise")
#: What a stage may ask to be paid: the application fee, or everything owed before grant.
PAYMENTS = {
    "application_fee": "the application fee paid",
    "before_grant": "the application fee and the first annual charge paid",
}
#: Fields of the file a stage may ask to be filled in, and how a message names them.
FIELDS = {
    "district": "the district",
    "commodities": "the commodities",
    "holder": "the holder",
}
#: How the clock counts: every day, or Monday to Friday less the profile's public holidays.
COUNTS = ("calendar", "business")


@dataclass(frozen=True)
class Stage:
    """One step of a procedure."""

    name: str
    label: str
    #: Roles that may complete it (any one; the ladder applies: a supervisor does an officer's).
    roles: tuple[str, ...]
    #: Who does it in the agency's words ("Mines Warden"), shown beside the stage.
    officer: str = ""
    #: Kinds of document that must be on file (current, not superseded).
    documents: tuple[str, ...] = ()
    #: Fields that must be filled in (``FIELDS``).
    fields: tuple[str, ...] = ()
    #: What must be paid (``PAYMENTS``), or None.
    payment: str | None = None
    #: The lifecycle decision completing this stage takes (``STAGE_ACTIONS``), or None.
    action: str | None = None
    #: Whether the application may be refused while it waits at this stage.
    refusal: bool = False

    def requires(self) -> list[str]:
        """What the stage needs, in words, for the procedure view."""
        needs = [f"document: {kind}" for kind in self.documents]
        needs += [f"field: {name}" for name in self.fields]
        if self.payment:
            needs.append(f"payment: {self.payment}")
        return needs


@dataclass(frozen=True)
class Clock:
    """The time the law gives for a decision: ``days`` from receipt, counted as ``count``
    says, until the stage named ``until`` is completed."""

    days: int
    count: str = "calendar"
    until: str = ""
    #: Where the rule comes from (or ``guess: ...``), shown with the due date.
    source: str = ""
    holidays: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Procedure:
    """The stages of one licence type's procedure, in order, and its decision clock."""

    licence_type: str
    stages: tuple[Stage, ...]
    clock: Clock

    def stage(self, name: str) -> Stage | None:
        """The stage called ``name``, or None."""
        return next((s for s in self.stages if s.name == name), None)

    def position(self, name: str) -> int:
        """The stage's place, 1-based (0 for a name the procedure lacks)."""
        for i, s in enumerate(self.stages, 1):
            if s.name == name:
                return i
        return 0

    @property
    def first(self) -> Stage:
        """The stage a new application starts at."""
        return self.stages[0]

    def after(self, name: str) -> str | None:
        """The name of the stage after ``name``; None after the last."""
        i = self.position(name)
        return self.stages[i].name if 0 < i < len(self.stages) else None


@dataclass(frozen=True)
class FileFacts:
    """What an application's file holds, as the stage rules need it."""

    documents: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    #: Payments the file has made (keys of ``PAYMENTS``).
    paid: frozenset[str] = frozenset()
    #: Unpaid orders in words, for the message ("OP-2026-000012 (250.00 SLE)").
    unpaid: tuple[str, ...] = ()


def decision_due(clock: Clock, received: date) -> date:
    """The last day for the decision on an application received on ``received``."""
    if clock.count == "calendar":
        return received + timedelta(days=clock.days)
    day, left = received, clock.days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in clock.holidays:
            left -= 1
    return day


def missing(stage: Stage, facts: FileFacts) -> list[str]:
    """What the file lacks for ``stage``, in words (empty: nothing)."""
    lacks = [f"a current '{kind}' document on file" for kind in stage.documents
             if kind not in facts.documents]  # fmt: skip
    lacks += [FIELDS[name] for name in stage.fields if name not in facts.fields]
    if stage.payment and stage.payment not in facts.paid:
        owed = f" (unpaid: {'; '.join(facts.unpaid)})" if facts.unpaid else ""
        lacks.append(PAYMENTS[stage.payment] + owed)
    return lacks


def check_stage(
    procedure: Procedure, name: str, current: str | None, role: str | None, facts: FileFacts
) -> Stage:
    """The stage ``name`` if ``role`` may complete it now; else the error saying why.

    Out of order or unknown: 409 naming the stage the file waits at. The wrong role: 403
    naming who may. Requirements unmet: 409 listing each thing missing (``missing``).
    """
    stage = procedure.stage(name)
    names = [s.name for s in procedure.stages]
    if stage is None:
        raise Conflict(
            f"'{name}' is not a stage of the {procedure.licence_type} procedure. "
            f"Its stages: {', '.join(names)}.",
            extra={"stages": names, "current_stage": current},
        )
    check_order(procedure, stage, current)
    if role is not None:
        check_stage_role(stage, role)
    check_requirements(stage, facts)
    return stage


def check_order(procedure: Procedure, stage: Stage, current: str | None) -> None:
    """409 unless ``stage`` is the one the file waits at."""
    if current == stage.name:
        return
    if current is None:
        raise Conflict(
            f"This file is not waiting at any stage of the {procedure.licence_type} "
            "procedure (its procedure is over, or it is not an application).",
            extra={"current_stage": None},
        )
    done = procedure.position(stage.name) < procedure.position(current)
    waits = procedure.stage(current)
    where = f"stage {procedure.position(current)} of {len(procedure.stages)}"
    label = waits.label if waits else current
    if done:
        detail = f"Stage '{stage.name}' is already complete; the file waits at '{current}'"
    else:
        detail = f"Stage '{stage.name}' cannot be completed before '{current}'"
    raise Conflict(
        f"{detail} ({where}: {label}).",
        extra={"current_stage": current, "stage": stage.name},
    )


def check_stage_role(stage: Stage, role: str) -> None:
    """403 unless ``role`` may complete ``stage``."""
    why = role_refusal(role, stage.roles, f"complete the stage '{stage.name}'")
    if why:
        by = f" (the {stage.officer}'s step)" if stage.officer else ""
        raise Forbidden(
            why[:-1] + by + ".", extra={"stage": stage.name, "roles": list(stage.roles)}
        )


def check_requirements(stage: Stage, facts: FileFacts) -> None:
    """409 listing what the file lacks for ``stage``."""
    lacks = missing(stage, facts)
    if lacks:
        raise Conflict(
            f"Stage '{stage.name}' ({stage.label}) cannot be completed: the file lacks "
            + "; ".join(lacks)
            + ".",
            extra={"stage": stage.name, "missing": lacks},
        )


def check_refusal(procedure: Procedure, current: str | None) -> None:
    """409 when the application may not be refused at the stage it waits at."""
    stage = procedure.stage(current) if current else None
    if stage is None or stage.refusal:
        return
    where = [s.name for s in procedure.stages if s.refusal]
    raise Conflict(
        f"An application may not be refused at stage '{stage.name}' ({stage.label}). "
        f"It may be refused at: {', '.join(where) or 'no stage'}.",
        extra={"current_stage": stage.name, "refusal_stages": where},
    )


def decision_stage(procedure: Procedure, current: str | None, action: str) -> Stage:
    """The stage a lifecycle decision (``approve``, ``grant``, ``finalise``) taken on a file
    in its procedure completes: the stage it waits at, when that stage is a decision. A
    ``grant`` asked for at an ``approve`` stage approves (the licence is granted later)."""
    stage = procedure.stage(current) if current else None
    if stage is not None and stage.action is not None:
        if action == stage.action or (action == "grant" and stage.action in STAGE_ACTIONS):
            return stage
    position = procedure.position(current) if current else 0
    label = stage.label if stage else "none"
    takes = [s.name for s in procedure.stages if s.action is not None]
    raise Conflict(
        f"This application is in the {procedure.licence_type} procedure, waiting at "
        f"'{current}' (stage {position} of {len(procedure.stages)}: {label}); it cannot be "
        f"{past_tense(action)} until the stages before {', '.join(takes) or 'the decision'} "
        "are complete: complete each stage in turn (POST .../stages/{stage}).",
        extra={"current_stage": current, "decision_stages": takes},
    )


def stage_rows(procedure: Procedure, completed: dict[str, dict], current: str | None) -> list[dict]:
    """Each stage with its status (``complete``, ``current``, ``waiting``, ``skipped``),
    who completed it and when, and what it requires: the procedure view's body."""
    rows = []
    for i, stage in enumerate(procedure.stages, 1):
        done = completed.get(stage.name)
        if done:
            status = "complete"
        elif stage.name == current:
            status = "current"
        else:
            status = "waiting" if current else "not_reached"
        rows.append(
            {
                "name": stage.name,
                "position": i,
                "label": stage.label,
                "officer": stage.officer,
                "roles": list(stage.roles),
                "status": status,
                "completed_by": done.get("completed_by") if done else None,
                "completed_at": done.get("completed_at") if done else None,
                "requires": stage.requires(),
                "refusal_possible": stage.refusal,
                "action": stage.action,
            }
        )
    return rows


def role_stages(procedures: Iterable[Procedure], role: str) -> list[tuple[str, str]]:
    """(licence type, stage) pairs ``role`` may complete: its queue's "waiting for me"."""
    return [
        (p.licence_type, s.name) for p in procedures for s in p.stages if role_allows(role, s.roles)
    ]


__all__ = [
    "COUNTS",
    "FIELDS",
    "PAYMENTS",
    "STAGE_ACTIONS",
    "Clock",
    "FileFacts",
    "Procedure",
    "Stage",
    "check_refusal",
    "check_stage",
    "decision_due",
    "decision_stage",
    "missing",
    "role_stages",
    "stage_rows",
]
