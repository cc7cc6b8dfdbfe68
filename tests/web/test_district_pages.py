"""The licence list's District column and filter, and the dashboard by district."""

from __future__ import annotations

import re

from shapely.geometry import box

from cadastre.services.licences import register_application
from tests.page_support import login


def _apply(session, profile, holder_id, district, x):
    lic = register_application(
        session,
        profile,
        holder_id=holder_id,
        licence_type="small_scale",
        commodities=["gold"],
        geometry=box(x, 8.30, x + 0.0005, 8.3005),
        actor="seed",
        district=district,
    )
    return lic.code


def test_list_shows_and_filters_by_district(client, register, session, profile):
    kono = _apply(session, profile, register["holder"], "Kono", -10.70)
    tonk = _apply(session, profile, register["holder"], "Tonkolili", -10.69)
    session.commit()
    login(client, "viewer")
    html = client.get("/licences").get_data(as_text=True)
    assert '<th scope="col">District</th>' in html
    options = re.findall(
        r'<option value="([^"]*)"', html.split('id="district"')[1].split("</select>")[0]
    )
    assert "Tonkolili" in options  # in use, though not in the profile
    assert "Kambia" in options  # in the profile, though no licence names it
    html = client.get("/licences?district=Kono").get_data(as_text=True)
    assert kono in html and tonk not in html and register["code"] not in html
    assert '<option value="Kono" selected>' in html
    assert "1 licence found" in html
    csv_text = client.get("/licences.csv?district=Tonkolili").get_data(as_text=True)
    assert tonk in csv_text and kono not in csv_text


def test_dashboard_counts_by_district_and_filters_by_one(client, register, session, profile):
    _apply(session, profile, register["holder"], "Kono", -10.70)
    _apply(session, profile, register["holder"], "Kono", -10.69)
    _apply(session, profile, register["holder"], "Bo", -10.68)
    session.commit()
    login(client, "viewer")
    html = client.get("/dashboard").get_data(as_text=True)
    table = html.split('id="district-table"')[1].split("</table>")[0]
    assert re.search(r">Kono</a></th>.*?<td class=\"num\">2</td></tr>", table, re.S)
    assert "No district given" in table and "National" in table
    assert "4 licences and applications in the register" in html
    html = client.get("/dashboard?district=Kono").get_data(as_text=True)
    assert "Dashboard: Kono" in html
    assert "2 licences and applications in Kono district" in html
    waiting = html.split("Applications waiting longest")[1].split("</section>")[0]
    assert "SML/" in waiting and register["code"] not in waiting  # its district is not Kono
    assert 'href="/licences?district=Kono&amp;status=application' in html
