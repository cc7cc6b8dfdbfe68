"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from cadastre.forms import LoginForm
from cadastre.officer import bp
from cadastre.officer.common import work
from cadastre.services.users import authenticate
from cadastre.webauth import WebUser


def _safe_next(target: str | None) -> str:
    """Only local paths, so a link cannot send a signed-in officer elsewhere."""
    if not target:
        return url_for("officer.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("officer.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page; a wrong password says so without saying which part was wrong."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("officer.dashboard"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        with work() as s:
            user = authenticate(s, form.username.data, form.password.data)
            found = WebUser(user.id, user.username, user.role) if user else None
        if found is not None:
            session.clear()
            login_user(found)
            flash(f"Signed in as {found.username} ({found.role}).", "success")
            return redirect(_safe_next(request.args.get("next")))
        error = "The username or password is not right. Check both and try again."
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    """Sign out (a POST with the CSRF token, so no link can sign someone out)."""
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("officer.login"))
