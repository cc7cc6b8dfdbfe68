"""Applications already in the register placed in their type's procedure: those waiting for
a decision at its first stage, those approved and awaiting payment at the stage after the
approval (recorded as done by the approval in their history). Each move is one history event;
nothing else about the application changes.

Runs on a bare connection (SQL only), so that migration 0016, every ``cadastre db upgrade``
after a profile gives a type a procedure, and an import of a register file (its waiting
applications placed as they arrive) use the same code; idempotent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from cadastre.domain.procedure import Procedure, decision_due
from cadastre.profile import Profile

ACTOR = "migration"
#: When the moves are made, in the history's words, unless the caller says otherwise.
OCCASION = "when the procedure was introduced"

_WAITING = text(
    "SELECT l.id, l.status, l.received_at, "
    "  (SELECT e.actor FROM licence_events e WHERE e.licence_id = l.id AND e.action = 'approve' "
    "   ORDER BY e.id DESC LIMIT 1) AS approved_by, "
    "  (SELECT e.at FROM licence_events e WHERE e.licence_id = l.id AND e.action = 'approve' "
    "   ORDER BY e.id DESC LIMIT 1) AS approved_at "
    "FROM licences l WHERE l.licence_type = :t AND l.stage IS NULL "
    "AND l.status IN ('application', 'approved') "
    "AND NOT EXISTS (SELECT 1 FROM licence_stages s WHERE s.licence_id = l.id) "
    "ORDER BY l.id FOR UPDATE OF l"
)
_MOVE = text(
    "UPDATE licences SET stage = :stage, decision_due = :due, version = version + 1 WHERE id = :id"
)
_DONE = text(
    "INSERT INTO licence_stages (licence_id, stage, position, completed_by, role, "
    "completed_at, note) VALUES (:id, :stage, :position, :by, :role, :at, :note)"
)
_EVENT = text(
    "INSERT INTO licence_events (licence_id, action, actor, reason, before, after) "
    "SELECT l.id, 'procedure', :actor, :reason, e.after, "
    "  coalesce(e.after, '{}'::jsonb) "
    "  || jsonb_build_object('stage', l.stage, 'version', l.version) "
    "FROM licences l LEFT JOIN LATERAL (SELECT after FROM licence_events x "
    "  WHERE x.licence_id = l.id ORDER BY x.id DESC LIMIT 1) e ON true "
    "WHERE l.id = ANY(:ids) ORDER BY l.id"
)


def place_waiting_applications(
    conn: Connection,
    profile: Profile,
    *,
    actor: str = ACTOR,
    role: str = ACTOR,
    occasion: str = OCCASION,
) -> int:
    """Place every waiting application not yet in a procedure; the number placed. ``actor``,
    ``role`` and ``occasion`` ("on import from ...") are what the history records."""
    placed = 0
    for procedure in profile.procedures.values():
        placed += _place_type(conn, procedure, actor, role, occasion)
    return placed


def _place_type(
    conn: Connection, procedure: Procedure, actor: str, role: str, occasion: str
) -> int:
    rows = conn.execute(_WAITING, {"t": procedure.licence_type}).all()
    if not rows:
        return 0
    approval = next((s for s in procedure.stages if s.action == "approve"), None)
    after_approval = procedure.after(approval.name) if approval else procedure.stages[-1].name
    groups: dict[str, list[int]] = {}
    moves, done = [], []
    for row in rows:
        if row.status == "application":
            stage = procedure.first.name
            received = (row.received_at or datetime.now(UTC)).date()
            due = decision_due(procedure.clock, received)
        else:
            stage, due = after_approval, None
            if approval is not None:
                done.append({
                    "id": row.id, "stage": approval.name,
                    "position": procedure.position(approval.name),
                    "by": row.approved_by or actor, "role": role,
                    "at": row.approved_at or datetime.now(UTC),
                    "note": f"Recorded {occasion}, from the approval in the licence's history.",
                })  # fmt: skip
        moves.append({"id": row.id, "stage": stage, "due": due})
        groups.setdefault(stage, []).append(row.id)
    conn.execute(_MOVE, moves)
    if done:
        conn.execute(_DONE, done)
    total = len(procedure.stages)
    for stage, ids in groups.items():
        spec = procedure.stage(stage)
        reason = (
            f"Placed in the {procedure.licence_type} procedure at stage "
            f"{procedure.position(stage)} of {total} ({spec.label}) {occasion}; nothing else "
            "changed."
        )
        conn.execute(_EVENT, {"actor": actor, "reason": reason, "ids": ids})
    return len(rows)
