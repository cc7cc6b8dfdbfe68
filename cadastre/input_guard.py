"""Refuse input the database cannot take, at the edge, before any view runs.

PostgreSQL refuses a NUL character in text and numbers past its ``integer`` in an id
column; either reached a query as an unhandled driver error (a 500). One ``before_request``
hook looks at every query-string and form value (and JSON strings outside ``/api``, whose
bodies the API checks itself) and at the URL's own numbers, so no view needs its own patch:
a NUL is a 400 naming the field, an id no row can have is a 404. The officer and admin
pages' forms are left to their WTForms base (cadastre/forms), which redisplays the form
with the message beside the field. A value the database still refuses (a ``DataError``
no check caught) is a 422 in our words, never the driver's.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from sqlalchemy.exc import DataError

from cadastre.errors import CadastreError, NotFound, ValidationError
from cadastre.services.history import MAX_ID


def has_nul(value: Any) -> bool:
    """Whether a string, or any string inside a JSON value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def record_id(text: str | None) -> int | None:
    """The id a form field names (ASCII digits, within the id columns' range), else None."""
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None  # "²" and "١" are digits to str.isdigit but not to int()
    value = int(text)
    return value if 0 < value <= MAX_ID else None


#: Said of a value holding a NUL, here and beside a form's field.
NUL_MESSAGE = "contains a NUL character (\\0), which the register cannot store"
#: Blueprints whose form posts all go through a WTForms form (cadastre/forms): it refuses a
#: NUL beside the field and redisplays the form, which is kinder than an error page.
FORM_PAGES = {"officer", "admin"}


def _nul_refused(field: str) -> CadastreError:
    return CadastreError(
        f"The value of '{field}' {NUL_MESSAGE}; remove it and send again.",
        errors=[{"field": field, "message": NUL_MESSAGE}],
    )


def _field_with_nul(pairs) -> str | None:
    for key, value in pairs:
        if has_nul(key) or has_nul(value):
            return key.replace("\x00", "\\0")
    return None


def check_request() -> None:
    """Refuse NUL characters anywhere in the input and ids beyond the register's range."""
    if "\x00" in request.path:
        raise _nul_refused("path")
    for key, value in (request.view_args or {}).items():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            raise NotFound(f"Nothing here has {key} {value}: beyond any id the register uses.")
    field = _field_with_nul(request.args.items(multi=True))
    if field is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.blueprint not in FORM_PAGES:
            field = _field_with_nul(request.form.items(multi=True))
        if field is None:
            field = _field_with_nul((k, f.filename or "") for k, f in request.files.items())
        if field is None and request.is_json and request.blueprint != "api":
            if has_nul(request.get_json(silent=True)):
                field = "body"
    if field is not None:
        raise _nul_refused(field)


def _value_refused(error: DataError):
    """A value the database could not hold that no check caught: 422 in our words (the
    driver's text names tables, types and values), rendered as the view's surface renders
    errors (an HTML page for the officer pages, problem+json elsewhere)."""
    current_app.logger.warning("Refused a value the database cannot hold: %s", error.orig)
    return current_app.handle_user_exception(
        ValidationError(
            "A value is too long or out of range for the register; nothing was stored.",
            errors=[{"field": "", "message": "too long or out of range"}],
        )
    )


def init_app(app: Flask) -> None:
    """Run the check before every request of ``app``; answer what slips past it with a 422."""
    app.before_request(check_request)
    app.register_error_handler(DataError, _value_refused)
