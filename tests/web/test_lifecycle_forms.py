"""The law's lifecycle rules through the officer forms: renewal window, notices, conditions."""

from __future__ import annotations

from licence_support import lapsed_notice

from cadastre.models import Licence
from tests.page_support import login, token
from tests.web.walk_support import walked_near_expiry


def test_renew_form_refuses_outside_the_window_and_says_its_dates(
    client, register, session, profile, walked
):
    walked(register["licence"])
    session.commit()
    login(client, "supervisor")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="renewal-window"' in html
    assert 'id="max-depth">20 m' in html and 'id="mechanised">allowed' in html
    response = client.post(
        f"{url}/actions/renew",
        data={"renew-csrf_token": token(html), "renew-reason": "Renewal fee paid"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The action was refused" in page and "the window has not opened yet" in page
    session.expire_all()
    assert session.get(Licence, register["licence"]).renewals == 0


def test_renew_form_inside_the_window(client, register, session, profile, settings):
    walked_near_expiry(session, profile, register["licence"], settings.documents_dir, 15)
    session.commit()
    login(client, "supervisor")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/actions/renew",
        data={"renew-csrf_token": token(html), "renew-reason": "Renewal fee paid"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Licence, register["licence"]).renewals == 1


def test_notice_form_then_suspension_waits_for_the_remedy_period(
    client, register, session, profile, walked
):
    walked(register["licence"])
    session.commit()
    login(client, "supervisor")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="no-notices"' in html and "Issue a notice" in html
    assert profile.notices.default_cause.split()[0] in html  # the cause comes pre-filled
    # suspension without a notice: refused beside the form
    response = client.post(
        f"{url}/actions/suspend",
        data={"suspend-csrf_token": token(html), "suspend-reason": "Report overdue"},
    )
    assert response.status_code == 422 and "without notice" in response.get_data(as_text=True)
    # a notice without a breach: refused, nothing recorded
    response = client.post(f"{url}/notices", data={"notice-csrf_token": token(html)})
    assert response.status_code == 422
    response = client.post(
        f"{url}/notices",
        data={
            "notice-csrf_token": token(html),
            "notice-breach": "Annual report for 2026 not filed.",
            "notice-cause": profile.notices.default_cause,
        },
    )
    assert response.status_code == 302
    printable = client.get(response.headers["Location"])
    page = printable.get_data(as_text=True)
    assert printable.status_code == 200 and "Annual report for 2026 not filed." in page
    assert "css/print.css" in page and "data-print-page" in page
    assert f"{profile.notices.remedy_days} days" in page and profile.notices.source in page
    html = client.get(url).get_data(as_text=True)
    assert "Notice " in html and "remedy by" in html
    response = client.post(
        f"{url}/actions/suspend",
        data={"suspend-csrf_token": token(html), "suspend-reason": "Report overdue"},
    )
    assert response.status_code == 422 and "to remedy the breach" in response.get_data(as_text=True)


def test_lapsed_notice_allows_suspension_and_remedy_form_prevents_it(
    client, register, session, profile, walked
):
    walked(register["licence"])
    first = lapsed_notice(session, profile, register["licence"])
    session.commit()
    login(client, "supervisor")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/notices/{first.id}/remedied",
        data={f"remedy{first.id}-csrf_token": token(html), f"remedy{first.id}-note": "Filed."},
    )
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/actions/suspend",
        data={"suspend-csrf_token": token(html), "suspend-reason": "Report overdue"},
    )
    assert response.status_code == 422 and "remedied" in response.get_data(as_text=True)
    lapsed_notice(session, profile, register["licence"], breach="Mining below 20 m.")
    session.commit()
    html = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/actions/suspend",
        data={"suspend-csrf_token": token(html), "suspend-reason": "Not remedied"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Licence, register["licence"]).status == "suspended"


def test_officers_may_read_notices_but_not_issue_them(client, register, session, profile, walked):
    walked(register["licence"])
    notice = lapsed_notice(session, profile, register["licence"])
    session.commit()
    login(client, "officer")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    assert "Issue a notice" not in html and "Mark remedied" not in html
    assert client.get(f"{url}/notices/{notice.id}").status_code == 200
    response = client.post(f"{url}/notices", data={"notice-breach": "x"})
    assert response.status_code in (400, 403)
