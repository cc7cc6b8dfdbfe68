"""One bad application, four ways in: the API, the officer's form, its Check step and the
importer judge it by the same reasons, in the same words (``domain.application_rules``); the
importer refuses only what it cannot record and flags the rest (``importer.rows``)."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import pytest
from licence_support import KONO, make_holder, square_ha
from shapely.geometry import mapping
from sqlalchemy import func, select

from cadastre.domain.application_rules import Application, check_application
from cadastre.domain.geometry import geodesic_area_ha
from cadastre.importer.service import import_register
from cadastre.models import Licence
from cadastre.services.users import add_user

PASSWORD = "correct-horse-battery"
HOLDER = "Musu Conteh"
DISTRICT = "Kono " + "x" * 60  # 65 characters
SHAPE = square_ha(*KONO, 13_000.0)  # a large-scale licence may cover at most 12,500 ha


@pytest.fixture
def company(empty_register) -> int:
    holder_id = make_holder(empty_register, "individual", HOLDER)
    add_user(empty_register, "t_officer", "officer", password=PASSWORD)
    empty_register.commit()
    return holder_id


@pytest.fixture
def expected(profile) -> list[str]:
    """The four refusals, in the rules' own words."""
    decision = check_application(
        profile,
        Application(
            licence_type="large_scale",
            commodities=["diamond", "unobtainium"],
            holder_kind="individual",
            holder_name=HOLDER,
            district=DISTRICT,
            area_ha=geodesic_area_ha(SHAPE),
        ),
    )
    messages = decision.messages()
    assert [e["field"] for e in decision.errors] == [
        "commodities",
        "holder_id",
        "district",
        "geometry",
    ]
    assert "Unknown commodity 'unobtainium'" in messages[0]
    assert (
        f"A large-scale licence may be held only by a company; {HOLDER} is an individual"
        in (messages[1])
    )
    assert "60 characters or fewer" in messages[2]
    assert "a large-scale licence may cover at most 12,500 ha" in messages[3]
    return messages


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def _form(client, company) -> dict:
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"username": "t_officer", "password": PASSWORD, "csrf_token": _csrf(page)}
    )
    page = client.get("/licences/new").get_data(as_text=True)
    return {
        "csrf_token": _csrf(page),
        "holder_mode": "existing",
        "holder_id": str(company),
        "licence_type": "large_scale",
        "commodities": ["diamond", "unobtainium"],
        "district": DISTRICT,
        "area_method": "draw",
        "drawn_geometry": json.dumps(mapping(SHAPE)),
    }


def _no_licence(session) -> None:
    assert session.scalar(select(func.count()).select_from(Licence)) == 0


def test_the_api_refuses_it_with_every_reason(client, empty_register, company, expected):
    from licence_support import make_token

    token = make_token(empty_register, "officer", "api-officer")
    body = {
        "holder_id": company,
        "licence_type": "large_scale",
        "commodities": ["diamond", "unobtainium"],
        "district": DISTRICT,
        "geometry": mapping(SHAPE),
    }
    r = client.post("/api/licences", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.get_json()
    assert [e["message"] for e in r.get_json()["errors"]] == expected
    _no_licence(empty_register)


def test_the_api_reports_the_rules_beside_a_malformed_field(
    client, empty_register, company, expected
):
    """A fault in the body's form no longer hides the rules' findings on the other fields,
    the area's included (the API used to ask register_application with no area)."""
    from licence_support import make_token

    token = make_token(empty_register, "officer", "api-officer")
    body = {
        "holder_id": company,
        "licence_type": "large_scale",
        "commodities": ["diamond", "unobtainium"],
        "district": DISTRICT,
        "geometry": mapping(SHAPE),
        "colour": "red",
    }
    r = client.post("/api/licences", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    messages = [e["message"] for e in r.get_json()["errors"]]
    assert messages[-4:] == expected and len(messages) == 5


def test_the_officer_form_refuses_it_with_every_reason(client, empty_register, company, expected):
    response = client.post("/licences/new", data=_form(client, company))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    for message in expected:
        assert message in page, message
    _no_licence(empty_register)


def test_the_check_step_says_what_registering_would_refuse(client, company, expected):
    response = client.post("/licences/check", data=_form(client, company))
    assert response.status_code == 200
    result = response.get_json()
    assert [e["message"] for e in result["errors"]] == expected
    assert [e["field"] for e in result["errors"]] == [
        "commodities",
        "holder_id",
        "district",
        "drawn_geometry",
    ]
    assert result["within_limit"] is False and result["limit_message"] == expected[-1]


def test_the_importer_gives_the_row_every_reason(
    empty_register, profile, company, expected, tmp_path
):
    today = date.today()
    path = tmp_path / "register.csv"
    path.write_text(
        "Licence No,Type,Holder,Status,Minerals,District,Date of application,WKT\n"
        f'LML/1,large_scale,{HOLDER},application,"diamond, unobtainium",{DISTRICT},'
        f'{today.isoformat()},"{SHAPE.wkt}"\n',
        encoding="utf-8",
    )
    report = import_register(empty_register, profile, path, as_of=today)
    row = report.row("LML/1")
    # the same four reasons, in the same words; the district the register cannot hold
    # refuses the row, the rest of today's rules would only flag a legacy title
    assert row.outcome == "refused"
    assert row.reasons[0] == expected[2] and sorted(row.reasons) == sorted(expected)
    _no_licence(empty_register)


def test_a_rule_added_once_holds_on_every_path(client, empty_register, profile, company, tmp_path):
    """The district's hidden-character rule was added to ``check_district`` alone (one
    function, no path touched); the API, the form, the Check step and the importer all
    refuse a district with a zero-width space in it, in the rule's words."""
    from licence_support import make_token

    from cadastre.domain.application_rules import check_district

    district = "Ko\u200bno"
    [rule] = check_district(district)
    assert "U+200B ZERO WIDTH SPACE" in rule["message"]
    token = make_token(empty_register, "officer", "api-officer")
    body = {"holder_id": company, "licence_type": "large_scale", "commodities": ["diamond"]}
    r = client.post(
        "/api/licences",
        json={**body, "district": district, "geometry": mapping(SHAPE)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422 and rule in r.get_json()["errors"]
    form = {**_form(client, company), "district": district}
    page = html.unescape(client.post("/licences/new", data=form).get_data(as_text=True))
    assert rule["message"] in page
    checked = client.post("/licences/check", data=form).get_json()
    assert rule["message"] in [e["message"] for e in checked["errors"]]
    path = tmp_path / "register.csv"
    path.write_text(
        "Licence No,Type,Holder,Status,Minerals,District,Date of application,WKT\n"
        f"LML/1,large_scale,{HOLDER},application,diamond,{district},"
        f'{date.today().isoformat()},"{SHAPE.wkt}"\n',
        encoding="utf-8",
    )
    row = import_register(empty_register, profile, path, as_of=date.today()).row("LML/1")
    assert rule["message"] in row.reasons
    _no_licence(empty_register)


def test_eligibility_holds_on_the_form_the_check_step_and_the_import(
    client, empty_register, profile, company, tmp_path
):
    """The Act's eligibility (a French national may not hold an artisanal licence) is refused
    by the form and the Check step in the rule's words; the importer keeps such a legacy
    title (it exists in the world) and flags it with the same words."""
    from licence_support import make_holder

    jean = make_holder(empty_register, "individual", "Jean Dupont", nationality="FRA")
    empty_register.commit()
    shape = square_ha(*KONO, 0.5)
    rule = (
        "An artisanal licence may be held only by a citizen of Sierra Leone or a cooperative "
        "of citizens; Jean Dupont is a national of France."
    )
    form = {
        **_form(client, company),
        "holder_id": str(jean),
        "licence_type": "artisanal",
        "commodities": ["diamond"],
        "district": "Kono",
        "drawn_geometry": json.dumps(mapping(shape)),
    }
    response = client.post("/licences/new", data=form)
    assert response.status_code == 422
    assert rule in html.unescape(response.get_data(as_text=True))
    checked = client.post("/licences/check", data=form).get_json()
    assert [e["message"] for e in checked["errors"]] == [rule]
    _no_licence(empty_register)
    path = tmp_path / "register.csv"
    path.write_text(
        "Licence No,Type,Holder,Holder kind,Nationality,Status,Minerals,Date of application,WKT\n"
        f"AML/7,artisanal,Jean Dupont,individual,France,application,diamond,"
        f'{date.today().isoformat()},"{shape.wkt}"\n',
        encoding="utf-8",
    )
    row = import_register(empty_register, profile, path, as_of=date.today()).row("AML/7")
    assert row.outcome == "flagged", (row.outcome, row.reasons)
    assert rule in row.reasons
