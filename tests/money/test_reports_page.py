"""The money reports page: Finance and officers only, every input labelled, a bad value
redisplayed beside its field, download links that answer from the signed-in session."""

from __future__ import annotations

import re

import pytest

from cadastre.services.users import add_user
from tests.money.test_reports import TODAY, YEAR_START, ledger  # noqa: F401  (fixture)
from tests.page_support import PASSWORD, login


@pytest.fixture
def users(empty_register):
    for role in ("viewer", "officer", "finance"):
        add_user(empty_register, f"t_{role}", role, password=PASSWORD)
    empty_register.commit()


def test_anonymous_and_viewers_are_turned_away(client, users):
    assert client.get("/reports").status_code == 302
    login(client, "viewer")
    assert client.get("/reports").status_code == 403


@pytest.mark.parametrize("role", ["finance", "officer"])
def test_every_input_is_labelled_and_the_links_download(client, users, role):
    login(client, role)
    r = client.get("/reports")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    ids = re.findall(r'<(?:input|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    assert set(ids) >= {"from", "to", "by", "year", "as_of"}
    for field_id in ids:
        assert f'<label class="label" for="{field_id}">' in html, field_id
    assert ">Reports</a>" in html  # in the main navigation
    links = re.findall(r'href="(/api/reports/[^"]+)"', html)
    assert len(links) == 6
    for link in links:
        got = client.get(link.replace("&amp;", "&"))
        assert got.status_code == 200, link
        assert got.mimetype in ("text/csv", XLSX)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_bad_value_is_shown_beside_its_field(client, users):
    login(client, "finance")
    r = client.get("/reports?from=2026-02-30&year=abc")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="from-error"' in html and 'id="year-error"' in html
    assert "is not a date" in html and "is not a year" in html
    assert 'id="revenue-table"' not in html


@pytest.mark.usefixtures("ledger")
def test_revenue_shows_on_the_page_with_totals(client, users):
    login(client, "finance")
    r = client.get(f"/reports?from={YEAR_START}&to={TODAY}&by=licence_type")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="revenue-table"' in html
    assert "Artisanal" in html or "artisanal" in html
    assert "1,750.00" in html and "1,900.00" in html and "2,500.00" in html
    assert "not set against a licence" in html
