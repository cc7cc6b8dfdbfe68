"""The tamper-evident history chain: every event linked by a trigger, guarded against change,
verified by ``cadastre history verify``, its head published at ``/api/history/head``."""

from __future__ import annotations

import hashlib
import json

import pytest
from licence_support import KONO, grant_settled, make_holder, square_ha
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cadastre.services.chain import GENESIS, chain_head, unguarded_history, verify_chain
from cadastre.services.holders import update_holder
from cadastre.services.licences import register_application

LINKS = """
    SELECT 'licence_events' AS tab, id, chain_seq, prev_hash, hash FROM licence_events
    UNION ALL SELECT 'holder_events', id, chain_seq, prev_hash, hash FROM holder_events
    UNION ALL SELECT 'ledger_events', id, chain_seq, prev_hash, hash FROM ledger_events
    ORDER BY chain_seq
"""


@pytest.fixture
def some_history(empty_register, profile):
    """A holder renamed once and a licence applied for and granted through its procedure:
    licence events (the application, documents filed, stages, the approval and the grant), a
    holder event, ledger events (orders raised and paid)."""
    holder_id = make_holder(empty_register, "company", "Tongo Fields Ltd")
    update_holder(
        empty_register, holder_id, {"phone": "+232 76 5"}, actor="officer-a", role="officer"
    )
    licence = register_application(
        empty_register,
        profile,
        holder_id=holder_id,
        licence_type="exploration",
        commodities=["diamond"],
        geometry=square_ha(*KONO, 500),
        actor="officer-a",
    )
    grant_settled(empty_register, profile, licence.id, actor="boss")
    empty_register.flush()
    return {"holder_id": holder_id, "licence_id": licence.id}


def _jsonb_text(value) -> str:
    """PostgreSQL's jsonb text output: keys by length then bytes, ', ' and ': ' separators."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{json.dumps(k)}: {_jsonb_text(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def test_every_event_is_a_link_and_the_definition_is_complete(session, some_history):
    rows = session.execute(text(LINKS)).all()
    assert len(rows) >= 3
    seqs = [r.chain_seq for r in rows]
    assert seqs == list(range(1, len(rows) + 1))
    assert bytes(rows[0].prev_hash) == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert bytes(after.prev_hash) == bytes(before.hash)
    head = chain_head(session)
    assert (head.seq, head.hash) == (rows[-1].chain_seq, bytes(rows[-1].hash).hex())
    # An outside party recomputes a holder event's hash from the documented canonical form.
    (h,) = [r for r in rows if r.tab == "holder_events"]
    e = session.execute(
        text(
            "SELECT id, holder_id, action, actor, reason, before, after, "
            "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS at "
            "FROM holder_events WHERE id = :i"
        ),
        {"i": h.id},
    ).one()
    head = [h.chain_seq, "holder_events", e.id, e.holder_id, e.action, e.actor, e.at, e.reason]
    canonical = "\n".join(
        [
            "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in head) + "]",
            _jsonb_text(e.before),
            _jsonb_text(e.after),
        ]
    )
    digest = hashlib.sha256(bytes(h.prev_hash) + canonical.encode()).digest()
    assert digest == bytes(h.hash)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE licence_events SET reason = 'rewritten'",
        "DELETE FROM licence_events",
        "TRUNCATE licence_events CASCADE",
        "UPDATE holder_events SET actor = 'nobody'",
        "DELETE FROM holder_events",
    ],
)
def test_events_refuse_update_delete_and_truncate(connection, some_history, statement):
    with pytest.raises(DBAPIError, match="history is append-only"):
        with connection.begin_nested():
            connection.execute(text(statement))


def test_verify_passes_and_prints_the_head(runner, session, some_history):
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 0, result.output
    head = chain_head(session)
    assert f"head {head.seq}:{head.hash}" in result.stdout


def _tamper(session, sql: str, **params) -> None:
    """Change history behind the guards' back, as the tables' owner (or a superuser) could:
    triggers disabled, the edit made, triggers back on (all inside the test's transaction)."""
    tables = ("licence_events", "holder_events", "history_head")
    for table in tables:
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    session.execute(text(sql), params)
    for table in tables:
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def test_verify_names_the_first_edited_event(runner, session, some_history):
    licence_id = some_history["licence_id"]
    event_id, seq = session.execute(
        text(
            "SELECT id, chain_seq FROM licence_events WHERE licence_id = :l AND action = 'approve'"
        ),
        {"l": licence_id},
    ).one()
    _tamper(session, "UPDATE licence_events SET reason = 'backdated' WHERE id = :i", i=event_id)
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 1, result.output
    assert f"seq {seq}: licence_events id {event_id} (licence {licence_id})" in result.stderr
    assert "stored hash differs" in result.stderr


def test_verify_finds_a_removed_event_and_a_moved_head(session, some_history):
    seq, event_id = session.execute(
        text("SELECT chain_seq, id FROM holder_events WHERE holder_id = :h"),
        {"h": some_history["holder_id"]},
    ).one()
    _tamper(session, "DELETE FROM holder_events WHERE id = :i", i=event_id)
    for batch in (1, 2, 100):
        result = verify_chain(session, batch=batch)
        assert not result.ok and result.mismatch.seq == seq + 1, result.mismatch
        assert f"events {seq}..{seq} before it are missing" in result.mismatch.text()


def test_verify_works_across_batches_and_checks_the_head(session, some_history):
    assert verify_chain(session, batch=1).ok
    _tamper(session, "UPDATE history_head SET seq = seq + 1")
    result = verify_chain(session, batch=2)
    assert not result.ok and "is not the last event" in result.mismatch.text()


def test_a_published_head_proves_the_past_was_not_rewritten(runner, session, some_history):
    published = chain_head(session).as_published()
    ok = runner.invoke(args=["history", "verify", "--against", published])
    assert ok.exit_code == 0 and "is in the chain" in ok.stdout, ok.output
    # An owner rewrites the last event and re-chains everything: every link holds again ...
    with unguarded_history(session):
        session.execute(
            text(
                "UPDATE licence_events SET reason = 'rewritten' "
                "WHERE chain_seq = (SELECT max(chain_seq) FROM licence_events)"
            )
        )
    assert verify_chain(session).ok
    # ... but the head published before no longer matches.
    bad = runner.invoke(args=["history", "verify", "--against", published])
    assert bad.exit_code == 1 and "NOT in the chain" in bad.stderr, bad.output
    assert runner.invoke(args=["history", "verify", "--against", "12:zz"]).exit_code == 2


def test_the_head_is_public_and_linked_from_the_openapi_document(client, session, some_history):
    r = client.get("/api/history/head")
    assert r.status_code == 200
    head = chain_head(session)
    assert r.get_json()["seq"] == head.seq and r.get_json()["hash"] == head.hash
    assert set(r.get_json()) == {"seq", "hash", "at"}
    assert "/api/history/head" in client.get("/api/openapi.json").get_json()["paths"]


def test_events_written_while_verifying_are_verified_too(session, some_history):
    before = chain_head(session).seq
    added = []

    def progress(done, total):
        if not added:  # another writer commits an event meanwhile
            update_holder(
                session, some_history["holder_id"], {"phone": "+232 1"}, actor="x", role="officer"
            )
            session.flush()
            added.append(done)

    result = verify_chain(session, progress=progress, batch=2)
    assert result.ok, result.mismatch
    assert result.checked == before + 1 == result.head.seq
