"""The money reports: revenue, EITI payments, outstanding balances. Each report's totals
are held against sums over the ledger, payments and orders computed here independently."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from licence_support import KONO, make_holder, rect, walk_api
from openpyxl import load_workbook
from sqlalchemy import select

from cadastre.models import LedgerEvent, OrderToPay, Payment
from cadastre.services.revenue import eiti_payments, outstanding, revenue
from tests.api.test_licences_api import PROBLEM, act, apply

TODAY = datetime.now(UTC).date()
YEAR_START = date(TODAY.year, 1, 1)
D = Decimal


def day(days_ago: int) -> date:
    """A payment day this year (payments may not be dated in the future)."""
    return max(YEAR_START, TODAY - timedelta(days=days_ago))


#: The days of the fixture's payments: SLE to a licence (its application fee, then part of
#: its annual charge), SLE to an account, USD bounced, USD paid again.
DAYS = {"R-0": day(60), "R-1": day(60), "R-2": day(20), "R-3": day(31), "R-4": day(30)}


def pay(client, auth, **body):
    r = client.post("/api/payments", json=body, headers=auth("finance"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def ledger(client, auth, empty_register):
    """Two holders, three licences, payments in two currencies over three months, a
    reversal, a payment to a holder's account with credit left over, an unpaid order."""
    s = empty_register
    company = make_holder(
        s, "company", '=HYPERLINK("http://x","Kono Gold")', registration_number="SL-REG-1"
    )
    person = make_holder(
        s, "individual", "Fatmata Kamara", nationality="SLE", registration_number="ID-PERSONAL-9"
    )
    s.commit()
    el = apply(client, auth, company, rect(*KONO, 2000), commodities=["gold", "diamond"])
    el2 = apply(client, auth, company, rect(KONO[0] + 0.1, KONO[1], 2000))
    art = apply(client, auth, person, rect(KONO[0] - 0.1, KONO[1], 90), licence_type="artisanal")
    for r in (el, el2, art):
        assert r.status_code == 201, r.get_json()
    el, el2, art = el.get_json(), el2.get_json(), art.get_json()
    pay(
        client,
        auth,
        licence_id=art["id"],
        amount="250.00",
        currency="SLE",
        paid_on=DAYS["R-0"].isoformat(),
        receipt_number="R-0",
    )  # the application fee, which its procedure wants before the approval
    walk_api(client, auth, art["id"], before="decision")
    assert act(client, auth, art["id"], "grant").get_json()["status"] == "approved"
    pay(
        client,
        auth,
        licence_id=art["id"],
        amount="750.00",
        currency="SLE",
        paid_on=DAYS["R-1"].isoformat(),
        receipt_number="R-1",
    )
    pay(
        client,
        auth,
        holder_id=person,
        amount="900.00",
        currency="SLE",
        paid_on=DAYS["R-2"].isoformat(),
        receipt_number="R-2",
        overpayment="credit",
    )
    bounced = pay(
        client,
        auth,
        licence_id=el["id"],
        amount="2500.00",
        currency="USD",
        paid_on=DAYS["R-3"].isoformat(),
        receipt_number="R-3",
    )
    r = client.post(
        f"/api/payments/{bounced['id']}/reverse",
        json={"reason": "Bounced"},
        headers=auth("finance"),
    )
    assert r.status_code == 201
    pay(
        client,
        auth,
        licence_id=el["id"],
        amount="2500.00",
        currency="USD",
        paid_on=DAYS["R-4"].isoformat(),
        receipt_number="R-4",
    )
    return {"company": company, "person": person, "el": el, "el2": el2, "art": art}


def ledger_received(session, first: date, last: date) -> dict[str, Decimal]:
    """Money received per currency, read from the ledger's events alone."""
    total: dict[str, Decimal] = {}
    for e in session.scalars(select(LedgerEvent)):
        if e.action not in ("payment_recorded", "payment_reversed"):
            continue
        if first <= date.fromisoformat(e.after["paid_on"]) <= last:
            c = e.after["currency"]
            total[c] = total.get(c, D(0)) + D(e.after["amount"])
    return total


def per_currency(rows, key) -> dict[str, Decimal]:
    """Sums of ``key`` per currency, currencies summing to zero left out."""
    out: dict[str, Decimal] = {}
    for row in rows:
        out[row["currency"]] = out.get(row["currency"], D(0)) + D(str(row[key]))
    return {c: v for c, v in out.items() if v}


@pytest.mark.parametrize("by", ["period", "licence_type", "district", "commodity"])
def test_revenue_rows_add_up_to_the_ledger(ledger, session, by):
    report = revenue(session, YEAR_START, TODAY, by)
    from_ledger = ledger_received(session, YEAR_START, TODAY)
    assert from_ledger == {"SLE": D("1900.00"), "USD": D("2500.00")}
    assert per_currency(report.rows, "received") == from_ledger
    assert per_currency(report.totals, "received") == from_ledger


def test_revenue_attributes_each_part_to_what_it_paid(ledger, session):
    def grouped(by):
        rows = revenue(session, YEAR_START, TODAY, by).rows
        return {(r["group"], r["currency"]): r["received"] for r in rows}

    assert grouped("licence_type") == {
        ("artisanal", "SLE"): D("1750.00"),  # application fee and the first annual charge
        (None, "SLE"): D("150.00"),  # credit on the holder's account
        ("exploration", "USD"): D("2500.00"),  # paid, reversed, paid again
    }
    # a licence of two commodities is counted once, under both
    assert grouped("commodity") == {
        ("diamond", "SLE"): D("1750.00"),
        (None, "SLE"): D("150.00"),
        ("diamond; gold", "USD"): D("2500.00"),
    }
    expected: dict[tuple[str, str], Decimal] = {}
    for receipt, amount, currency in (
        ("R-0", "250.00", "SLE"),
        ("R-1", "750.00", "SLE"),
        ("R-2", "900.00", "SLE"),
        ("R-3", "2500.00", "USD"),
        ("R-4", "2500.00", "USD"),
    ):
        key = (DAYS[receipt].strftime("%Y-%m"), currency)
        expected[key] = expected.get(key, D(0)) + D(amount)
    key = (TODAY.strftime("%Y-%m"), "USD")  # the reversal counts on the day it was recorded
    expected[key] = expected.get(key, D(0)) - D("2500.00")
    assert grouped("period") == {k: v for k, v in expected.items() if v}
    # a range before any payment holds nothing
    assert revenue(session, date(2000, 1, 1), date(2000, 12, 31), "period").rows == []


def test_eiti_payments_per_holder_and_stream(ledger, session):
    report = eiti_payments(session, TODAY.year, "National Minerals Agency")
    rows = {(r["holder_id"], r["payment_stream"]): r for r in report.rows}
    company = rows[(ledger["company"], "Application fees")]
    assert company["registration_number"] == "SL-REG-1"
    assert (company["amount_paid"], company["currency"], company["payments"]) == (
        D("2500.00"),
        "USD",
        1,
    )  # two receipts, one reversed
    assert company["licences"] == ledger["el"]["code"]
    person = {s: r for (h, s), r in rows.items() if h == ledger["person"]}
    assert set(person) == {
        "Application fees",
        "Annual charges (mineral rights)",
        "Payments on account (not yet allocated)",
    }
    assert person["Annual charges (mineral rights)"]["amount_paid"] == D("1500.00")
    assert person["Annual charges (mineral rights)"]["payments"] == 2
    # an individual's identity number never leaves the register in a report
    assert all(r["registration_number"] is None for r in person.values())
    paid = select(Payment).where(Payment.paid_on.between(YEAR_START, date(TODAY.year, 12, 31)))
    assert per_currency(report.rows, "amount_paid") == per_currency(
        [{"currency": p.currency, "x": p.amount} for p in session.scalars(paid)], "x"
    )


def test_outstanding_matches_the_orders_and_credit(ledger, session):
    later = TODAY + timedelta(days=365)
    report = outstanding(session, later)
    open_orders = session.scalars(select(OrderToPay).where(OrderToPay.status == "open")).all()
    owed = per_currency(
        [{"currency": o.currency, "x": o.amount - o.paid} for o in open_orders], "x"
    )
    credit = per_currency(
        [{"currency": p.currency, "x": p.unallocated} for p in session.scalars(select(Payment))],
        "x",
    )
    assert per_currency(report.rows, "owed") == owed == {"USD": D("2500.00")}
    assert per_currency(report.totals, "owed") == owed
    assert per_currency(report.totals, "overdue") == owed  # all fell due within the year
    assert per_currency(report.totals, "credit") == credit == {"SLE": D("150.00")}
    rows = {(r["holder_id"], r["licence"], r["currency"]): r for r in report.rows}
    held = rows[(ledger["person"], "", "SLE")]  # credit on the account, no licence named
    assert (held["owed"], held["credit"], held["balance"]) == (D(0), D("150.00"), D("-150.00"))
    el2 = rows[(ledger["company"], ledger["el2"]["code"], "USD")]
    assert el2["open_orders"] == 1 and el2["balance"] == D("2500.00")
    assert per_currency(outstanding(session, TODAY).totals, "overdue") == {}


def test_reports_over_the_api_in_three_formats(client, auth, ledger):
    r = client.get(
        f"/api/reports/revenue?from={YEAR_START}&to={TODAY}&by=district", headers=auth("finance")
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert {t["currency"]: t["received"] for t in body["totals"]} == {
        "SLE": "1900.00",
        "USD": "2500.00",
    }
    r = client.get(f"/api/reports/eiti?year={TODAY.year}&format=csv", headers=auth("officer"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert table[0][:3] == ["Year", "Company name", "Holder kind"]
    names = {row[1] for row in table[1:]}
    assert '\'=HYPERLINK("http://x","Kono Gold")' in names  # never a live formula
    r = client.get("/api/reports/outstanding?format=xlsx", headers=auth("supervisor"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Holder", "Holder kind", "Licence", "Currency"]
    owed = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] == "USD"]
    assert sum(D(str(v)) for v in owed) == D("2500.00")
    assert sheet.cell(2, 1).value.startswith("'=")


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/api/reports/revenue", None, 401),
        ("/api/reports/revenue", "viewer", 403),
        ("/api/reports/eiti", "viewer", 403),
        ("/api/reports/outstanding", "viewer", 403),
        ("/api/reports/revenue", "finance", 200),
        ("/api/reports/eiti", "officer", 200),
        ("/api/reports/outstanding", "admin", 200),
    ],
)
def test_finance_and_officers_read_the_reports(client, auth, empty_register, path, role, status):
    r = client.get(path, headers=auth(role))
    assert r.status_code == status, r.get_json()
    if status == 403:
        assert r.mimetype == PROBLEM and "'finance'" in r.get_json()["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/reports/revenue?from=2026-13-01", "from"),
        ("/api/reports/revenue?to=yesterday", "to"),
        ("/api/reports/revenue?from=2026-05-01&to=2026-04-01", "to"),
        ("/api/reports/revenue?from=1990-01-01&to=2026-01-01", "to"),
        ("/api/reports/revenue?by=holder", "by"),
        ("/api/reports/revenue?format=pdf", "format"),
        ("/api/reports/eiti?year=twenty", "year"),
        ("/api/reports/eiti?year=12", "year"),
        ("/api/reports/outstanding?as_of=2026-02-30", "as_of"),
        ("/api/reports/outstanding?format=XLS", "format"),
    ],
)
def test_bad_report_queries_name_the_parameter(client, auth, empty_register, query, field):
    r = client.get(query, headers=auth("finance"))
    assert r.status_code == 422 and r.mimetype == PROBLEM, r.get_json()
    assert [e["field"] for e in r.get_json()["errors"]] == [field]


def test_the_reports_and_the_default_notice_are_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/reports/revenue", "/api/reports/eiti", "/api/reports/outstanding"):
        params = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert "format" in params and "422" in paths[path]["get"]["responses"]
    assert "409" in paths["/api/licences/{licence_id}/default-notice"]["post"]["responses"]
