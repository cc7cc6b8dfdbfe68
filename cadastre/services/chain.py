"""The tamper-evident history chain: its published head, its verification, and its erasure.

Every event of every events table is one link: ``hash = SHA-256(prev_hash || canonical text)``
with the canonical text defined once in SQL (migration 0008, ``history_*_event_text``) and
assigned by an insert trigger. Verifying recomputes every link inside PostgreSQL, a batch of
the chain at a time (window functions compare each link with the one before), so a million
events never pass through Python one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

#: Every events table in the chain, with its canonical-text function and its subject column.
EVENT_TABLES = {
    "licence_events": ("history_licence_event_text", "licence_id"),
    "holder_events": ("history_holder_event_text", "holder_id"),
    "ledger_events": ("history_ledger_event_text", "holder_id"),
}
GENESIS = bytes(32)
#: Events per verification batch: large enough for PostgreSQL to stream, small for progress.
BATCH = 200_000
GUARD_TRIGGERS = ("history_guard", "history_guard_truncate")


@dataclass(frozen=True)
class ChainHead:
    """The last link of the chain: how many events, the last hash, when it moved."""

    seq: int
    hash: str
    at: datetime | None

    def as_published(self) -> str:
        """The head as ``SEQ:HASH``, the form ``history verify --against`` takes."""
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class Mismatch:
    """The first event whose link does not hold, and why."""

    seq: int
    table: str | None
    event_id: int | None
    subject: str | None
    problem: str

    def text(self) -> str:
        """One line naming the event and the fault."""
        if self.table is None:
            return f"chain broken at seq {self.seq}: {self.problem}"
        return (
            f"chain broken at seq {self.seq}: {self.table} id {self.event_id} "
            f"({self.subject}): {self.problem}"
        )


@dataclass(frozen=True)
class Verification:
    """The outcome of ``verify_chain``: the head reached, or the first mismatch."""

    checked: int
    head: ChainHead
    mismatch: Mismatch | None

    @property
    def ok(self) -> bool:
        """True when every link holds and the head matches the last event."""
        return self.mismatch is None


def chain_head(session: Session) -> ChainHead:
    """The published head (seq 0 and the genesis hash for an empty history)."""
    row = session.execute(text("SELECT seq, hash, at FROM history_head WHERE id = 1")).first()
    if row is None:
        return ChainHead(0, GENESIS.hex(), None)
    return ChainHead(row.seq, bytes(row.hash).hex(), row.at)


def _links_sql() -> str:
    parts = []
    for table, (canonical, subject) in EVENT_TABLES.items():
        parts.append(
            f"SELECT '{table}' AS tab, e.id, '{subject.removesuffix('_id')} ' || e.{subject}"
            f" AS subject, e.chain_seq, e.prev_hash, e.hash, history_link_hash(e.prev_hash, "
            f"{canonical}(e.chain_seq, e.id, e.{subject}, e.action, e.actor, e.at, e.reason, "
            f"e.before, e.after)) AS recomputed FROM {table} e "
            "WHERE e.chain_seq BETWEEN :lo AND :hi"
        )
    return " UNION ALL ".join(parts)


#: One batch, one pass: its first link, its first faulty link (if any) and its last link.
_BATCH_SQL = f"""
WITH links AS ({_links_sql()}),
w AS (
    SELECT tab, id, subject, chain_seq, prev_hash, hash,
           count(*) OVER () AS n, row_number() OVER o AS rn,
           CASE WHEN hash IS DISTINCT FROM recomputed
                    THEN 'stored hash differs from the hash of its content'
                WHEN lag(chain_seq) OVER o = chain_seq THEN 'sequence number used twice'
                WHEN lag(chain_seq) OVER o <> chain_seq - 1
                    THEN 'events ' || (lag(chain_seq) OVER o + 1) || '..' || (chain_seq - 1)
                         || ' before it are missing'
                WHEN lag(hash) OVER o IS DISTINCT FROM prev_hash AND row_number() OVER o > 1
                    THEN 'prev_hash differs from the hash of the event before'
           END AS problem
      FROM links WINDOW o AS (ORDER BY chain_seq)
)
SELECT * FROM w WHERE rn = 1 OR rn = n OR problem IS NOT NULL ORDER BY chain_seq LIMIT 3
"""


def verify_chain(
    session: Session,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> Verification:
    """Check every link: hash == recomputed, prev_hash == the previous hash, seq contiguous
    from 1, and the head equal to the last event. Stops at the first fault.

    Events committed while it runs are checked too: it goes on until one reading of the
    head and of the highest sequence number (one statement, so one snapshot) finds nothing
    new, and compares that head with the last link.
    """
    expected_seq, expected_prev, checked, scanned = 1, GENESIS, 0, 0
    sql = text(_BATCH_SQL)
    while True:
        head, top = _head_and_top(session)
        if top <= scanned:
            break
        for lo in range(scanned + 1, top + 1, batch):
            hi = min(top, lo + batch - 1)
            rows = session.execute(sql, {"lo": lo, "hi": hi}).all()
            if rows:
                first = rows[0]
                if first.chain_seq != expected_seq:
                    problem = f"events {expected_seq}..{first.chain_seq - 1} before it are missing"
                    return _broken(checked, head, first, problem)
                if bytes(first.prev_hash) != expected_prev:
                    problem = "prev_hash differs from the hash of the event before"
                    return _broken(checked, head, first, problem)
                bad = next((r for r in rows if r.problem), None)
                if bad is not None:
                    return _broken(checked + bad.rn - 1, head, bad, bad.problem)
                expected_seq, expected_prev = rows[-1].chain_seq + 1, bytes(rows[-1].hash)
                checked += first.n
            scanned = hi
            if progress is not None:
                progress(hi, top)
    if head.seq != expected_seq - 1 or head.hash != expected_prev.hex():
        last = f"{expected_seq - 1}:{expected_prev.hex()}"
        problem = f"the head ({head.as_published()}) is not the last event ({last})"
        return Verification(checked, head, Mismatch(head.seq, None, None, None, problem))
    return Verification(checked, head, None)


def _head_and_top(session: Session) -> tuple[ChainHead, int]:
    """The head and the highest sequence number it or any event holds, in one snapshot."""
    tops = ", ".join(f"(SELECT coalesce(max(chain_seq), 0) FROM {t})" for t in EVENT_TABLES)
    row = session.execute(
        text(
            f"SELECT h.seq, h.hash, h.at, greatest(coalesce(h.seq, 0), {tops}) AS top "
            "FROM (SELECT 1) one LEFT JOIN history_head h ON h.id = 1"
        )
    ).one()
    if row.seq is None:
        return ChainHead(0, GENESIS.hex(), None), row.top
    return ChainHead(row.seq, bytes(row.hash).hex(), row.at), row.top


def _broken(checked: int, head: ChainHead, row, problem: str) -> Verification:
    mismatch = Mismatch(row.chain_seq, row.tab, row.id, row.subject, problem)
    return Verification(checked, head, mismatch)


def link_at(session: Session, seq: int) -> tuple[str, int, str] | None:
    """The event at a place in the chain: (table, id, hash hex), or None if there is none."""
    parts = " UNION ALL ".join(
        f"SELECT '{t}' AS tab, id, hash FROM {t} WHERE chain_seq = :s" for t in EVENT_TABLES
    )
    row = session.execute(text(parts), {"s": seq}).first()
    return (row.tab, row.id, bytes(row.hash).hex()) if row else None


def parse_published(value: str) -> tuple[int, str]:
    """Read a published head ``SEQ:HASH``; ValueError if it is not one."""
    seq, _, digest = value.partition(":")
    digest = digest.strip().lower()
    seq = seq.strip()
    plain_seq = seq.isascii() and seq.isdigit() and len(seq) <= 18
    if not plain_seq or len(digest) != 64 or set(digest) - set("0123456789abcdef"):
        raise ValueError(f"{value!r} is not SEQ:HASH (a number, a colon, 64 hex digits)")
    return int(seq), digest


@contextmanager
def unguarded_history(session: Session) -> Iterator[None]:
    """Lift the append-only guards for the duration, then re-chain what is left.

    For databases whose history may be rewritten: the training workspace (a reset empties
    the register and back-dates the scenario) and tests' scratch data. Needs the tables'
    owner (``ALTER TABLE``); the application's own role cannot do it.
    """
    _set_guards(session, "DISABLE")
    yield
    session.flush()
    session.execute(text("SELECT history_rechain()"))
    _set_guards(session, "ENABLE")


def _set_guards(session: Session, verb: str) -> None:
    for table in EVENT_TABLES:
        for trigger in GUARD_TRIGGERS:
            session.execute(text(f"ALTER TABLE {table} {verb} TRIGGER {trigger}"))
