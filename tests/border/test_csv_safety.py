"""The border-risk CSV: no cell runs as a formula, negative numbers stay numbers, and a
failure part-way is an error status, never a cut-off file (through a real HTTP server)."""

import csv
import io

import pytest
import requests
from licence_support import make_token

import cadastre.border
from cadastre.models import Holder
from cadastre.services.border import recompute_all
from tests.border.geodesy import place_square
from tests.conftest import serving

HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture
def register(empty_register, profile, borders, sierra_leone, add_licence, holder_id):
    made = [
        add_licence(place_square(borders("LBR"), sierra_leone, 0.5, km)[0], "artisanal",
                    ["diamond"], "granted")
        for km in (1.5, 3.0, 4.0)
    ]
    empty_register.get(Holder, holder_id).name = HOSTILE
    recompute_all(empty_register, profile)
    empty_register.commit()
    return made


@pytest.fixture
def viewer(empty_register):
    return {"Authorization": f"Bearer {make_token(empty_register, 'viewer')}"}


def test_border_csv_quotes_formula_cells(client, register, viewer):
    r = client.get("/api/border-risk.csv", headers=viewer)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == len(register)
    for row in rows:
        assert row["holder_name"] == "'" + HOSTILE
        assert HOSTILE not in row.values()
        assert float(row["border_distance_km"]) >= 0  # the distance is still a number


def test_border_csv_failing_part_way_is_an_error(app, register, viewer, monkeypatch):
    real = cadastre.border.layer_csv

    def layer_csv(*args, **kwargs):
        first = next(iter(real(*args, **kwargs)))
        for _ in range(2000):  # past any buffer a streamed answer would have sent by now
            yield first
        raise RuntimeError("the database went away mid-report")

    monkeypatch.setattr(cadastre.border, "layer_csv", layer_csv)
    with serving(app) as url:
        r = requests.get(f"{url}/api/border-risk.csv", headers=viewer, timeout=60)
    assert r.status_code == 500
    assert "attachment" not in r.headers.get("Content-Disposition", "")
