"""The licence page's Procedure section: every stage of the licence type's procedure in order
(complete, current, waiting), who completed each and when, what each requires, what the file
still lacks for the current one, and the "Complete this stage" form for a user whose role may
complete it. Also which of the lifecycle's decision buttons the page may still offer: none
that the procedure forbids (the stage form takes the decision instead)."""

from __future__ import annotations

from datetime import datetime

from flask_login import current_user
from sqlalchemy.orm import Session

from cadastre.domain.procedure import FIELDS, PAYMENTS, STAGE_ACTIONS, Stage
from cadastre.domain.roles import role_allows
from cadastre.forms.stages import StageForm
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services.procedure import procedure_view

#: The stage form's prefix: its fields are ``stage-note``, ``stage-version``.
PREFIX = "stage"


def in_procedure(profile: Profile, lic: Licence) -> bool:
    """Whether the file waits at a stage of its procedure (the stages decide it, not buttons)."""
    return (
        lic.stage is not None
        and lic.status in ("application", "approved")
        and profile.procedure(lic.licence_type) is not None
    )


def decision_actions(profile: Profile, lic: Licence, actions: list[str]) -> list[str]:
    """``actions`` less the decisions the procedure forbids the buttons to take: while the file
    waits at a stage, no approve, grant or finalise (the stage form takes them), and a refusal
    only where the current stage allows one; withdrawal always."""
    if not in_procedure(profile, lic):
        return actions
    stage = profile.procedure(lic.licence_type).stage(lic.stage)
    refusable = stage is not None and stage.refusal
    return [a for a in actions if a not in STAGE_ACTIONS and (a != "refuse" or refusable)]


def requires_words(stage: Stage) -> list[str]:
    """What ``stage`` needs on file, in words."""
    words = [f"a current {kind.replace('_', ' ')} document" for kind in stage.documents]
    words += [FIELDS.get(name, name) for name in stage.fields]
    if stage.payment:
        words.append(PAYMENTS.get(stage.payment, stage.payment))
    return words


def _when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC") if iso else ""


def procedure_context(
    session: Session, profile: Profile, lic: Licence, form: StageForm | None = None
) -> dict:
    """What the Procedure section shows (``procedure`` None: the type has no procedure)."""
    procedure = profile.procedure(lic.licence_type)
    if procedure is None:
        return {"procedure": None, "stage_form": None, "current_row": None}
    view = procedure_view(session, profile, lic.id)
    current_row = None
    for row in view["stages"]:
        row["completed_when"] = _when(row.get("completed_at"))
        row["requires_words"] = requires_words(procedure.stage(row["name"]))
        if row["status"] == "current":
            current_row = row
    may_complete = current_row is not None and role_allows(
        current_user.role, tuple(current_row["roles"])
    )
    if may_complete:
        if form is None:
            form = StageForm(prefix=PREFIX, formdata=None)
        form.version.data = str(lic.version)
    shown = view["current_stage"] is not None or any(
        row["status"] == "complete" for row in view["stages"]
    )
    return {
        "procedure": view if shown else None,
        "stage_form": form if may_complete else None,
        "current_row": current_row,
    }
