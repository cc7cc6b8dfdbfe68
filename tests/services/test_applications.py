"""Registering applications: lawful request, ground inside the country, first come first served."""

from __future__ import annotations

import math
import re

import pytest
from licence_support import (
    BOW_TIE,
    GUINEA,
    KONO,
    SEA,
    geojson,
    grant_settled,
    make_holder,
    rect,
    square_ha,
)
from shapely.geometry import Point
from sqlalchemy import func, select

from cadastre.errors import Conflict, ValidationError
from cadastre.models import BorderLine, Licence, LicenceEvent
from cadastre.services.applications import country_shape
from cadastre.services.licences import perform_action, register_application


def apply(session, profile, holder_id, geometry, licence_type="exploration", **kw):
    return register_application(
        session,
        profile,
        holder_id=holder_id,
        licence_type=licence_type,
        commodities=kw.pop("commodities", ["diamond"]),
        geometry=geometry,
        actor="officer.test",
        **kw,
    )


@pytest.fixture
def company(empty_register):
    return make_holder(empty_register, "company")


def count(session, model=Licence):
    return session.scalar(select(func.count()).select_from(model))


def test_accepted_application_is_numbered_timestamped_and_recorded(
    empty_register, profile, company
):
    session = empty_register
    shape = rect(*KONO, 3000)
    lic = apply(session, profile, company, geojson(shape))
    assert re.fullmatch(r"EL/\d{4}/\d{4}", lic.code)
    assert lic.status == "application" and lic.version == 1
    assert lic.received_at is not None and lic.application_number > 0
    assert lic.area_ha == pytest.approx(900, rel=0.01)
    assert lic.notes == []
    events = session.scalars(select(LicenceEvent).where(LicenceEvent.licence_id == lic.id)).all()
    assert [e.action for e in events] == ["apply"]
    assert events[0].before is None and events[0].after["geometry"]["type"] == "MultiPolygon"
    assert events[0].actor == "officer.test"
    # codes are unique and sequential per type and year
    second = apply(session, profile, company, rect(-11.19, 7.88, 2000))
    a, b = int(lic.code.rsplit("/", 1)[1]), int(second.code.rsplit("/", 1)[1])
    assert b == a + 1 and second.application_number > lic.application_number


def test_bow_tie_is_refused_saying_where(empty_register, profile, company):
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, company, BOW_TIE)
    assert err.value.errors[0]["field"] == "geometry"
    assert "cross" in err.value.detail and "longitude -10.97" in err.value.detail
    assert count(empty_register) == 0


@pytest.mark.parametrize("where", [SEA, GUINEA], ids=["sea", "guinea"])
def test_polygon_outside_the_country_is_refused(empty_register, profile, company, where):
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, company, rect(*where, 2000))
    assert "entirely outside Sierra Leone" in err.value.detail
    assert err.value.errors[0]["field"] == "geometry"
    assert count(empty_register) == 0


def _straddling(session, profile, low, high):
    """A 2 km square across the Guinea border with between low and high of it outside."""
    country, _ = country_shape(session, profile)
    line = session.scalars(select(BorderLine.geom).where(BorderLine.country_b == "GIN")).first()
    from geoalchemy2.shape import to_shape

    border = to_shape(line)
    inner = country.representative_point()
    for k in range(1, 40):
        anchor = border.interpolate(k / 40, normalized=True)
        vx, vy = inner.x - anchor.x, inner.y - anchor.y
        n = math.hypot(vx, vy)
        for step_m in range(200, 1200, 50):
            d = step_m / 111_000
            shape = rect(anchor.x + vx / n * d, anchor.y + vy / n * d, 2000)
            share = shape.difference(country).area / shape.area
            if low < share < high:
                return shape, share
    pytest.skip("no straddling square found")


def test_small_excursion_across_the_border_is_accepted_with_a_note(
    empty_register, profile, company
):
    shape, share = _straddling(empty_register, profile, 0.005, 0.04)
    lic = apply(empty_register, profile, company, shape)
    assert len(lic.notes) == 1 and "outside Sierra Leone" in lic.notes[0]
    assert "tolerance" in lic.notes[0]


def test_large_excursion_across_the_border_is_refused(empty_register, profile, company):
    shape, share = _straddling(empty_register, profile, 0.08, 0.6)
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, company, shape)
    assert "lies outside Sierra Leone" in err.value.detail and "at most 5%" in err.value.detail


@pytest.mark.parametrize(
    "licence_type", ["reconnaissance", "exploration", "artisanal", "small_scale", "large_scale"]
)
def test_area_over_the_limit_of_each_type_is_refused(empty_register, profile, licence_type):
    holder = make_holder(empty_register, profile.licence_type(licence_type).holder_kinds[-1])
    limit = profile.licence_type(licence_type).max_area_ha
    centre = (-11.8, 8.5) if licence_type == "reconnaissance" else KONO
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, holder, square_ha(*centre, limit * 1.03), licence_type)
    messages = " ".join(e["message"] for e in err.value.errors)
    assert "may cover at most" in messages
    # just under the limit is lawful
    lic = apply(empty_register, profile, holder, square_ha(*centre, limit * 0.97), licence_type)
    assert lic.area_ha <= limit


def test_holder_kind_commodity_and_type_are_checked_together(empty_register, profile):
    person = make_holder(empty_register, "individual", "Sahr Komba")
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, person, rect(*KONO, 1000), commodities=["unobtainium"])
    fields = {e["field"]: e["message"] for e in err.value.errors}
    assert "only by a company" in fields["holder_id"] and "Sahr Komba" in fields["holder_id"]
    assert "unobtainium" in fields["commodities"]
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, person, rect(*KONO, 1000), licence_type="gravel")
    assert err.value.errors[0]["field"] == "licence_type"
    with pytest.raises(ValidationError) as err:
        apply(empty_register, profile, 987654, rect(*KONO, 1000))
    assert "no holder with id 987654" in err.value.detail
    # an individual may hold an artisanal licence
    assert apply(empty_register, profile, person, rect(*KONO, 80), "artisanal").id


def test_overlap_with_a_granted_licence_is_refused_with_the_overlap(
    empty_register, profile, company
):
    session = empty_register
    first = apply(session, profile, company, rect(*KONO, 2000))
    grant_settled(session, profile, first.id)
    shifted = rect(KONO[0] + 1000 / (111_320 * math.cos(math.radians(KONO[1]))), KONO[1], 2000)
    with pytest.raises(Conflict) as err:
        apply(session, profile, company, shifted)
    conflicts = err.value.extra["conflicts"]
    assert [c["id"] for c in conflicts] == [first.id]
    assert conflicts[0]["code"] == first.code
    assert conflicts[0]["overlap_ha"] == pytest.approx(200, rel=0.015)  # 1 km x 2 km
    assert first.code in err.value.detail
    assert f"{conflicts[0]['overlap_ha']:.1f} ha" in err.value.detail
    assert count(session) == 1


def test_overlap_with_an_earlier_pending_application_is_refused(empty_register, profile, company):
    session = empty_register
    first = apply(session, profile, company, rect(*KONO, 2000))
    miner = make_holder(session, "individual", "Sahr Komba")
    with pytest.raises(Conflict) as err:
        apply(session, profile, miner, rect(*KONO, 90), "artisanal")
    assert [c["id"] for c in err.value.extra["conflicts"]] == [first.id]
    # once the earlier application is refused, the ground is free again
    perform_action(session, profile, first.id, "refuse", actor="sup", reason="incomplete")
    assert apply(session, profile, miner, rect(*KONO, 90), "artisanal").status == "application"


def test_every_conflict_is_listed(empty_register, profile, company):
    session = empty_register
    a = apply(session, profile, company, rect(KONO[0] - 0.01, KONO[1], 900))
    b = apply(session, profile, company, rect(KONO[0] + 0.01, KONO[1], 900))
    with pytest.raises(Conflict) as err:
        apply(session, profile, company, rect(*KONO, 4000))
    assert sorted(c["id"] for c in err.value.extra["conflicts"]) == sorted([a.id, b.id])


def test_edge_touching_neighbours_are_accepted(empty_register, profile, company):
    session = empty_register
    left = rect(*KONO, 1000)
    minx, miny, maxx, maxy = left.bounds
    from shapely.geometry import box

    right = box(maxx, miny, maxx + (maxx - minx), maxy)  # shares the whole east side
    corner = box(maxx, maxy, maxx + 0.005, maxy + 0.005)  # shares one corner
    apply(session, profile, company, left, "small_scale")
    assert apply(session, profile, company, right, "small_scale").status == "application"
    assert apply(session, profile, company, corner, "small_scale").status == "application"


def test_non_exclusive_types_may_overlap(empty_register, profile, company):
    session = empty_register
    el = apply(session, profile, company, rect(*KONO, 3000))
    grant_settled(session, profile, el.id)
    rl = apply(session, profile, company, rect(*KONO, 20_000), "reconnaissance")
    assert rl.status == "application"
    # and an exclusive application is not blocked by a reconnaissance licence
    assert apply(session, profile, company, rect(KONO[0], KONO[1] + 0.05, 1000)).id


def test_legacy_titles_can_skip_priority(empty_register, profile, company):
    session = empty_register
    apply(session, profile, company, rect(*KONO, 2000))
    legacy = apply(
        session, profile, company, rect(*KONO, 1000), check_priority=False, code="EL/2011/0007"
    )
    assert legacy.code == "EL/2011/0007"


def test_point_in_kono_is_inside(empty_register, profile):
    country, prepared = country_shape(empty_register, profile)
    assert prepared.contains(Point(*KONO)) and not country.contains(Point(*SEA))
