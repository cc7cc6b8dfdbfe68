"""Migration 0008 chains the events a 0005 database already holds, in id order."""

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from cadastre.migrate import alembic_config, upgrade
from cadastre.services.chain import GENESIS, verify_chain
from tests.conftest import scratch_database

OLD_REGISTER = (
    "INSERT INTO holders (id, name, kind) VALUES (1, 'Old Holder Ltd', 'company')",
    "INSERT INTO licences (id, code, licence_type, status, commodities, holder_id, geom, area_ha,"
    " version, renewals, notes, risk_reasons) VALUES (1, 'EL/2020/0001', 'exploration',"
    " 'granted', '{gold}', 1, ST_Multi(ST_MakeEnvelope(-11, 8, -10.99, 8.01, 4326)), 120, 2, 0,"
    " '{}', '{}')",
    "INSERT INTO licence_events (id, licence_id, action, actor, at, reason, before, after)"
    " VALUES (5, 1, 'grant', 'boss', '2020-03-01T10:00:00Z', 'ok', '{\"status\": \"application\"}',"
    " '{\"status\": \"granted\"}'),"
    " (2, 1, 'apply', 'clerk', '2020-06-01T09:00:00Z', NULL, NULL,"
    " '{\"status\": \"application\"}')",
)


def test_upgrading_from_0005_chains_the_existing_events_in_id_order(database_url):
    url = scratch_database(database_url, "history_migration")
    command.upgrade(alembic_config(url), "0005")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in OLD_REGISTER:
                conn.execute(text(sql))
        upgrade(url)
        with Session(engine) as session:
            rows = session.execute(
                text("SELECT id, chain_seq, prev_hash FROM licence_events ORDER BY id")
            ).all()
            assert [(r.id, r.chain_seq) for r in rows] == [(2, 1), (5, 2)]
            assert bytes(rows[0].prev_hash) == GENESIS
            result = verify_chain(session)
            assert result.ok and result.checked == 2 and result.head.seq == 2
    finally:
        engine.dispose()
