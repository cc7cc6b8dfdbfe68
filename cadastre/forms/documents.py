"""The form that puts a document on a licence's file; the checks are the document service's
(by content, ``domain.documents``): the form only carries the file and the words."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import Length

from cadastre.domain.documents import DOCUMENT_KINDS, MAX_TITLE
from cadastre.forms.forms import CadastreForm, options

KIND_CHOICES = options((k, k.replace("_", " ").capitalize()) for k in DOCUMENT_KINDS)


class DocumentForm(CadastreForm):
    """A document for the licence's file, perhaps replacing an older one."""

    file = FileField("File (PDF, PNG or JPEG)")
    kind = SelectField("What it is", choices=KIND_CHOICES, validate_choice=False)
    title = StringField("Title", validators=[Length(max=MAX_TITLE)])
    supersedes = SelectField("Replaces", coerce=str, validate_choice=False)
