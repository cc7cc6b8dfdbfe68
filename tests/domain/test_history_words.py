"""What a licence event changed, in words (pure: snapshots in, sentences out)."""

from cadastre.domain.history_words import describe_change, past_tense

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
HALF = {"type": "Polygon", "coordinates": [[[0, 0], [0.5, 0], [0.5, 1], [0, 1], [0, 0]]]}


def snap(**kw):
    base = {
        "code": "SML/2026/0001",
        "status": "granted",
        "licence_type": "small_scale",
        "holder_id": 1,
        "commodities": ["diamond"],
        "area_ha": 100.0,
        "granted_at": "2026-01-10",
        "expires_at": "2031-01-09",
        "renewals": 0,
        "district": "Kono",
        "version": 2,
        "geometry": SQUARE,
    }
    return {**base, **kw}


def test_transfer_names_the_old_and_new_holder():
    c = describe_change(
        "transfer", snap(), snap(holder_id=2), {1: "Tamba Sandi", 2: "Yengema Miners Cooperative"}
    )
    assert c.lines == ("Transferred from Tamba Sandi to Yengema Miners Cooperative.",)
    assert not c.ground_changed


def test_a_holder_the_reader_may_not_see_is_named_by_number():
    c = describe_change("transfer", snap(), snap(holder_id=7), {1: "Tamba Sandi"})
    assert c.lines == ("Transferred from Tamba Sandi to holder #7.",)


def test_renewal_gives_old_and_new_expiry():
    c = describe_change("renew", snap(), snap(expires_at="2034-01-09", renewals=1))
    assert "Expiry extended from 2031-01-09 to 2034-01-09." in c.lines
    assert "Renewal number 1." in c.lines
    assert not c.ground_changed


def test_partial_relinquishment_gives_area_before_and_after_and_the_ground():
    c = describe_change(
        "relinquish", snap(area_ha=1234.5678), snap(area_ha=617.2839, geometry=HALF)
    )
    assert c.lines == ("Area reduced from 1,234.57 ha to 617.28 ha (617.28 ha given up).",)
    assert c.ground_changed
    assert c.geometry_before == SQUARE and c.geometry_after == HALF


def test_renewal_with_area_reduction_says_both():
    c = describe_change(
        "renew", snap(), snap(expires_at="2034-01-09", area_ha=80.0, geometry=HALF, renewals=1)
    )
    assert c.lines[:2] == (
        "Expiry extended from 2031-01-09 to 2034-01-09.",
        "Area reduced from 100.00 ha to 80.00 ha (20.00 ha given up).",
    )
    assert c.ground_changed


def test_whole_relinquishment_and_status_changes():
    c = describe_change("relinquish", snap(), snap(status="relinquished"))
    assert c.lines == ("Status: granted → relinquished.", "The whole area given up: 100.00 ha.")
    assert not c.ground_changed


def test_grant_sets_expiry_and_first_event_says_what_it_started_as():
    c = describe_change(
        "grant", snap(status="application", expires_at=None, granted_at=None), snap()
    )
    assert c.lines[0] == "Status: application → granted."
    assert "Expires on 2031-01-09." in c.lines
    first = describe_change("apply", None, snap(status="application", expires_at=None), {1: "A"})
    assert first.lines == ("Holder: A.", "Area: 100.00 ha.")


def test_no_change_says_nothing():
    assert describe_change("suspend", snap(), snap()).lines == ()


def test_past_tense():
    assert past_tense("grant") == "granted"
    assert past_tense("withdraw") == "withdrawn"
    assert past_tense("transfer") == "transferred"
    assert past_tense("relinquish") == "relinquished"


def test_a_field_set_for_the_first_time_is_said_once():
    c = describe_change("grant", snap(status="application", granted_at=None), snap())
    assert "Grant date: 2026-01-10." in c.lines


def test_a_stage_moved_is_said_and_the_end_of_the_procedure_too():
    before = {"status": "application", "stage": "survey"}
    moved = describe_change("stage", before, {**before, "stage": "surface_rent_agreement"})
    assert moved.lines == ("Now waits at stage surface_rent_agreement (was survey).",)
    done = describe_change(
        "finalise",
        {"status": "approved", "stage": "finalisation"},
        {"status": "granted", "stage": None},
    )
    assert "Procedure complete (last stage: finalisation)." in done.lines
    assert describe_change("renew", {"stage": None}, {"stage": None}).lines == ()
