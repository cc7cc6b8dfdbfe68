"""Admin pages: users, their roles and passwords."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from cadastre.errors import CadastreError
from cadastre.forms import PasswordResetForm, UserForm
from cadastre.input_guard import record_id
from cadastre.models import User
from cadastre.officer.common import field_errors, reading, role_required, work
from cadastre.officer.errors import register_html_errors
from cadastre.services.users import add_user, get_user, set_password

bp = Blueprint("admin", __name__, url_prefix="/admin")
register_html_errors(bp)


def _render(form=None, reset=None, errors=None, reset_errors=None, reset_for=None, status=200):
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
    ), status


@bp.get("/users")
@role_required("admin")
def users():
    """Everyone who may sign in, with forms to add a user and reset a password."""
    return _render()


@bp.post("/users")
@role_required("admin")
def user_add():
    """Add a user (or change an existing user's role) with a password."""
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
@role_required("admin")
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
