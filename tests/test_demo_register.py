"""The demo register is realistic and obeys the rules (all types, no exclusive overlaps)."""

from sqlalchemy import text

from cadastre.services.demo import build_demo_register


def test_demo_register(empty_register, profile):
    session = empty_register
    made = build_demo_register(session, profile)
    assert 450 <= made <= 520
    types = dict(
        session.execute(text("SELECT licence_type, count(*) FROM licences GROUP BY 1")).all()
    )
    assert set(types) == set(profile.licence_types)
    statuses = set(session.execute(text("SELECT DISTINCT status FROM licences")).scalars())
    assert {"application", "granted", "refused", "suspended", "expired"} <= statuses
    kinds = set(
        session.execute(
            text("SELECT DISTINCT h.kind FROM holders h JOIN licences l ON l.holder_id = h.id")
        ).scalars()
    )
    assert kinds == {"company", "individual", "cooperative"}
    # every licence's holder may hold its type as the profile says (domain.eligibility)
    from cadastre.domain.eligibility import HolderFacts, eligibility_fault

    held = session.execute(
        text(
            "SELECT l.code, l.licence_type, h.kind, h.name, h.nationality, h.citizen_members, "
            "h.local_ownership_pct::float FROM licences l JOIN holders h ON h.id = l.holder_id"
        )
    ).all()
    faults = [
        (code, fault)
        for code, ltype, *facts in held
        if (fault := eligibility_fault(profile, profile.licence_type(ltype), HolderFacts(*facts)))
    ]
    assert faults == []
    artisanal_kinds = {kind for _, ltype, kind, *_ in held if ltype == "artisanal"}
    assert artisanal_kinds and "company" not in artisanal_kinds
    overlaps = session.execute(
        text("""
        SELECT count(*) FROM licences a JOIN licences b
          ON a.id < b.id AND ST_Intersects(a.geom, b.geom)
         AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 0.01
        WHERE a.licence_type <> 'reconnaissance' AND b.licence_type <> 'reconnaissance'
    """)
    ).scalar_one()
    assert overlaps == 0
    # every licence has its history, starting with the application
    missing = session.execute(
        text("""
        SELECT count(*) FROM licences l WHERE NOT EXISTS
          (SELECT 1 FROM licence_events e WHERE e.licence_id = l.id AND e.action = 'apply')
    """)
    ).scalar_one()
    assert missing == 0
    # concentrated in the diamond districts, with some close to the land borders
    districts = dict(
        session.execute(text("SELECT district, count(*) FROM licences GROUP BY 1")).all()
    )
    assert sum(districts.get(d, 0) for d in ("Kono", "Kenema", "Bo", "Pujehun")) > made * 0.6
    near = session.execute(
        text("""
        SELECT count(*) FROM licences l WHERE EXISTS (
          SELECT 1 FROM border_lines b WHERE 'SLE' IN (b.country_a, b.country_b)
            AND ST_DWithin(l.geom::geography, b.geom::geography, 10000))
    """)
    ).scalar_one()
    assert near >= 20
    # expired licences really are past their expiry date; granted ones are not
    stale = session.execute(
        text("SELECT count(*) FROM licences WHERE status = 'granted' AND expires_at < now()::date")
    ).scalar_one()
    assert stale == 0
    # every suspension and revocation rests on a notice whose remedy period ran out before it
    unnoticed = session.execute(
        text("""
        SELECT count(*) FROM licence_events e WHERE e.action IN ('suspend', 'revoke')
           AND NOT EXISTS (SELECT 1 FROM licence_notices n WHERE n.licence_id = e.licence_id
                           AND n.remedied_at IS NULL AND n.remedy_by < e.at::date)
    """)
    ).scalar_one()
    assert unnoticed == 0
    # nothing is dated after today: no grant, decision or expiry in the future
    # (clock_timestamp: now() is the start of the test transaction, before the build)
    future = session.execute(
        text("""
        SELECT (SELECT count(*) FROM licences WHERE granted_at > now()::date)
             + (SELECT count(*) FROM licence_events WHERE at > clock_timestamp())
    """)
    ).scalar_one()
    assert future == 0
    # every holder is of a kind the profile allows for the licence type
    pairs = session.execute(
        text(
            "SELECT DISTINCT l.licence_type, h.kind"
            " FROM licences l JOIN holders h ON h.id = l.holder_id"
        )
    ).all()
    assert pairs
    for licence_type, kind in pairs:
        assert kind in profile.licence_type(licence_type).holder_kinds, (licence_type, kind)
