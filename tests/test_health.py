"""/healthz reports versions, migration state and counts."""

from cadastre.migrate import head_revision


def test_healthz_reports_database_postgis_migration_and_counts(client, empty_register, settings):
    response = client.get("/healthz")
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
