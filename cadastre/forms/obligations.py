"""The licence page's obligation forms: record a receipt (with the document on file that
satisfies it), a waiver (with the reason) and a show-cause notice. The rules are
``services.obligations``'; the forms only carry what the officer chose or wrote."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from cadastre.forms.forms import CadastreForm


class ReceiveForm(CadastreForm):
    """Received: the licence's current document of the kind that satisfies the obligation."""

    document_id = SelectField("Document on the licence's file", choices=[], validate_choice=False)


class WaiveForm(CadastreForm):
    """Waived: the reason, printed in the history (required; the service says so)."""

    reason = TextAreaField("Reason for the waiver", validators=[Length(max=2000)])


class ShowCauseForm(CadastreForm):
    """A show-cause notice: the cause defaults to the profile's wording."""

    cause = TextAreaField("Cause (optional)", validators=[Length(max=4000)])
