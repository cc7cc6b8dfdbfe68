"""Flask-WTF forms for the officer and admin pages (each carries a CSRF token)."""

from cadastre.forms.forms import (
    ActionForm,
    HolderEditForm,
    HolderForm,
    LicenceForm,
    LoginForm,
    NoticeForm,
    PasswordResetForm,
    RemedyForm,
    UserForm,
    options,
)

__all__ = [
    "ActionForm",
    "HolderEditForm",
    "HolderForm",
    "LicenceForm",
    "LoginForm",
    "NoticeForm",
    "PasswordResetForm",
    "RemedyForm",
    "UserForm",
    "options",
]
