"""The forms themselves; choices that depend on the profile are set by the views."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cadastre.domain.roles import ROLES
from cadastre.models.holders import HOLDER_KINDS


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


KIND_CHOICES = options((k, k.capitalize()) for k in HOLDER_KINDS)
#: A cooperative's members: all citizens, not all, or not recorded.
CITIZEN_MEMBER_CHOICES = options(
    [("", "Not recorded"), ("yes", "Yes, all are citizens"), ("no", "No")]
)


class CadastreForm(FlaskForm):
    """Every form of the pages: a NUL character in any field is refused beside that field
    (PostgreSQL cannot store one), so the form comes back with everything kept."""

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation, then a NUL check on every field."""
        from cadastre.input_guard import NUL_MESSAGE, has_nul

        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, (str, list)) and has_nul(field.data):
                field.errors = [*field.errors, f"This {NUL_MESSAGE}; remove it."]
                valid = False
        return valid


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier than a multi-select on a tablet)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(CadastreForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class HolderForm(CadastreForm):
    """A new holder: company, individual or cooperative."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=KIND_CHOICES)
    registration_number = StringField(
        "Registration number", validators=[Optional(), Length(max=60)]
    )
    nationality = StringField("Nationality", validators=[Optional(), Length(max=60)])
    citizen_members = SelectField(
        "Members all citizens?", choices=CITIZEN_MEMBER_CHOICES, default=""
    )
    local_ownership_pct = StringField(
        "Share owned by citizens (%)", validators=[Optional(), Length(max=10)]
    )
    address = TextAreaField("Address", validators=[Optional(), Length(max=1000)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    email = StringField("Email", validators=[Optional(), Length(max=200)])
    confirm_duplicate = BooleanField("Register anyway: this is a different holder")


class HolderEditForm(HolderForm):
    """A holder's details changed: the version edited and, for identity changes, a reason."""

    version = HiddenField()
    reason = TextAreaField("Reason for the change", validators=[Optional(), Length(max=2000)])


class LicenceForm(CadastreForm):
    """An application: holder (existing or new), type, commodities and the area."""

    holder_mode = RadioField(
        "Holder",
        choices=options([("existing", "An existing holder"), ("new", "A new holder")]),
        default="existing",
    )
    #: Search as you type (web/static/js/holder-picker.js), or "Find" without scripts: the
    #: choices are the chosen holder and at most 20 matches, never every holder.
    holder_q = StringField("Find a holder", validators=[Length(max=100)])
    holder_id = RadioField("Existing holder", coerce=str, validate_choice=False)
    new_holder_name = StringField("New holder's name", validators=[Length(max=200)])
    new_holder_kind = SelectField("New holder's kind", choices=KIND_CHOICES)
    new_holder_registration = StringField(
        "New holder's registration number", validators=[Length(max=60)]
    )
    new_holder_nationality = StringField(
        "New holder's nationality (an individual's)", validators=[Length(max=60)]
    )
    licence_type = SelectField("Licence type", validate_choice=False)
    commodities = MultiCheckboxField("Commodities", validate_choice=False)
    district = StringField("District (optional)", validators=[Length(max=60)])
    # Artisanal mining on another holder's ground, with that holder's consent (the Act's one
    # exception to first come, first served; services.consents decides).
    consent_licence = StringField(
        "Overlapped licence whose holder consents (its code)", validators=[Length(max=40)]
    )
    consent_given_on = StringField("Consent given on (YYYY-MM-DD)", validators=[Length(max=10)])
    consent_document = StringField("Consent document (reference)", validators=[Length(max=200)])
    area_method = RadioField(
        "How will you give the area?",
        choices=options(
            [
                ("corners", "Type the corners"),
                ("upload", "Upload a file"),
                ("draw", "Draw on the map"),
            ]
        ),
        default="corners",
    )
    notation = SelectField(
        "Corner notation",
        choices=options(
            [
                ("auto", "Work it out from the numbers"),
                ("dd", "Decimal degrees (lat, lon)"),
                ("dms", "Degrees, minutes, seconds"),
                ("utm28", "UTM zone 28N (easting northing)"),
                ("utm29", "UTM zone 29N (easting northing)"),
            ]
        ),
        default="auto",
    )
    corners = TextAreaField("Corners, one per line", validators=[Length(max=200_000)])
    upload = FileField("Boundary file (GeoJSON, KML, zipped Shapefile or GeoPackage)")
    uploaded_geometry = HiddenField()
    drawn_geometry = HiddenField("Drawn area (GeoJSON)")


class ActionForm(CadastreForm):
    """A lifecycle action: always a reason; some need a new holder or a kept area."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=4000)])
    version = HiddenField()
    holder_id = SelectField("New holder", coerce=str, validate_choice=False)
    kept_corners = TextAreaField("Kept area corners (leave empty to give up everything)")
    notation = SelectField(
        "Corner notation",
        choices=options(
            [
                ("auto", "Work it out"),
                ("dd", "Decimal degrees"),
                ("dms", "DMS"),
                ("utm28", "UTM 28N"),
                ("utm29", "UTM 29N"),
            ]
        ),
        default="auto",
    )


class NoticeForm(CadastreForm):
    """A notice before suspension or revocation: the breach (the remedy period is the law's)."""

    breach = TextAreaField("The breach", validators=[DataRequired(), Length(max=4000)])
    cause = TextAreaField("Cause (leave as it is for the standard wording)", [Length(max=4000)])
    version = HiddenField()


class RemedyForm(CadastreForm):
    """Mark a notice remedied, with an optional note of how."""

    note = TextAreaField("How was it remedied? (optional)", validators=[Length(max=4000)])
    version = HiddenField()


class UserForm(CadastreForm):
    """A new user (or a new role for an existing one)."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    role = SelectField(
        "Role", choices=options((r, r.capitalize()) for r in ROLES), default="viewer"
    )
    password = PasswordField("Password (at least 8 characters)", validators=[DataRequired()])


class PasswordResetForm(CadastreForm):
    """A new password for a user."""

    user_id = HiddenField(validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired()])
