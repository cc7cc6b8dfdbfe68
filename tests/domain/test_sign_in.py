"""The sign-in throttle's rules: when a lock ends and what the page says."""

from datetime import UTC, datetime, timedelta

from cadastre.domain.sign_in import Lock, account_key, lock_ends

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_below_the_limit_is_not_locked():
    assert lock_ends([NOW] * 4, 5, WINDOW) is None
    assert lock_ends([NOW] * 50, 0, WINDOW) is None  # 0 switches a limit off


def test_the_lock_ends_when_the_limit_th_newest_failure_ages_out():
    failures = [NOW - timedelta(minutes=m) for m in (0, 1, 2, 3, 10, 14)]  # newest first
    assert lock_ends(failures, 5, WINDOW) == NOW - timedelta(minutes=10) + WINDOW


def test_the_message_rounds_up_to_whole_minutes():
    lock = Lock("account", NOW + timedelta(minutes=4, seconds=1), NOW)
    assert lock.message() == (
        "Too many failed sign-ins for this account; try again in 5 minutes."
    )
    assert lock.seconds_left == 241
    assert Lock("address", NOW + timedelta(seconds=5), NOW).message().endswith(
        "this network address; try again in 1 minute."
    )


def test_any_spelling_of_a_name_is_one_account():
    assert account_key("  Alice ") == account_key("alice") == "alice"
    assert account_key(None) == ""
