"""The money pages through Flask's test client: the licence's Money section, the order to
pay, Finance's payment form (only Finance; errors beside the field, nothing stored), the
receipt and its reversal, the holder's statement and its CSV, the finance home, arrears."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from licence_support import make_holder
from shapely.geometry import box
from sqlalchemy import func, select, update

from cadastre.models import Licence, OrderToPay, Payment
from cadastre.services.applications import receive_application
from tests.page_support import login, token

TODAY = date.today().isoformat()


@pytest.fixture
def artisanal(register, session, profile) -> dict:
    """A cooperative's artisanal application (its application fee raised on receipt)."""
    holder_id = make_holder(session, "cooperative", "Bumbuna Gold Diggers")
    lic, refused = receive_application(
        session,
        profile,
        holder_id=holder_id,
        licence_type="artisanal",
        commodities=["gold"],
        geometry=box(-10.700, 8.300, -10.6995, 8.3005),
        district="Tonkolili",
        actor="seed",
    )
    assert refused is None
    session.commit()
    return {"id": lic.id, "code": lic.code, "holder": holder_id}


def _approve(walked, session, licence_id: int) -> None:
    """Walk the artisanal application through its procedure to the Regional Manager's
    approval (the application fee paid on the way): it waits at the order to pay."""
    lic = walked(licence_id, until="approval")
    assert lic.status == "approved" and lic.stage == "order_to_pay"
    session.commit()


def _stage(client, lid, name, note=""):
    """Complete stage ``name`` through the licence page's stage form."""
    html = client.get(f"/licences/{lid}").get_data(as_text=True)
    return client.post(
        f"/licences/{lid}/stages/{name}",
        data={"stage-csrf_token": token(html), "stage-note": note},
    )


def _orders(session, licence_id: int) -> list[OrderToPay]:
    session.expire_all()
    return list(
        session.scalars(
            select(OrderToPay).where(OrderToPay.licence_id == licence_id).order_by(OrderToPay.id)
        )
    )


def signed_in(app, role: str):
    """A fresh client signed in as ``role`` (another person at another desk)."""
    other = app.test_client()
    login(other, role)
    return other


def _payments(session) -> int:
    return session.scalar(select(func.count()).select_from(Payment))


def _pay(client, lid, **change):
    html = client.get(f"/payments/new?licence_id={lid}").get_data(as_text=True)
    data = {
        "csrf_token": token(html),
        "licence_id": str(lid),
        "amount": "1750.00",
        "currency": "SLE",
        "paid_on": TODAY,
        "bank": "Rokel Commercial Bank",
        "receipt_number": "RCB 0001",
        **change,
    }
    return client.post("/payments/new", data=data)


def test_licence_page_money_section_and_the_approved_state(app, client, artisanal, session, walked):
    login(client, "officer")
    html = client.get(f"/licences/{artisanal['id']}").get_data(as_text=True)
    assert 'id="money"' in html and 'id="orders-table"' in html
    order = _orders(session, artisanal["id"])[0]
    assert order.number in html and "250.00 SLE" in html
    assert f"/licences/{artisanal['id']}/orders/{order.id}" in html
    assert f"/holders/{artisanal['holder']}/statement" in html
    assert "Record a payment" not in html  # only Finance records
    assert "Finalise licence" not in html  # not approved yet
    _approve(walked, session, artisanal["id"])
    html = client.get(f"/licences/{artisanal['id']}").get_data(as_text=True)
    assert "Approved, awaiting payment" in html and all(
        o.number in html for o in _orders(session, artisanal["id"])
    )
    # in the procedure, the clerk completes its stages (the order to pay, then the
    # finalisation): the stage form, not a second finalise button beside it
    assert 'id="stage-form"' in html and 'id="finalise-form"' not in html
    client = signed_in(app, "finance")
    html = client.get(f"/licences/{artisanal['id']}").get_data(as_text=True)
    assert f"/payments/new?licence_id={artisanal['id']}" in html
    assert 'id="stage-form"' not in html  # Finance does not decide licences


def test_a_licence_without_orders_has_nothing_to_issue(client, register):
    login(client, "officer")
    html = client.get(f"/licences/{register['licence']}").get_data(as_text=True)
    # the small-scale application's fee is its only order, or there is none to issue
    assert 'id="orders-table"' in html or 'id="no-orders"' in html


def test_printable_order_to_pay(client, artisanal, session, profile, walked):
    _approve(walked, session, artisanal["id"])
    annual = _orders(session, artisanal["id"])[1]
    login(client, "officer")
    r = client.get(f"/licences/{artisanal['id']}/orders/{annual.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert annual.number in html and artisanal["code"] in html and "Bumbuna Gold Diggers" in html
    assert profile.authority in html and "at the bank" in html
    assert annual.due_on.isoformat() in html and "print.css" in html
    assert client.get(f"/licences/{register_other(session)}/orders/{annual.id}").status_code == 404


def register_other(session) -> int:
    """Another licence's id (the seeded small-scale application)."""
    return session.scalar(select(Licence.id).where(Licence.licence_type == "small_scale"))


@pytest.mark.parametrize("role", ["viewer", "officer", "supervisor", "admin"])
def test_only_finance_sees_and_posts_the_payment_forms(client, artisanal, session, role):
    login(client, role)
    assert client.get(f"/payments/new?licence_id={artisanal['id']}").status_code == 403
    html = client.get("/dashboard").get_data(as_text=True)
    r = client.post(
        "/payments/new",
        data={
            "csrf_token": token(html),
            "licence_id": str(artisanal["id"]),
            "amount": "250",
            "currency": "SLE",
            "paid_on": TODAY,
            "receipt_number": "X1",
        },
    )
    assert r.status_code == 403
    assert _payments(session) == 0


def test_anonymous_is_sent_to_sign_in(client, artisanal):
    for url in ("/payments/new", "/finance", f"/holders/{artisanal['holder']}/statement"):
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"amount": "0"}, "amount", "greater than zero"),
        ({"amount": "12.345"}, "amount", "is not an amount"),
        ({"currency": "USD"}, "currency", "not USD"),
        ({"paid_on": "2999-01-01"}, "paid_on", "after today"),
        ({"receipt_number": " "}, "receipt_number", "receipt number"),
        ({"licence_id": "NO-SUCH/1"}, "licence_id", "There is no licence"),
        ({"amount": "9999.00"}, "amount", "more than is owed"),
    ],
)
def test_a_bad_payment_comes_back_beside_its_field_and_stores_nothing(
    client, artisanal, session, change, field, words
):
    login(client, "finance")
    r = _pay(client, artisanal["id"], **{"amount": "250.00", **change})
    assert r.status_code == 422, r.status_code
    html = r.get_data(as_text=True)
    assert "The payment was not recorded" in html
    beside = re.search(
        rf'<div class="field[^"]*has-error">\s*<label[^>]*for="{field}".*?</div>', html, re.S
    )
    assert beside and words in beside.group(0), html
    assert (
        f'value="{change.get("receipt_number", "RCB 0001")}"' in html or field == "receipt_number"
    )
    assert _payments(session) == 0


def test_payment_receipt_reversal_and_finalise(app, client, artisanal, session, walked):
    _approve(walked, session, artisanal["id"])
    lid = artisanal["id"]
    login(client, "officer")
    assert _stage(client, lid, "order_to_pay", "Order handed to the applicant").status_code == 302
    r = _stage(client, lid, "finalisation")
    assert r.status_code == 409 and "first annual charge paid" in r.get_data(as_text=True)
    # the direct finalise is refused too, naming the unpaid order
    html = client.get(f"/licences/{lid}").get_data(as_text=True)
    r = client.post(
        f"/licences/{lid}/finalise",
        data={"finalise-csrf_token": token(html), "finalise-version": "", "finalise-reason": ""},
    )
    assert r.status_code == 409 and "unpaid" in r.get_data(as_text=True)
    annual = _orders(session, lid)[1]
    client = signed_in(app, "finance")
    r = _pay(client, lid, amount="1500.00")
    assert r.status_code == 302 and "/receipt" in r.headers["Location"]
    receipt = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "RCB0001" in receipt and "1,500.00 SLE" in receipt and "t_finance" in receipt
    assert annual.number in receipt
    assert {o.status for o in _orders(session, lid)} == {"paid"}
    again = _pay(client, lid, receipt_number="rcb0001", amount="5.00")
    assert again.status_code == 409 and "already recorded" in again.get_data(as_text=True)
    # a reversal needs its reason; then the order is open again
    url = r.headers["Location"].replace("/receipt", "/reverse")
    refused = client.post(url, data={"csrf_token": token(receipt), "reason": " "})
    assert refused.status_code == 422 and "Give the reason" in refused.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token(receipt), "reason": "Cheque bounced"})
    assert done.status_code == 302
    assert [o.status for o in _orders(session, lid)] == ["paid", "open"]
    original = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "REVERSED" in original and "Reverse this payment" not in original
    # paid again, the clerk completes the finalisation stage
    assert _pay(client, lid, amount="1500.00", receipt_number="RCB0002").status_code == 302
    client = signed_in(app, "officer")
    assert _stage(client, lid, "finalisation", "Receipt confirmed").status_code == 302
    session.expire_all()
    assert session.get(Licence, lid).status == "granted"


def test_viewer_may_not_finalise_nor_reverse(client, artisanal, session, walked):
    _approve(walked, session, artisanal["id"])
    login(client, "viewer")
    html = client.get("/dashboard").get_data(as_text=True)
    r = client.post(f"/licences/{artisanal['id']}/finalise", data={"csrf_token": token(html)})
    assert r.status_code == 403
    assert client.post("/payments/1/reverse", data={"csrf_token": token(html)}).status_code == 403


def test_statement_page_and_csv_are_safe(client, artisanal, session):
    login(client, "finance")
    assert _pay(client, artisanal["id"], amount="250.00", bank="=HYPERLINK(1)").status_code == 302
    login_page = client.get(f"/holders/{artisanal['holder']}/statement")
    html = login_page.get_data(as_text=True)
    assert "Bumbuna Gold Diggers" in html and "RCB0001" in html and 'for="year"' in html
    r = client.get(f"/holders/{artisanal['holder']}/statement.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][:3] == ["line", "date", "reference"]
    payment = next(row for row in rows if row[0] == "payment")
    assert payment[2] == "RCB0001" and payment[-1] == "'=HYPERLINK(1)"
    assert any(row[0] == "balance" and row[6] == "0.00" for row in rows)
    year = client.get(f"/holders/{artisanal['holder']}/statement?year=1999")
    assert year.status_code == 200 and "No payments in 1999" in year.get_data(as_text=True)
    assert client.get(f"/holders/{artisanal['holder']}/statement?year=abc").status_code == 422
    assert client.get("/holders/999999/statement").status_code == 404


def test_finance_home_and_dashboard_arrears(app, client, artisanal, session):
    session.execute(
        update(OrderToPay)
        .where(OrderToPay.licence_id == artisanal["id"])
        .values(
            raised_on=date.today() - timedelta(days=90), due_on=date.today() - timedelta(days=60)
        )
    )
    session.commit()
    for role, status in (("viewer", 403), ("officer", 403), ("finance", 200), ("supervisor", 200)):
        assert signed_in(app, role).get("/finance").status_code == status, role
    login(client, "finance")
    html = client.get("/finance").get_data(as_text=True)
    order = _orders(session, artisanal["id"])[0]
    assert order.number in html and 'id="arrears-table"' in html and "250.00 SLE" in html
    dash = client.get("/dashboard").get_data(as_text=True)
    assert 'id="arrears-panel"' in dash and "250.00 SLE" in dash and "/finance" in dash
    page = client.get(f"/licences/{artisanal['id']}").get_data(as_text=True)
    assert 'class="row-alert"' in page and "tag-overdue" in page


def test_every_money_input_has_a_label(client, artisanal, session, profile):
    login(client, "finance")
    pages = [
        client.get(f"/payments/new?licence_id={artisanal['id']}").get_data(as_text=True),
        client.get(f"/holders/{artisanal['holder']}/statement").get_data(as_text=True),
    ]
    for html in pages:
        ids = re.findall(
            r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html
        )
        assert ids
        for name in ids:
            assert f'for="{name}"' in html, name
