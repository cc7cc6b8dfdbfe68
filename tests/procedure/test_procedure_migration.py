"""Migration 0016 places the applications a register already holds in their procedure: one
waiting for a decision at its first stage (its clock from the day it was received), one
approved and awaiting payment at the stage after the approval (recorded as done by the
approver, from its history); a granted licence untouched. One history event each, nothing
else changed, and the chain still verifies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from cadastre.migrate import alembic_config, upgrade
from cadastre.services.chain import verify_chain
from cadastre.services.procedure_placement import place_waiting_applications
from tests.conftest import scratch_database

RECEIVED = date(2026, 10, 1)
APPROVED_AT = "2026-11-20T09:30:00+00:00"

OLD_REGISTER = (
    "INSERT INTO holders (id, name, kind) VALUES (1, 'Old Holder Ltd', 'company'),"
    " (2, 'Aminata Sesay', 'individual')",
    # 1: an exploration application waiting for its decision
    "INSERT INTO licences (id, code, licence_type, status, commodities, holder_id, geom, area_ha,"
    " version, renewals, notes, risk_reasons, received_at, district) VALUES (1, 'EL/2026/0001',"
    " 'exploration', 'application', '{gold}', 1,"
    " ST_Multi(ST_MakeEnvelope(-11, 8, -10.99, 8.01, 4326)), 120, 1, 0, '{}', '{}',"
    f" '{RECEIVED}T10:00:00+00:00', 'Kono')",
    # 2: an artisanal licence approved, awaiting payment
    "INSERT INTO licences (id, code, licence_type, status, commodities, holder_id, geom, area_ha,"
    " version, renewals, notes, risk_reasons, received_at, district) VALUES (2, 'AML/2026/0001',"
    " 'artisanal', 'approved', '{diamond}', 2,"
    " ST_Multi(ST_MakeEnvelope(-10.9, 8.6, -10.899, 8.601, 4326)), 1, 2, 0, '{}', '{}',"
    " '2026-11-01T08:00:00+00:00', 'Kono')",
    # 3: a granted exploration licence
    "INSERT INTO licences (id, code, licence_type, status, commodities, holder_id, geom, area_ha,"
    " version, renewals, notes, risk_reasons, received_at, granted_at, expires_at, district)"
    " VALUES (3, 'EL/2025/0001', 'exploration', 'granted', '{gold}', 1,"
    " ST_Multi(ST_MakeEnvelope(-11.2, 8, -11.19, 8.01, 4326)), 120, 2, 0, '{}', '{}',"
    " '2025-01-10T08:00:00+00:00', '2025-03-01', '2029-03-01', 'Kenema')",
    "INSERT INTO licence_events (licence_id, action, actor, at, reason, before, after) VALUES"
    " (1, 'apply', 'clerk', '2026-10-01T10:00:00Z', NULL, NULL,"
    '  \'{"status": "application", "version": 1}\'),'
    " (3, 'apply', 'clerk', '2025-01-10T08:00:00Z', NULL, NULL,"
    '  \'{"status": "application", "version": 1}\'),'
    " (2, 'apply', 'clerk', '2026-11-01T08:00:00Z', NULL, NULL,"
    '  \'{"status": "application", "version": 1}\'),'
    " (3, 'grant', 'boss', '2025-03-01T12:00:00Z', 'ok', '{\"status\": \"application\"}',"
    '  \'{"status": "granted", "version": 2}\'),'
    " (2, 'approve', 'regional.manager', '" + APPROVED_AT + "', NULL,"
    '  \'{"status": "application"}\', \'{"status": "approved", "version": 2}\')',
)
ROWS = (
    "SELECT id, to_jsonb(l) - 'stage' - 'decision_due' - 'version' AS row, version FROM licences l"
)
EVENTS = "SELECT id, licence_id, action, actor, hash FROM licence_events ORDER BY id"


@pytest.fixture(scope="module")
def migrated(database_url, profile):
    """A scratch register: head, down to 0015, the old register inserted, up to head."""
    url = scratch_database(database_url, "procedure_migration")
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "0015")
    engine = create_engine(url)
    with engine.begin() as conn:
        for sql in OLD_REGISTER:
            conn.execute(text(sql))
        old_rows = {r.id: (r.row, r.version) for r in conn.execute(text(ROWS))}
        old_events = conn.execute(text(EVENTS)).all()
    upgrade(url)
    yield engine, old_rows, old_events
    engine.dispose()


def test_a_waiting_application_is_at_the_first_stage_with_its_clock(migrated):
    engine, old_rows, _ = migrated
    with engine.connect() as conn:
        lic = conn.execute(text("SELECT * FROM licences WHERE id = 1")).one()
        rows = conn.execute(text("SELECT * FROM licence_stages WHERE licence_id = 1")).all()
    assert lic.stage == "lodged"
    assert lic.decision_due == RECEIVED + timedelta(days=90)
    assert lic.status == "application" and lic.version == old_rows[1][1] + 1
    assert rows == []


def test_an_approved_licence_waits_after_its_approval_done_by_the_approver(migrated):
    engine, old_rows, _ = migrated
    with engine.connect() as conn:
        lic = conn.execute(text("SELECT * FROM licences WHERE id = 2")).one()
        rows = conn.execute(text("SELECT * FROM licence_stages WHERE licence_id = 2")).all()
    assert (lic.stage, lic.decision_due, lic.status) == ("order_to_pay", None, "approved")
    assert lic.version == old_rows[2][1] + 1
    (row,) = rows
    assert (row.stage, row.position, row.completed_by) == ("approval", 6, "regional.manager")
    assert row.completed_at.isoformat() == APPROVED_AT
    assert "from the approval in the licence's history" in row.note


def test_a_granted_licence_is_untouched(migrated):
    engine, old_rows, old_events = migrated
    with engine.connect() as conn:
        lic = conn.execute(text("SELECT * FROM licences WHERE id = 3")).one()
        events = conn.execute(text("SELECT id FROM licence_events WHERE licence_id = 3")).all()
        stages = conn.execute(text("SELECT 1 FROM licence_stages WHERE licence_id = 3")).all()
    assert (lic.stage, lic.decision_due, lic.version) == (None, None, old_rows[3][1])
    assert len(events) == sum(1 for e in old_events if e.licence_id == 3) and stages == []


def test_one_event_each_and_nothing_else_changed(migrated):
    engine, old_rows, old_events = migrated
    with engine.connect() as conn:
        rows = {r.id: (r.row, r.version) for r in conn.execute(text(ROWS))}
        events = conn.execute(text(EVENTS)).all()
        new = conn.execute(
            text("SELECT licence_id, action, actor, before, after, reason FROM licence_events "
                 "WHERE id > :last ORDER BY licence_id"),
            {"last": max(e.id for e in old_events)},
        ).all()  # fmt: skip
    assert {k: v[0] for k, v in rows.items()} == {k: v[0] for k, v in old_rows.items()}
    assert events[: len(old_events)] == old_events  # the old events and their links unchanged
    assert [(e.licence_id, e.action, e.actor) for e in new] == [
        (1, "procedure", "migration"),
        (2, "procedure", "migration"),
    ]
    first, approved = new
    assert first.after["stage"] == "lodged" and first.after["version"] == old_rows[1][1] + 1
    assert first.before == {"status": "application", "version": 1}
    assert "stage 1 of 6" in first.reason and "nothing else changed" in first.reason
    assert approved.after["stage"] == "order_to_pay" and approved.after["status"] == "approved"
    assert "stage 7 of 8" in approved.reason


def test_the_chain_verifies_and_placing_again_does_nothing(migrated, profile):
    engine, _, _ = migrated
    with Session(engine) as session:
        result = verify_chain(session)
        assert result.ok, result.mismatch and result.mismatch.text()
        assert result.checked == 7
        assert place_waiting_applications(session.connection(), profile) == 0
        session.rollback()
