"""Legacy money brought in with the register: balances, "charges paid to", payment records."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from cadastre.importer.service import import_register
from cadastre.services.charges import run_charges
from tests.importer import samples
from tests.importer.test_odd_import import _upload, admin  # noqa: F401 - a fixture

MONEY = ["Balance", "Balance Currency", "Charges Paid To", "Payment Receipt", "Date Paid",
         "Amount Paid", "Bank"]  # fmt: skip
#: R1 (clean exploration, Sewa), R8 (a pending small-scale application), R9 (large-scale).
CODES = ("EL/2021/0001", "SML/2023/0007", "LML/2015/0002")
GOOD = {
    "EL/2021/0001": ["0", "", "", "", "", "", ""],
    "SML/2023/0007": ["", "", "", "", "", "", ""],
    "LML/2015/0002": ["12,500.00", "usd", "2024-02-01", "RCB 0001", "01/03/2024",
                      "10000", "Rokel Commercial Bank"],
}  # fmt: skip


def write(folder, money: dict[str, list[str]], name: str = "money.csv"):
    """The three rows with money columns (``money`` per code) and WKT."""
    rows = [r for r in samples.ROWS if r["code"] in CODES]
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(samples.ATTRS + MONEY + ["WKT"])
        for r in rows:
            w.writerow(samples._attrs(r) + money[r["code"]] + [samples._wkt(r)])
    return path


def money_of(session, code: str) -> dict:
    """A licence's orders, payments and charges_from, as plain tuples."""
    params = {"c": code}
    orders = session.execute(
        text(
            "SELECT o.kind, o.key, o.amount, o.currency, o.paid, o.status, o.due_on, o.basis "
            "FROM orders_to_pay o JOIN licences l ON l.id = o.licence_id "
            "WHERE l.code = :c ORDER BY o.due_on, o.id"
        ),
        params,
    ).all()
    payments = session.execute(
        text(
            "SELECT p.receipt_number, p.amount, p.currency, p.paid_on, p.bank, p.unallocated, "
            "p.recorded_by FROM payments p JOIN licences l ON l.id = p.licence_id "
            "WHERE l.code = :c ORDER BY p.id"
        ),
        params,
    ).all()
    charges_from = session.scalar(text("SELECT charges_from FROM licences WHERE code = :c"), params)
    return {"orders": orders, "payments": payments, "charges_from": charges_from}


def totals(session) -> dict:
    return dict(
        session.execute(
            text(
                "SELECT 'orders', count(*) FROM orders_to_pay UNION ALL "
                "SELECT 'payments', count(*) FROM payments UNION ALL "
                "SELECT 'allocations', count(*) FROM payment_allocations UNION ALL "
                "SELECT action, count(*) FROM ledger_events GROUP BY action"
            )
        ).all()
    )


def test_balances_payments_and_charges_paid_to_come_in_with_the_register(
    sewa, session, profile, as_of, tmp_path
):
    report = import_register(session, profile, write(tmp_path, GOOD), as_of=as_of, actor="clerk")

    assert {r.code: r.outcome for r in report.rows} == {
        "EL/2021/0001": "imported",
        "SML/2023/0007": "imported with warnings",
        "LML/2015/0002": "imported",
    }, [r.reasons for r in report.rows]
    assert {k: report.mapping[k] for k in ("balance", "balance_currency", "charges_paid_to",
                                           "receipt_number", "paid_on", "paid_amount", "bank")} == {
        "balance": "Balance", "balance_currency": "Balance Currency",
        "charges_paid_to": "Charges Paid To", "receipt_number": "Payment Receipt",
        "paid_on": "Date Paid", "paid_amount": "Amount Paid", "bank": "Bank",
    }  # fmt: skip
    lml = money_of(session, "LML/2015/0002")
    assert lml["charges_from"] == date(2024, 2, 1)
    (settled, legacy) = lml["orders"]
    assert legacy[:7] == ("legacy", "legacy", Decimal("12500.00"), "USD", 0, "open", as_of)
    assert legacy.basis == "balance brought forward from the legacy register"
    assert settled[:6] == ("legacy", "legacy:RCB0001", Decimal("10000.00"), "USD",
                           Decimal("10000.00"), "paid")  # fmt: skip
    assert lml["payments"] == [("RCB0001", Decimal("10000.00"), "USD", date(2024, 3, 1),
                                "Rokel Commercial Bank", Decimal("0.00"), "clerk")]  # fmt: skip
    # a zero balance and no payment: no order; charged from the import date
    for code in ("EL/2021/0001", "SML/2023/0007"):
        got = money_of(session, code)
        assert got["orders"] == [] and got["payments"] == [] and got["charges_from"] == as_of
    # every order and payment has its ledger event
    count = totals(session)
    assert count["order_raised"] == count["orders"] == 2
    assert count["payment_recorded"] == count["payments"] == count["allocations"] == 1
    # `charges run` charges the year running at the charges-paid-to date and later, no more
    run = run_charges(session, profile, as_of)
    raised = session.execute(
        text(
            "SELECT l.code, o.key FROM orders_to_pay o JOIN licences l ON l.id = o.licence_id "
            "WHERE o.kind = 'annual_charge' ORDER BY l.code"
        )
    ).all()
    assert run.raised == 2
    assert raised == [("EL/2021/0001", "annual:4"), ("LML/2015/0002", "annual:10")]


def test_reimporting_the_same_money_adds_nothing(sewa, session, profile, as_of, tmp_path):
    path = write(tmp_path, GOOD)
    import_register(session, profile, path, as_of=as_of)
    before = totals(session)
    again = import_register(session, profile, path, as_of=as_of)
    assert totals(session) == before
    assert again.row("LML/2015/0002").outcome == "unchanged"
    assert "The receipt RCB0001 is already recorded" in " ".join(again.row("LML/2015/0002").reasons)


BAD = [
    ({"Balance": "-50.00"}, "The outstanding balance: The amount must be greater than zero"),
    ({"Balance": "lots"}, "'lots' is not an amount"),
    ({"Balance": "1.005"}, "at most two decimal places"),
    ({"Balance Currency": "EUR"}, "currency EUR is not one the fee schedules charge in"),
    ({"Balance Currency": "dollars"}, "is not a currency code"),
    ({"Date Paid": "2024-07-15"}, "after the as-of date 2024-06-30"),
    ({"Date Paid": "31/02/2024"}, "The payment date cannot be read"),
    ({"Amount Paid": ""}, "The payment has no amount"),
    ({"Amount Paid": "0"}, "The amount paid: The amount must be greater than zero"),
    ({"Payment Receipt": ""}, "Give the bank's receipt number"),
    ({"Charges Paid To": "soon"}, "annual charges are paid to cannot be read"),
]


@pytest.mark.parametrize(("change", "words"), BAD)
def test_a_bad_money_value_refuses_its_row_and_stores_none_of_it(
    sewa, session, profile, as_of, tmp_path, change, words
):
    cells = list(GOOD["LML/2015/0002"])
    for column, value in change.items():
        cells[MONEY.index(column)] = value
    report = import_register(
        session, profile, write(tmp_path, {**GOOD, "LML/2015/0002": cells}), as_of=as_of
    )
    row = report.row("LML/2015/0002")
    assert row.outcome == "refused" and words in " ".join(row.reasons), row.reasons
    assert report.row("EL/2021/0001").outcome == "imported"
    assert session.scalar(text("SELECT count(*) FROM licences WHERE code = 'LML/2015/0002'")) == 0
    count = totals(session)
    assert count["orders"] == count["payments"] == 0 and "order_raised" not in count


def test_a_receipt_used_twice_refuses_the_second_row(sewa, session, profile, as_of, tmp_path):
    twice = {**GOOD, "EL/2021/0001": ["", "USD", "", "rcb0001", "2024-03-02", "5", "Ecobank"]}
    report = import_register(session, profile, write(tmp_path, twice), as_of=as_of)
    first, second = report.row("EL/2021/0001"), report.row("LML/2015/0002")
    assert first.outcome == "imported"
    assert second.outcome == "refused"
    assert "RCB0001 was already used at row 2 of this file" in " ".join(second.reasons)


def test_a_receipt_the_register_holds_for_another_payment_is_refused(
    sewa, session, profile, as_of, tmp_path
):
    import_register(session, profile, write(tmp_path, GOOD), as_of=as_of)
    other = {**GOOD, "SML/2023/0007": ["", "", "", "rcb 0001", "2024-03-01", "20", ""]}
    other["LML/2015/0002"] = ["", "", "", "", "", "", ""]
    report = import_register(session, profile, write(tmp_path, other, "again.csv"), as_of=as_of)
    row = report.row("SML/2023/0007")
    assert row.outcome == "refused"
    assert "RCB0001 is already recorded: a payment of 10,000.00 USD on 2024-03-01 for " \
        "licence LML/2015/0002" in " ".join(row.reasons)  # fmt: skip
    assert totals(session)["payments"] == 1


def test_the_upload_page_reports_bad_money_per_row(client, sewa, admin, tmp_path):  # noqa: F811
    cells = list(GOOD["LML/2015/0002"])
    cells[MONEY.index("Balance Currency")] = "XYZ"
    path = write(tmp_path, {**GOOD, "LML/2015/0002": cells})
    response = _upload(client, admin, path.read_bytes(), "money.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:800]
    assert "currency XYZ is not one the fee schedules charge in" in html
