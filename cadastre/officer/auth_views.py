"""Sign in and sign out, with the sign-in throttle and session epochs."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from cadastre.domain.sign_in import account_key
from cadastre.forms import LoginForm
from cadastre.officer.blueprint import bp
from cadastre.officer.common import work
from cadastre.services.sign_in import clear_failures, record_failure, sign_in_lock, throttle_of
from cadastre.services.users import authenticate, end_sessions, get_user
from cadastre.state import registry
from cadastre.webauth import EPOCH_KEY, WebUser


def _safe_next(target: str | None) -> str:
    """Only local paths, so a link cannot send a signed-in officer elsewhere."""
    if not target:
        return url_for("officer.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("officer.dashboard")
    return target


def _try_sign_in(username: str, password: str):
    """(WebUser and epoch, None) on success, (None, Lock) when throttled, (None, None) if wrong.

    A throttled attempt is refused before the password is hashed: argon2's cost is what a
    flood of guesses would otherwise spend. Each attempt is counted as a failure (committed)
    before its password is checked, so guesses running in parallel on other threads and
    workers see each other; a success then forgets the account's failures.
    """
    throttle = throttle_of(registry().settings)
    account, address = account_key(username), request.remote_addr or "unknown"
    with work() as s:
        lock = sign_in_lock(s, throttle, account, address)
        if lock is not None:
            return None, lock
        record_failure(s, throttle, account, address)
    with work() as s:
        user = authenticate(s, username, password)
        if user is None:
            return None, None
        clear_failures(s, account)
        return (WebUser(user.id, user.username, user.role), user.session_epoch), None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page; a wrong password says so without saying which part was wrong."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("officer.dashboard"))
    form = LoginForm()
    error = None
    status = 200
    headers = {}
    if form.validate_on_submit():
        found, lock = _try_sign_in(form.username.data, form.password.data)
        if found is not None:
            user, epoch = found
            session.clear()
            session[EPOCH_KEY] = epoch
            login_user(user)
            flash(f"Signed in as {user.username} ({user.role}).", "success")
            return redirect(_safe_next(request.args.get("next")))
        if lock is not None:
            error, status = lock.message(), 429
            headers["Retry-After"] = str(lock.seconds_left)
        else:
            error = "The username or password is not right. Check both and try again."
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form, error=error), status, headers


@bp.post("/logout")
def logout():
    """Sign out everywhere (a POST with the CSRF token, so no link can sign someone out).

    The user's session epoch moves on, so a copy of this cookie (or any other session of
    theirs) is refused from now on, not only the cookie this browser drops.
    """
    if current_user.is_authenticated:
        with work() as s:
            end_sessions(s, get_user(s, int(current_user.get_id())))
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("officer.login"))
