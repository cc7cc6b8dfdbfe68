"""What falls due in the next N days: each kind on its day, the days window, overdue ones
flagged, the role's kinds, district and licence filters, paging."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from cadastre.queries.deadlines import KINDS, falls_due
from tests.deadlines.support import Rows

TODAY = datetime.now(UTC).date()


@pytest.fixture
def rows(empty_register, company):
    return Rows(empty_register, company, TODAY)


def due(session, profile, days=30, role="officer", **kw):
    return falls_due(session, profile, TODAY, days, role, limit=500, **kw)


def found(page, kind, licence_id):
    """The rows of ``kind`` for ``licence_id``."""
    return [i for i in page["items"] if i["kind"] == kind and i["licence_id"] == licence_id]


def only(page, kind, licence_id):
    hits = found(page, kind, licence_id)
    assert len(hits) == 1, (kind, licence_id, page["items"])
    return hits[0]


def test_each_kind_on_its_day(rows, empty_register, profile):
    s = empty_register
    waiting = rows.licence(status="application", stage="lodged", decision_due=10)
    # exploration: window opens 180 days before expiry, closes on the expiry day
    opens = rows.licence("exploration", expires=190)
    expiring = rows.licence("exploration", expires=5)
    with_duty = rows.licence("large_scale", expires=2000)
    obligation = rows.obligation(with_duty, 3, label="Annual report for 2026")
    order = rows.order(with_duty, 12, amount="1000.00", paid="250.00")
    notice = rows.notice(with_duty, -20, 30)
    page = due(s, profile)

    d = only(page, "decision", waiting)
    assert (d["date"], d["days_left"], d["overdue"]) == (str(rows.day(10)), 10, False)
    assert d["link"] == f"/licences/{waiting}#procedure"
    assert d["licence_code"].startswith("DL/") and d["holder"] == "Kono Test Diamonds Ltd"

    o = only(page, "renewal_opens", opens)
    assert o["date"] == str(rows.day(10)) and str(rows.day(190)) in o["what"]
    assert not found(page, "renewal_closes", opens) and not found(page, "expiry", opens)

    assert only(page, "expiry", expiring)["date"] == str(rows.day(5))
    assert only(page, "renewal_closes", expiring)["date"] == str(rows.day(5))
    assert not found(page, "renewal_opens", expiring)  # opened 175 days ago: open now

    ob = only(page, "obligation", with_duty)
    assert (ob["ref_id"], ob["date"], ob["what"]) == (obligation, str(rows.day(3)),
                                                      "Annual report for 2026")  # fmt: skip
    p = only(page, "payment", with_duty)
    assert p["ref_id"] == order and p["date"] == str(rows.day(12))
    assert "750.00 USD owed" in p["what"] and p["link"].endswith("#money")
    n = only(page, "notice", with_duty)
    assert n["ref_id"] == notice and n["date"] == str(rows.day(10)) and n["days_left"] == 10

    dates = [i["date"] for i in page["items"]]
    assert dates == sorted(dates)
    assert page["total"] == len(page["items"]) == 7
    assert page["counts"]["decision"] == 1 and page["counts"]["renewal_opens"] == 1
    assert page["overdue"] == 0


def test_renewal_window_closing_before_expiry(rows, empty_register, profile):
    """A type whose window closes 30 days before expiry: the closing day is expiry - 30;
    a type with no window, or a licence with no renewal left, has no window rows."""
    spec = profile.licence_types["exploration"]
    closing = dataclasses.replace(spec, renewal_opens_days=120, renewal_closes_days=30)
    no_window = dataclasses.replace(profile.licence_types["small_scale"], renewal_opens_days=None)
    changed = dataclasses.replace(
        profile,
        licence_types={**profile.licence_types, "exploration": closing, "small_scale": no_window},
    )
    lic = rows.licence("exploration", expires=50)
    spent = rows.licence("exploration", expires=45, renewals=spec.renewals)
    small = rows.licence("small_scale", expires=20)
    page = due(empty_register, changed)
    assert only(page, "renewal_closes", lic)["date"] == str(rows.day(20))
    assert not found(page, "renewal_opens", lic)  # opened 70 days ago
    assert not found(page, "expiry", lic)  # expires in 50 days, past the window of 30
    assert not [i for i in page["items"] if i["licence_id"] == spent and "renewal" in i["kind"]]
    assert only(page, "expiry", small) and not found(page, "renewal_closes", small)
    # the profile's own windows close on the expiry day itself
    own = due(empty_register, profile, days=60)
    assert only(own, "renewal_closes", lic)["date"] == str(rows.day(50))
    assert only(own, "renewal_closes", small)["date"] == str(rows.day(20))


def test_days_window_is_inclusive_and_bounded(rows, empty_register, profile):
    lic = rows.licence("large_scale", expires=3000)
    at_edge = rows.obligation(lic, 30)
    beyond = rows.obligation(lic, 31)
    ids = {i["ref_id"] for i in due(empty_register, profile, days=30)["items"]}
    assert at_edge in ids and beyond not in ids
    ids = {i["ref_id"] for i in due(empty_register, profile, days=31)["items"]}
    assert {at_edge, beyond} <= ids
    ids = {i["ref_id"] for i in due(empty_register, profile, days=1)["items"]}
    assert not {at_edge, beyond} & ids


def test_overdue_listed_and_flagged_closed_ones_not(rows, empty_register, profile):
    s = empty_register
    late_app = rows.licence(status="application", stage="lodged", decision_due=-3)
    decided = rows.licence(status="approved", stage=None, decision_due=None)
    past_expiry = rows.licence("large_scale", expires=-2)  # not yet marked expired
    expired = rows.licence("large_scale", status="expired", expires=-40)
    lic = rows.licence("large_scale", expires=3000)
    late = rows.obligation(lic, -5)
    waived = rows.obligation(lic, -6, status="waived")
    unpaid = rows.order(lic, -100)
    paid = rows.order(lic, -90, status="paid", paid="1000.00")
    ran_out = rows.notice(lic, -40, 30)
    remedied = rows.notice(lic, -40, 20, remedied=True)
    page = due(s, profile, days=7)

    for kind, licence_id, days in (("decision", late_app, -3), ("expiry", past_expiry, -2),
                                   ("obligation", lic, -5), ("payment", lic, -100),
                                   ("notice", lic, -10)):  # fmt: skip
        item = only(page, kind, licence_id)
        assert item["overdue"] is True and item["days_left"] == days, item
    listed = {(i["kind"], i["ref_id"]) for i in page["items"]}
    assert ("obligation", late) in listed and ("obligation", waived) not in listed
    assert ("payment", unpaid) in listed and ("payment", paid) not in listed
    assert ("notice", ran_out) in listed and ("notice", remedied) not in listed
    assert not [i for i in page["items"] if i["licence_id"] in (decided, expired)]
    assert page["overdue"] == 5 == sum(i["overdue"] for i in page["items"])
    assert page["items"][0]["kind"] == "payment"  # the oldest first


def test_role_scoping_and_kinds(rows, empty_register, profile):
    s = empty_register
    rows.licence(status="application", stage="lodged", decision_due=4)
    lic = rows.licence("large_scale", expires=10)
    rows.obligation(lic, 2)
    order = rows.order(lic, 6)
    everything = {
        role: due(s, profile, role=role) for role in ("viewer", "officer", "supervisor", "admin")
    }
    for role, page in everything.items():
        assert page["kinds"] == list(KINDS), role
        assert {i["kind"] for i in page["items"]} == {
            "decision", "expiry", "renewal_closes", "obligation", "payment"
        }  # fmt: skip
    finance = due(s, profile, role="finance")
    assert finance["kinds"] == ["payment"] and finance["total"] == 1
    assert [i["ref_id"] for i in finance["items"]] == [order]
    # kinds narrow within the role's; finance cannot widen its own
    narrowed = due(s, profile, kinds=("obligation", "decision"))
    assert {i["kind"] for i in narrowed["items"]} == {"obligation", "decision"}
    assert due(s, profile, role="finance", kinds=("obligation",))["total"] == 0


def test_district_and_licence_filters(rows, empty_register, profile):
    s = empty_register
    kono = rows.licence("large_scale", expires=10, district="Kono")
    kenema = rows.licence("large_scale", expires=12, district="Kenema")
    for lic in (kono, kenema):
        rows.obligation(lic, 3)
        rows.order(lic, 4)
        rows.notice(lic, -1, 5)
    rows.licence(status="application", stage="lodged", decision_due=2, district="Kenema")
    page = due(s, profile, district="Kono")
    assert page["total"] == 5 and {i["licence_id"] for i in page["items"]} == {kono}
    assert {i["district"] for i in page["items"]} == {"Kono"}
    assert due(s, profile, district="Kenema")["total"] == 6
    one = due(s, profile, licence_id=kenema)
    assert one["total"] == 5 and {i["licence_id"] for i in one["items"]} == {kenema}
    assert due(s, profile, district="Kono", licence_id=kenema)["total"] == 0


def test_paging(rows, empty_register, profile):
    s = empty_register
    lic = rows.licence("large_scale", expires=3000)
    made = [rows.obligation(lic, d) for d in range(-6, 24, 2)] + [
        rows.order(lic, d) for d in range(-5, 25, 3)
    ]
    whole = falls_due(s, profile, TODAY, 30, "officer", limit=500)
    assert whole["total"] == len(made) == len(whole["items"])
    pages = [
        falls_due(s, profile, TODAY, 30, "officer", offset=o, limit=7)
        for o in range(0, len(made) + 7, 7)
    ]
    assert all(p["total"] == len(made) for p in pages)
    assert [len(p["items"]) for p in pages] == [7, 7, 7, 4, 0]
    joined = [(i["kind"], i["ref_id"]) for p in pages for i in p["items"]]
    assert joined == [(i["kind"], i["ref_id"]) for i in whole["items"]]
    assert len(set(joined)) == len(made)
    dates = [i["date"] for i in whole["items"]]
    assert dates == sorted(dates)
