"""The officer's ``/deadlines`` page: the table (overdue rows flagged, links to the licence
page), the days selector, the kind and district filters, paging, Finance's payments only,
odd query values falling back to the defaults; the dashboard links to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from cadastre.officer import deadline_views
from cadastre.queries import deadlines as query
from cadastre.services.users import add_user
from tests.deadlines.support import Rows
from tests.page_support import PASSWORD, login

TODAY = datetime.now(UTC).date()


@pytest.fixture
def register(empty_register, company):
    for role in ("viewer", "officer", "finance"):
        add_user(empty_register, f"t_{role}", role, password=PASSWORD)
    rows = Rows(empty_register, company, TODAY)
    lic = rows.licence("large_scale", expires=20, district="Kono")
    rows.obligation(lic, -3, label="Work programme 2026")
    rows.obligation(lic, 50, label="Annual report 2027")
    rows.order(lic, 8)
    rows.licence(status="application", stage="lodged", decision_due=1, district="Kenema")
    empty_register.commit()
    return lic


def rows_of(html: str) -> list[tuple[str, str]]:
    """(kind, licence id) of each table row, in order."""
    return re.findall(r'data-kind="([a-z_]+)" data-licence-id="(\d+)"', html)


def test_table_days_and_filters(client, register):
    login(client, "officer")
    html = client.get("/deadlines").get_data(as_text=True)
    assert [k for k, _ in rows_of(html)] == [
        "obligation", "decision", "payment", "renewal_closes", "expiry"
    ]  # fmt: skip
    assert 'class="row-alert"' in html and "3 days overdue" in html
    assert f'href="/licences/{register}#obligations"' in html
    assert "Work programme 2026" in html and "Annual report 2027" not in html
    html = client.get("/deadlines?days=60").get_data(as_text=True)
    assert "Annual report 2027" in html and '<option value="60" selected>' in html
    html = client.get("/deadlines?kind=payment").get_data(as_text=True)
    assert [k for k, _ in rows_of(html)] == ["payment"]
    html = client.get("/deadlines?district=Kenema").get_data(as_text=True)
    assert [k for k, _ in rows_of(html)] == ["decision"]


def test_finance_sees_payments_only(client, register):
    login(client, "finance")
    html = client.get("/deadlines").get_data(as_text=True)
    assert [k for k, _ in rows_of(html)] == ["payment"]
    assert 'id="kind"' not in html


@pytest.mark.parametrize(
    "query_string",
    ["days=0", "days=abc", "days=9999", "page=-1", "page=x", "kind=nonsense", "district=Nowhere"],
)
def test_odd_values_fall_back(client, register, query_string):
    login(client, "viewer")
    r = client.get(f"/deadlines?{query_string}")
    assert r.status_code == 200
    assert rows_of(r.get_data(as_text=True))


def test_paging(client, register, monkeypatch):
    monkeypatch.setattr(deadline_views, "PAGE", 2)
    monkeypatch.setattr(query, "PAGE", 2)
    login(client, "officer")
    first = client.get("/deadlines").get_data(as_text=True)
    assert len(rows_of(first)) == 2 and "Page 1 of 3" in first and 'rel="next"' in first
    last = client.get("/deadlines?page=3").get_data(as_text=True)
    assert rows_of(last) == [("expiry", str(register))] and 'rel="prev"' in last


def test_dashboard_links_here(client, register):
    login(client, "officer")
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="deadlines-link" href="/deadlines"' in html


def test_anonymous_is_sent_to_sign_in(client, register):
    r = client.get("/deadlines")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
