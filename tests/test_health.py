"""/healthz: the status for anyone; versions, migration state and counts for admins only."""

from dataclasses import replace

import pytest

from cadastre.app import create_app
from cadastre.migrate import head_revision
from cadastre.services.users import add_user
from tests.test_signin_security import PASSWORD, sign_in


def test_anonymous_healthz_says_only_the_status(client, empty_register, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "cadastre_test" not in response.get_data(as_text=True)


def test_healthz_reports_database_postgis_migration_and_counts_to_an_admin(
    client, empty_register, settings
):
    _, token = add_user(empty_register, "h_admin", "admin", password=PASSWORD)
    _, viewer = add_user(empty_register, "h_viewer", "viewer")
    empty_register.commit()
    assert client.get("/healthz", headers={"Authorization": f"Bearer {viewer}"}).get_json() == {
        "status": "ok"
    }
    assert client.get("/healthz", headers={"Authorization": "Bearer nope"}).status_code == 401
    for headers in ({"Authorization": f"Bearer {token}"}, None):
        if headers is None:
            assert sign_in(client, "h_admin").status_code == 302  # the signed-in admin
        response = client.get("/healthz", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "ok"
        assert body["database"]["postgresql"].startswith("15")
        assert body["database"]["postgis"].startswith("3.")
        assert body["migration"]["current"] == head_revision(settings.database_url)
        assert body["counts"]["countries"] == 4
        assert body["counts"]["border_lines"] == 5
        assert body["counts"]["licences"] == 0
        assert body["boundaries"]["source"].startswith("Natural Earth")
        text = response.get_data(as_text=True)
        assert "postgresql+psycopg" not in text and "127.0.0.1" not in text


@pytest.mark.parametrize("secret_key", ["set", ""])
def test_a_database_that_is_down_answers_503_without_naming_it(settings, secret_key):
    app = create_app(
        replace(settings, database_url="postgresql+psycopg://secretuser:pw@127.0.0.1:1/hidden_db",
                training_database_url="", secret_key=secret_key)
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


def test_an_unreachable_training_database_is_not_named_either(settings):
    app = create_app(
        replace(settings, training_database_url="postgresql+psycopg://trainer:pw@127.0.0.1:1/tdb")
    )
    response = app.test_client().get("/training/healthz")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "tdb" not in text and "127.0.0.1" not in text and "trainer" not in text
    assert "cadastre training reset" in response.get_json()["detail"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
