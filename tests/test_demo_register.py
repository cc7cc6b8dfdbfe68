"""The demo register is realistic and obeys the rules (all types, no exclusive overlaps)."""

from sqlalchemy import text

from cadastre.services.demo import build_demo_register
from cadastre.services.document_store import FileStore


def test_demo_register(empty_register, profile, tmp_path):
    session = empty_register
    store = FileStore(tmp_path / "documents")
    made = build_demo_register(session, profile, store=store)
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
    _demo_money(session, profile)
    _demo_procedures(session, profile, store)
    _demo_mail(session, profile)


def _demo_mail(session, profile):
    """Holders and officers have addresses on example.org, so the demo queues real mail."""
    from datetime import UTC, datetime

    from cadastre.services.digest import queue_digests

    assert session.execute(text("SELECT count(*) FROM holders WHERE email IS NULL")).scalar() == 0
    officers = session.execute(text("SELECT username, email FROM users ORDER BY 1")).all()
    assert officers and all(e.endswith("@example.org") for _, e in officers)
    queued = dict(
        session.execute(text("SELECT kind, count(*) FROM outbox_messages GROUP BY 1")).all()
    )
    granted = session.execute(
        text("SELECT count(*) FROM licence_events WHERE action IN ('grant', 'finalise')")
    ).scalar()
    notices = session.execute(text("SELECT count(*) FROM licence_notices")).scalar()
    assert queued.get("licence_granted") == granted > 0
    assert queued.get("licence_notice") == notices > 0
    assert queued.get("licence_refused", 0) > 0
    assert (
        session.execute(
            text("SELECT count(*) FROM outbox_messages WHERE to_address NOT LIKE '%@example.org'")
        ).scalar()
        == 0
    )
    digests = queue_digests(session, profile, datetime.now(UTC).date())
    assert digests.queued  # the demo leaves files waiting for its officers


def _demo_procedures(session, profile, store):
    """Every demo file went through its procedure: pending applications wait at every
    artisanal step and at the larger licences' stages (some past their decision day); every
    licence that was granted completed each stage of its procedure, in order; the documents
    the stages needed are on file, the store holding one file per kind of document."""
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    waiting = session.execute(
        text("SELECT licence_type, stage, count(*) FROM licences WHERE stage IS NOT NULL "
             "AND status IN ('application', 'approved') GROUP BY 1, 2")
    ).all()  # fmt: skip
    artisanal = {stage for ltype, stage, _n in waiting if ltype == "artisanal"}
    assert artisanal == {s.name for s in profile.procedure("artisanal").stages}
    larger = {stage for ltype, stage, _n in waiting if ltype != "artisanal"}
    assert {"lodged", "gps_validation", "board_recommendation", "decision"} <= larger
    # every pending file waits at a stage; no granted one does
    assert session.scalar(text(
        "SELECT count(*) FROM licences WHERE (stage IS NULL AND status IN ('application', "
        "'approved')) OR (stage IS NOT NULL AND granted_at IS NOT NULL)")) == 0  # fmt: skip
    overdue = session.scalar(
        text("SELECT count(*) FROM licences WHERE stage IS NOT NULL AND decision_due < :d"),
        {"d": today},
    )
    assert overdue >= 1
    # granted through the procedure: every stage complete, in order, the last on the grant day
    granted = session.execute(
        text("""
        SELECT l.code, l.licence_type, l.granted_at,
               array_agg(s.stage ORDER BY s.position) AS stages,
               array_agg(s.stage ORDER BY s.completed_at, s.id) AS in_time,
               max(s.completed_at) AS last
          FROM licences l LEFT JOIN licence_stages s ON s.licence_id = l.id
         WHERE l.granted_at IS NOT NULL GROUP BY l.id
    """)
    ).all()
    assert len(granted) > 200
    for code, ltype, granted_at, stages, in_time, last in granted:
        names = [s.name for s in profile.procedure(ltype).stages]
        assert stages == names == in_time, (code, stages)
        assert last.date() == granted_at, (code, last, granted_at)
    # each stage was completed by a role it allows; the refusals were at a refusal stage
    roles = session.execute(
        text("SELECT l.licence_type, s.stage, s.role FROM licence_stages s "
             "JOIN licences l ON l.id = s.licence_id GROUP BY 1, 2, 3")
    ).all()  # fmt: skip
    for ltype, stage, role in roles:
        assert role in profile.procedure(ltype).stage(stage).roles, (ltype, stage, role)
    refused_at = session.execute(
        text("SELECT l.licence_type, e.before->>'stage' FROM licence_events e "
             "JOIN licences l ON l.id = e.licence_id WHERE e.action = 'refuse'")
    ).all()  # fmt: skip
    assert refused_at
    for ltype, stage in refused_at:
        assert profile.procedure(ltype).stage(stage).refusal, (ltype, stage)
    # documents: on file for the stages that needed them, dated with them; few files kept
    docs = session.execute(
        text("""
        SELECT d.kind, count(*), count(DISTINCT d.sha256),
               count(*) FILTER (WHERE d.uploaded_at::date > s.completed_at::date) AS late
          FROM licence_documents d JOIN licence_stages s ON s.licence_id = d.licence_id
           AND s.stage = CASE d.kind WHEN 'survey_sheet' THEN 'survey'
                 WHEN 'surface_rent_agreement' THEN 'surface_rent_agreement'
                 WHEN 'environmental_management_plan' THEN 'verification'
                 WHEN 'application_form' THEN 'lodged'
                 WHEN 'board_minutes' THEN 'board_recommendation' END
         GROUP BY 1
    """)
    ).all()
    assert {kind for kind, *_ in docs} == {"survey_sheet", "surface_rent_agreement",
        "environmental_management_plan", "application_form", "board_minutes"}  # fmt: skip
    for kind, n, files, late in docs:
        assert n > 5 and files == 1 and late == 0, (kind, n, files, late)
    kept = [p for p in store.root.rglob("*") if p.is_file()]
    assert len(kept) == len(docs)


def _demo_money(session, profile):
    """The demo shows money: this year's charges raised, most paid, some in part, some
    overdue; past years not invented as arrears; nothing dated after today."""
    from datetime import UTC, datetime

    from cadastre.services.charges import run_charges
    from cadastre.services.demo_money import FINANCE

    today = datetime.now(UTC).date()
    assert session.scalar(text("SELECT count(*) FROM licences WHERE charges_from IS NULL")) == 0
    assert session.scalar(text("SELECT count(DISTINCT charges_from) FROM licences")) == 1
    orders = session.execute(
        text("""
        SELECT count(*) FILTER (WHERE status = 'paid') AS paid,
               count(*) FILTER (WHERE status = 'open' AND paid > 0) AS partial,
               count(*) FILTER (WHERE status = 'open' AND due_on < :d) AS overdue,
               count(*) FILTER (WHERE raised_on > :d) AS future,
               count(*) FILTER (WHERE kind = 'annual_charge' AND period_end <= :d
                                AND status = 'open') AS old_arrears
          FROM orders_to_pay
    """),
        {"d": today},
    ).one()
    assert orders.paid > 100 and orders.partial >= 1 and orders.overdue >= 1, orders
    assert orders.future == 0 and orders.old_arrears == 0, orders
    # an artisanal application approved and waiting for its order to pay
    assert session.scalar(text("SELECT count(*) FROM licences WHERE status = 'approved'")) >= 1
    payments = session.execute(
        text("""
        SELECT count(*) AS n, count(DISTINCT recorded_by) AS who, max(recorded_by) AS actor,
               count(*) FILTER (WHERE paid_on > :d) AS future,
               count(*) FILTER (WHERE receipt_number IS NULL) AS no_receipt
          FROM payments
    """),
        {"d": today},
    ).one()
    assert payments.n > 100 and (payments.who, payments.actor) == (1, FINANCE)
    assert payments.future == 0 and payments.no_receipt == 0
    # every order and payment is in the ledger, dated no later than now
    ledger = dict(
        session.execute(text("SELECT action, count(*) FROM ledger_events GROUP BY 1")).all()
    )
    assert ledger["order_raised"] == session.scalar(text("SELECT count(*) FROM orders_to_pay"))
    assert ledger["payment_recorded"] == payments.n
    assert (
        session.scalar(text("SELECT count(*) FROM ledger_events WHERE at > clock_timestamp()")) == 0
    )
    # the allocations add up: what orders say is paid is what payments gave them
    paid, allocated = session.execute(
        text(
            "SELECT (SELECT sum(paid) FROM orders_to_pay), "
            "(SELECT sum(amount) FROM payment_allocations)"
        )
    ).one()
    assert paid == allocated
    # the current year is raised already: running the charges again raises nothing
    assert run_charges(session, profile, today).raised == 0
