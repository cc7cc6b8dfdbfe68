"""The border-risk report: JSON pages with filters, CSV, summary; viewers and up only."""

from __future__ import annotations

import csv
import io

import pytest
from licence_support import make_token

from cadastre.services.border import recompute_all
from tests.border.geodesy import place_square, square

PLAN = [
    # (border, km, licence type, commodities, status)
    ("LBR", 1.5, "artisanal", ["diamond"], "granted"),
    ("LBR", 7.0, "exploration", ["iron_ore"], "granted"),
    ("GIN", 3.0, "small_scale", ["gold"], "application"),
    ("GIN", 18.0, "exploration", ["diamond", "gold"], "granted"),
]


@pytest.fixture
def register(empty_register, profile, borders, sierra_leone, add_licence):
    made = []
    for iso, km, kind, commodities, status in PLAN:
        polygon, _ = place_square(borders(iso), sierra_leone, 0.5, km)
        made.append(add_licence(polygon, kind, commodities, status))
    made.append(add_licence(square(-13.17, 8.42, 400)))  # by Freetown: tier none
    recompute_all(empty_register, profile)
    empty_register.commit()
    return made


@pytest.fixture
def viewer(empty_register):
    return {"Authorization": f"Bearer {make_token(empty_register, 'viewer')}"}


def test_anonymous_callers_are_refused(client, empty_register):
    for url in ("/api/border-risk", "/api/border-risk.csv", "/api/border-risk/summary"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.mimetype == "application/problem+json"


def test_report_lists_flagged_licences_nearest_first(client, register, viewer):
    body = client.get("/api/border-risk", headers=viewer).get_json()
    assert body["numberMatched"] == 4 and body["numberReturned"] == 4
    items = body["items"]
    assert [i["border"]["tier"] for i in items] == ["high", "high", "elevated", "watch"]
    distances = [i["border"]["distance_km"] for i in items]
    assert distances == sorted(distances)
    first = items[0]
    assert set(first) == {"id", "code", "licence_type", "status", "holder_name", "commodities",
                          "border", "risk"}
    assert first["holder_name"] == "Border Test Mining Ltd"
    assert first["border"]["nearest_border"] == "Sierra Leone–Liberia"
    assert first["risk"] == {"level": "high", "reasons": [
        "1.5 km from the Sierra Leone–Liberia border", "diamond licence", "artisanal licence"]}


@pytest.mark.parametrize(
    "query,codes",
    [
        ("tier=high", [0, 2]),
        ("tier=elevated,watch", [1, 3]),
        ("tier=none", [4]),
        ("border=LBR", [0, 1]),
        ("border=Sierra Leone–Guinea", [2, 3]),
        ("commodity=gold", [2, 3]),
        ("licence_type=exploration", [1, 3]),
        ("status=application", [2]),
        ("commodity=diamond&border=GIN", [3]),
    ],
)
def test_filters(client, register, viewer, query, codes):
    body = client.get(f"/api/border-risk?{query}", headers=viewer).get_json()
    assert sorted(i["code"] for i in body["items"]) == sorted(register[c].code for c in codes)
    assert body["numberMatched"] == len(codes)


@pytest.mark.parametrize(
    "query,field",
    [("tier=severe", "tier"), ("border=CIV", "border"), ("commodity=oil", "commodity"),
     ("licence_type=dredging", "licence_type"), ("status=dormant", "status"),
     ("limit=0", "limit"), ("offset=-1", "offset")],
)
def test_bad_filters_are_422_naming_the_field(client, register, viewer, query, field):
    response = client.get(f"/api/border-risk?{query}", headers=viewer)
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"][0]["field"] == field and body["status"] == 422


def test_paging(client, register, viewer):
    body = client.get("/api/border-risk?limit=3", headers=viewer).get_json()
    assert body["numberReturned"] == 3 and body["numberMatched"] == 4
    nxt = next(link["href"] for link in body["links"] if link["rel"] == "next")
    rest = client.get(nxt, headers=viewer).get_json()
    assert [i["border"]["tier"] for i in rest["items"]] == ["watch"]


def test_csv_has_the_same_rows(client, register, viewer):
    response = client.get("/api/border-risk.csv?border=LBR", headers=viewer)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["code"] for r in rows] == [register[0].code, register[1].code]
    assert rows[0]["border_tier"] == "high" and rows[0]["risk_level"] == "high"
    assert rows[0]["risk_reasons"].startswith("1.5 km from the Sierra Leone–Liberia border; ")
    assert rows[0]["boundary_source"] == "Natural Earth 1:10m world-atlas 2.0.2"
    assert float(rows[1]["border_distance_km"]) == pytest.approx(7.0, abs=0.01)


def test_summary_counts_by_tier_and_border(client, register, viewer):
    body = client.get("/api/border-risk/summary", headers=viewer).get_json()
    assert body["total"] == 5
    assert body["by_tier"] == {"high": 2, "elevated": 1, "watch": 1, "none": 1,
                               "not assessed": 0}
    assert body["by_border"]["Sierra Leone–Liberia"]["high"] == 1
    assert body["by_border"]["Sierra Leone–Liberia"]["elevated"] == 1
    # The Freetown licence (tier none) is nearest to the Guinea border, too.
    assert body["by_border"]["Sierra Leone–Guinea"]["total"] == 3
    assert body["by_border"]["Sierra Leone–Guinea"]["none"] == 1
    # artisanal diamond at 1.5 km and small-scale gold at 3 km: high; 18 km diamond: raised
    assert body["by_risk_level"] == {"high": 2, "elevated": 2, "watch": 0, "none": 1,
                                     "not assessed": 0}
    assert body["boundary_source"] == "Natural Earth 1:10m world-atlas 2.0.2"
