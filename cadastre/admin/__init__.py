"""Admin pages: users, their roles, passwords and sign-in access."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from cadastre.auth import WEB
from cadastre.errors import CadastreError
from cadastre.forms import PasswordResetForm, UserForm
from cadastre.input_guard import record_id
from cadastre.models import User
from cadastre.officer.common import field_errors, reading, work
from cadastre.officer.errors import register_html_errors
from cadastre.services.users import add_user, get_user, revoke_tokens, set_active, set_password

bp = Blueprint("admin", __name__, url_prefix="/admin")
register_html_errors(bp)


def _render(
    form=None,
    reset=None,
    errors=None,
    reset_errors=None,
    reset_for=None,
    status=200,
    access_error=None,
):
    with reading() as s:
        users = list(s.scalars(select(User).order_by(User.username)))
    return render_template(
        "admin/users.html",
        users=users,
        form=form or UserForm(formdata=None),
        reset=reset or PasswordResetForm(formdata=None),
        errors=errors or {},
        reset_errors=reset_errors or {},
        reset_for=reset_for,
        access_error=access_error,
    ), status


@bp.get("/users")
@WEB.required("admin")
def users():
    """Everyone who may sign in, with forms to add a user and reset a password."""
    return _render()


@bp.post("/users")
@WEB.required("admin")
def user_add():
    """Add a new user with a password (an existing username is refused beside the field)."""
    form = UserForm()
    if not form.validate():
        return _render(form=form, errors={k: list(v) for k, v in form.errors.items()}, status=422)
    try:
        with work() as s:
            user, _token = add_user(
                s, form.username.data, form.role.data, password=form.password.data
            )
            name, role = user.username, user.role
    except CadastreError as exc:
        return _render(form=form, errors=field_errors(exc.errors), status=422)
    flash(f"User {name} saved with role {role}. They can sign in now.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/password")
@WEB.required("admin")
def user_password():
    """Reset a user's password."""
    reset = PasswordResetForm()
    uid = request.form.get("user_id", "")
    valid = reset.validate()
    if not valid or record_id(uid) is None:
        errors = {k: list(v) for k, v in reset.errors.items()}
        if record_id(uid) is None:
            errors["user_id"] = ["Choose a user."]
        return _render(reset=reset, reset_for=uid, reset_errors=errors, status=422)
    try:
        with work() as s:
            user = get_user(s, int(uid))
            set_password(s, user, reset.password.data)
            name = user.username
    except CadastreError as exc:
        return _render(
            reset=reset,
            reset_for=uid,
            reset_errors=field_errors(exc.errors or [{"field": "password", "message": exc.detail}]),
            status=422,
        )
    flash(f"Password for {name} reset.", "success")
    return redirect(url_for("admin.users"))


#: The access actions of the users page and what each says when done.
_ACCESS = {
    "deactivate": "{} is deactivated: signed out everywhere, API tokens revoked.",
    "activate": "{} is active again and can sign in (old API tokens stay revoked).",
    "revoke-tokens": "{}'s API tokens are revoked and their sessions ended.",
}


@bp.post("/users/access")
@WEB.required("admin")
def user_access():
    """Deactivate or reactivate a user, or revoke their API tokens."""
    action, uid = request.form.get("action", ""), request.form.get("user_id", "")
    if action not in _ACCESS or record_id(uid) is None:
        return _render(access_error="Choose a user and one of the buttons.", status=422)
    try:
        with work() as s:
            user = get_user(s, int(uid))
            if action == "revoke-tokens":
                revoke_tokens(s, user)
            else:
                set_active(s, user, action == "activate")
            name = user.username
    except CadastreError as exc:
        return _render(access_error=exc.detail, status=exc.status)
    flash(_ACCESS[action].format(name), "success")
    return redirect(url_for("admin.users"))
