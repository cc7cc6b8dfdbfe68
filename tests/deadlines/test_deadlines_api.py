"""``GET /api/deadlines``: the caller's role's kinds, paging and every bad parameter a 422
problem (never a 5xx); anonymous 401."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.deadlines.support import Rows

TODAY = datetime.now(UTC).date()


@pytest.fixture
def register(empty_register, company, auth):
    auth("viewer"), auth("finance"), auth("officer")  # users first, in the test's transaction
    rows = Rows(empty_register, company, TODAY)
    lic = rows.licence("large_scale", expires=20)
    rows.obligation(lic, -3)
    rows.obligation(lic, 40)
    rows.order(lic, 8)
    rows.licence(status="application", stage="lodged", decision_due=1, district="Kenema")
    empty_register.commit()
    return lic


def get(client, auth, role="viewer", **query):
    return client.get("/api/deadlines", query_string=query, headers=auth(role))


def test_viewer_sees_every_kind_paged(client, auth, register):
    r = get(client, auth)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["days"] == 30 and body["total"] == 5 and body["overdue"] == 1
    kinds = [i["kind"] for i in body["items"]]
    assert kinds == ["obligation", "decision", "payment", "renewal_closes", "expiry"]
    assert body["items"][0]["overdue"] is True and body["items"][0]["days_left"] == -3
    body = get(client, auth, days=60, limit=2, offset=4).get_json()
    assert body["total"] == 6 and [i["kind"] for i in body["items"]] == ["expiry", "obligation"]
    body = get(client, auth, district="Kenema").get_json()
    assert [i["kind"] for i in body["items"]] == ["decision"]
    body = get(client, auth, kind=["payment", "expiry"]).get_json()
    assert [i["kind"] for i in body["items"]] == ["payment", "expiry"]
    assert get(client, auth, kinds="payment,decision").get_json()["total"] == 2


def test_finance_sees_payments(client, auth, register):
    body = get(client, auth, "finance").get_json()
    assert body["kinds"] == ["payment"] and [i["kind"] for i in body["items"]] == ["payment"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"days": "0"}, "days"),
        ({"days": "367"}, "days"),
        ({"days": "abc"}, "days"),
        ({"days": "-5"}, "days"),
        ({"days": "1e3"}, "days"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"kind": "rent"}, "kind"),
        ({"kinds": "payment,x" * 20}, "kind"),
    ],
)
def test_bad_parameters_are_422_problems(client, auth, register, query, field):
    r = get(client, auth, **query)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.content_type.startswith("application/problem+json")
    assert [e["field"] for e in r.get_json()["errors"]] == [field]


def test_edges_and_odd_values_never_5xx(client, auth, register):
    for query in ({"days": "1"}, {"days": "366"}, {"district": "x" * 500},
                  {"district": "Kono'; --"}, {"offset": "10000000"}, {"kinds": ",,"}):  # fmt: skip
        r = get(client, auth, **query)
        assert r.status_code == 200, (query, r.get_json())


def test_anonymous_is_refused(client, register):
    r = client.get("/api/deadlines")
    assert r.status_code == 401
    assert r.content_type.startswith("application/problem+json")
