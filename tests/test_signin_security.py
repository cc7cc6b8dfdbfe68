"""Sign-in security: sessions and tokens that can be ended, the sign-in throttle, CSRF with
an Authorization header, and the users CLI that never silently changes an existing user."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from cadastre.app import create_app
from cadastre.models import ApiToken, Holder, SignInFailure, User
from cadastre.services import users as users_service
from cadastre.services.users import add_user

PASSWORD = "correct-horse-battery"


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf(page)}
    )


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


@pytest.fixture
def people(session, empty_register):
    """An officer and an admin with passwords, and the officer's API token (committed)."""
    _, officer_token = add_user(session, "s_officer", "officer", password=PASSWORD)
    add_user(session, "s_admin", "admin", password=PASSWORD)
    session.commit()
    return {"officer_token": officer_token}


def _copy_of(client, app):
    """Another client holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- sessions and tokens that end -------------------------------------------------------


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, client, people):
    assert sign_in(client, "s_officer").status_code == 302
    thief = _copy_of(client, app)
    assert signed_in(thief)  # the copy works while the officer is signed in
    page = client.get("/dashboard").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf(page)}).status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)
    assert sign_in(client, "s_officer").status_code == 302  # signing in again works
    assert signed_in(client) and not signed_in(thief)


def test_a_password_reset_ends_sessions_and_revokes_tokens(app, client, people, session):
    officer = app.test_client()
    assert sign_in(officer, "s_officer").status_code == 302
    token = people["officer_token"]
    assert app.test_client().get("/api/holders", headers=bearer(token)).status_code == 200
    assert sign_in(client, "s_admin").status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    uid = session.scalar(select(User.id).where(User.username == "s_officer"))
    reset = client.post(
        "/admin/users/password",
        data={"user_id": str(uid), "password": "a-new-long-password", "csrf_token": csrf(page)},
    )
    assert reset.status_code == 302
    assert not signed_in(officer)
    refused = app.test_client().get("/api/holders", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    # Kept for the audit trail, marked revoked.
    row = session.scalars(select(ApiToken).where(ApiToken.user_id == uid)).one()
    session.refresh(row)
    assert row.revoked_at is not None
    assert sign_in(officer, "s_officer", "a-new-long-password").status_code == 302


def test_deactivating_refuses_the_session_and_the_token(app, client, people, runner):
    assert sign_in(client, "s_officer").status_code == 302
    result = runner.invoke(args=["users", "deactivate", "s_officer"])
    assert result.exit_code == 0, result.output
    assert "s_officer deactivated" in result.output
    assert not signed_in(client)
    assert client.get("/api/holders", headers=bearer(people["officer_token"])).status_code == 401
    assert sign_in(client, "s_officer").status_code == 401
    again = runner.invoke(args=["users", "activate", "s_officer"])
    assert again.exit_code == 0, again.output
    assert sign_in(client, "s_officer").status_code == 302
    # Reactivation does not bring the revoked token back.
    assert client.get("/api/holders", headers=bearer(people["officer_token"])).status_code == 401


def test_revoke_tokens_refuses_every_token_and_ends_sessions(app, client, people, runner):
    assert sign_in(client, "s_officer").status_code == 302
    result = runner.invoke(args=["users", "revoke-tokens", "s_officer"])
    assert result.exit_code == 0, result.output
    assert "1 API token(s) revoked" in result.output
    assert client.get("/api/holders", headers=bearer(people["officer_token"])).status_code == 401
    assert not signed_in(client)


def test_after_revoking_a_user_gets_a_fresh_token_by_name(client, people, runner):
    # a leaked token is revoked; the account (and its name in history) goes on with a new one
    assert runner.invoke(args=["users", "revoke-tokens", "s_officer"]).exit_code == 0
    result = runner.invoke(args=["users", "token", "s_officer"])
    assert result.exit_code == 0, result.output
    fresh = result.output.strip().splitlines()[-1]
    assert client.get("/api/border-risk", headers=bearer(fresh)).status_code == 200
    old = bearer(people["officer_token"])
    assert client.get("/api/border-risk", headers=old).status_code == 401
    assert runner.invoke(args=["users", "deactivate", "s_officer"]).exit_code == 0
    refused = runner.invoke(args=["users", "token", "s_officer"])
    assert refused.exit_code != 0 and "deactivated" in refused.output
    assert client.get("/api/border-risk", headers=bearer(fresh)).status_code == 401


@pytest.mark.parametrize("command", ["deactivate", "activate", "revoke-tokens", "token"])
def test_user_commands_refuse_an_unknown_name(runner, people, command):
    result = runner.invoke(args=["users", command, "nobody-here"])
    assert result.exit_code != 0
    assert "There is no user named nobody-here" in result.output


def test_users_add_refuses_an_existing_name_and_changes_nothing(runner, people, session):
    before = session.execute(
        select(User.role, User.password_hash).where(User.username == "s_officer")
    ).one()
    result = runner.invoke(
        args=["users", "add", "s_officer", "--role", "admin", "--password-stdin"],
        input="another-password\n",
    )
    assert result.exit_code != 0
    assert "already a user named s_officer" in result.output
    assert len(result.output.strip().splitlines()) == 1
    session.expire_all()
    after = session.execute(
        select(User.role, User.password_hash).where(User.username == "s_officer")
    ).one()
    assert after == before
    made = runner.invoke(args=["users", "add", "s_new", "--role", "viewer"])
    assert made.exit_code == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", made.output.strip().splitlines()[-1])


def test_the_admin_page_refuses_an_existing_name_beside_the_field(client, people):
    assert sign_in(client, "s_admin").status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={"username": "s_officer", "role": "admin", "password": "another-password",
              "csrf_token": csrf(page)},
    )
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)


# --- CSRF and the Authorization header --------------------------------------------------


def test_a_garbage_authorization_header_does_not_skip_csrf(app, client, people):
    assert sign_in(client, "s_officer").status_code == 302
    refused = client.post("/logout", headers={"Authorization": "Bearer garbage"})
    assert refused.status_code in (400, 401)
    assert signed_in(client)  # the sign-out was not processed
    basic = client.post("/logout", headers={"Authorization": "Basic czpz"})
    assert basic.status_code in (400, 401) and signed_in(client)


def test_a_valid_bearer_token_is_still_exempt(client, people, session):
    created = client.post(
        "/api/holders", json={"name": "Bearer Holder Ltd", "kind": "company"},
        headers=bearer(people["officer_token"]),
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert session.scalar(select(func.count()).where(Holder.name == "Bearer Holder Ltd")) == 1


# --- the sign-in throttle ---------------------------------------------------------------


@pytest.fixture
def argon2_calls(monkeypatch):
    """Count argon2 hashes and verifications (the cost a throttled request must not pay)."""
    calls = []
    hasher = users_service._hasher

    class Counting:
        def __getattr__(self, name):
            return getattr(hasher, name)

        def hash(self, *a, **k):
            calls.append("hash")
            return hasher.hash(*a, **k)

        def verify(self, *a, **k):
            calls.append("verify")
            return hasher.verify(*a, **k)

    monkeypatch.setattr(users_service, "_hasher", Counting())
    return calls


def test_five_failures_lock_the_account_without_running_argon2(client, people, argon2_calls):
    for _ in range(5):
        assert sign_in(client, "s_officer", "wrong-password").status_code == 401
    assert len(argon2_calls) == 5
    locked = sign_in(client, "s_officer")  # even the right password
    assert locked.status_code == 429
    html = locked.get_data(as_text=True)
    assert "Too many failed sign-ins for this account; try again in 15 minutes." in html
    assert '<form method="post"' in html  # the page is still there, message beside the form
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    assert len(argon2_calls) == 5  # no argon2 for the throttled attempt
    assert not signed_in(client)
    # Other accounts are not locked (only 5 failures from this address so far).
    assert sign_in(client, "s_admin").status_code == 302


def test_the_lock_counts_any_spelling_of_the_name(client, people):
    for name in ("s_officer", "S_OFFICER", " s_Officer", "s_officer", "S_officer"):
        sign_in(client, name, "wrong-password")
    assert sign_in(client, "s_officer").status_code == 429


def test_failures_older_than_the_window_do_not_count(client, people, session):
    session.execute(
        text(
            "INSERT INTO sign_in_failures (account, address, failed_at) "
            "SELECT 's_officer', '127.0.0.1', now() - interval '16 minutes' "
            "FROM generate_series(1, 30)"
        )
    )
    session.commit()
    assert sign_in(client, "s_officer").status_code == 302


def test_a_successful_sign_in_forgets_the_accounts_failures(client, people, session):
    for _ in range(4):
        sign_in(client, "s_officer", "wrong-password")
    assert sign_in(client, "s_officer").status_code == 302
    assert session.scalar(
        select(func.count()).where(SignInFailure.account == "s_officer")
    ) == 0


def test_one_address_is_locked_after_its_limit_across_accounts(settings, sessions, people):
    app = create_app(replace(settings, sign_in_address_limit=6))
    app.extensions["cadastre"].sessions = sessions
    client = app.test_client()
    for n in range(6):
        assert sign_in(client, f"guess-{n}", "wrong-password").status_code == 401
    locked = sign_in(client, "s_admin")
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this network address" in locked.get_data(as_text=True)


# --- the stored signing key -------------------------------------------------------------


def test_without_a_configured_key_every_app_signs_with_the_stored_one(settings, sessions, people):
    from cadastre.services.app_secrets import shared_secret
    from cadastre.workspaces import training_app_of, training_key

    def worker():  # each app stands for a worker process that made its own app
        url = settings.database_url  # the training app is only built here, never served
        app = create_app(replace(settings, secret_key="", training_database_url=url))
        app.extensions["cadastre"].sessions = sessions
        return app

    first, second = worker(), worker()
    client = first.test_client()
    assert sign_in(client, "s_officer").status_code == 302
    stored = shared_secret(settings.database_url)
    assert first.secret_key == stored and len(stored) == 64
    other = second.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(other)  # the other "worker" reads the same key
    assert second.secret_key == stored
    training = training_app_of(second)
    assert training.extensions["cadastre_secret_key"]() == training_key(stored) != stored


def test_the_admin_page_deactivates_and_revokes(app, client, people, session):
    officer = app.test_client()
    assert sign_in(officer, "s_officer").status_code == 302
    assert sign_in(client, "s_admin").status_code == 302
    uid = str(session.scalar(select(User.id).where(User.username == "s_officer")))

    def access(action):
        page = client.get("/admin/users").get_data(as_text=True)
        return client.post("/admin/users/access",
                           data={"user_id": uid, "action": action, "csrf_token": csrf(page)})

    assert access("revoke-tokens").status_code == 302
    assert officer.get("/api/holders", headers=bearer(people["officer_token"])).status_code == 401
    assert not signed_in(officer)
    assert sign_in(officer, "s_officer").status_code == 302
    assert access("deactivate").status_code == 302
    assert not signed_in(officer)
    assert sign_in(officer, "s_officer").status_code == 401
    assert access("activate").status_code == 302
    assert sign_in(officer, "s_officer").status_code == 302
    assert access("nonsense").status_code == 422


def test_an_unmigrated_database_says_what_to_do_about_the_key(database_url):
    from cadastre.errors import ConfigurationError
    from cadastre.services.app_secrets import shared_secret
    from tests.conftest import scratch_database

    bare = scratch_database(database_url, "nokey")
    with pytest.raises(ConfigurationError, match="cadastre db upgrade"):
        shared_secret(bare)


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(settings, database_url):
    # many threads (and workers) guessing at once: each check-and-count must see the others
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from cadastre.db import session_factory, unit_of_work
    from tests.conftest import serving

    # committed sessions, like a server; plain http, so cookies without Secure
    app = create_app(replace(settings, sign_in_address_limit=0, secure_cookies=False))
    try:
        with serving(app) as url:
            browsers = []
            for _ in range(12):
                browser = requests.Session()
                browser.headers["Connection"] = "close"
                browsers.append((browser, csrf(browser.get(url + "/login").text)))

            def guess(browser_token):
                browser, token = browser_token
                return browser.post(url + "/login", allow_redirects=False, data={
                    "username": "h6-parallel", "password": "wrong", "csrf_token": token,
                }).status_code

            with ThreadPoolExecutor(12) as pool:
                statuses = list(pool.map(guess, browsers))
    finally:
        with unit_of_work(session_factory(database_url)) as s:
            s.execute(text("DELETE FROM sign_in_failures WHERE account = 'h6-parallel'"))
    assert sorted(statuses) == [401] * 5 + [429] * 7, statuses


def test_a_username_that_looks_like_another_is_refused(runner, people):
    r = runner.invoke(args=["users", "add", "s_officer\u200b", "--role", "admin"])
    assert r.exit_code != 0
    assert "U+200B ZERO WIDTH SPACE" in r.output
