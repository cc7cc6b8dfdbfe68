"""The form that completes the stage of its procedure an application waits at; the rules
are ``services.stages.complete_stage``'s: the form only carries the note and the version."""

from __future__ import annotations

from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from cadastre.forms.forms import CadastreForm


class StageForm(CadastreForm):
    """Complete the current stage; the note is kept with the stage and in the history."""

    version = HiddenField()
    note = TextAreaField("Note (optional)", validators=[Length(max=4000)])
