"""Reset the training database's register to a scenario's starting state, deterministically.

A reset empties every register table (holders, licences, history, users, tokens and any
table that refers to them), restarts their sequences, keeps the boundary data, then builds
the scenario through the same services as the application. Dates in a scenario count back
from its start day (``as_of``, 00:00 UTC); anything the database stamps with ``now()``
during the build is set to that moment, and trainee passwords are hashed with a salt
derived from the scenario, so the same scenario and day give the same rows, byte for byte.

Which scenario is loaded, on which day, and which licence and holder ids its keys became
are kept in the ``training`` schema (``training.state``, ``cadastre.models.training``), beside
trainees' answers (``training.answers``); the register schema itself is untouched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from cadastre.domain.roles import ROLES
from cadastre.models import ApiToken
from cadastre.profile import Profile
from cadastre.services.border_zones import rebuild_border_zones
from cadastre.services.boundaries import active_dataset, load_natural_earth
from cadastre.services.chain import unguarded_history
from cadastre.services.document_store import DocumentStore
from cadastre.services.holders import create_holder
from cadastre.services.lifecycle import expire_due
from cadastre.services.procedure_walk import walk_procedure
from cadastre.services.users import add_user
from cadastre.services.workspace import claim_for_training
from cadastre.training.scenarios import Scenario

#: Tables a reset keeps: the schema version, the boundary data and the licence types (the
#: profile's, copied by the upgrade the reset starts with).
KEEP_TABLES = frozenset(
    {
        "alembic_version",
        "spatial_ref_sys",
        "boundary_datasets",
        "countries",
        "border_lines",
        "border_zones",
        "workspace",
        "licence_types",
    }
)
#: The actor named in the history of every licence a scenario starts with.
SCENARIO_ACTOR = "training-scenario"
OFFICE_HOUR = timedelta(hours=9)


@dataclass(frozen=True)
class TrainingState:
    """Which scenario the training register holds and what its keys became."""

    scenario: str
    as_of: date
    keys: dict

    def licence_id(self, key: str, trainee: str | None) -> int | None:
        """The id of a starting licence: the trainee's own copy, else the shared one."""
        ids = self.keys.get("licences", {}).get(key, {})
        return ids.get(trainee or "*", ids.get("*"))

    def holder_id(self, key: str) -> int | None:
        """The id a scenario holder key became."""
        return self.keys.get("holders", {}).get(key)


def load_state(session: Session) -> TrainingState | None:
    """The loaded scenario, or None when the training database was never reset."""
    row = session.execute(text("SELECT scenario, as_of, keys FROM training.state")).first()
    return TrainingState(row.scenario, row.as_of, row.keys) if row else None


def scenario_start(as_of: date) -> datetime:
    """The moment a scenario starts: its day at 00:00 UTC."""
    return datetime.combine(as_of, time.min, tzinfo=UTC)


def reset_register(
    session: Session,
    profile: Profile,
    scenario: Scenario,
    *,
    world_atlas: str,
    store: DocumentStore,
    as_of: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TrainingState:
    """Empty the register and build the scenario's starting state, in the caller's transaction.

    The documents the starting files' stages needed (placeholder PDFs) go into ``store``."""
    as_of = as_of or datetime.now(UTC).date()
    started = session.scalar(text("SELECT now()"))
    # A training history is rewritten on purpose (emptied, back-dated): lift the guards and
    # re-chain it afterwards, so `history verify` holds in the training database too.
    claim_for_training(session)  # never empties a register, whatever URL reached it
    with unguarded_history(session):
        _empty_register(session)
        if active_dataset(session) is None:
            load_natural_earth(session, profile, world_atlas)
        if session.scalar(text("SELECT NOT EXISTS (SELECT 1 FROM border_zones)")):
            # The border-risk bands are a map layer of their own; a training database whose
            # boundaries came in here (not through `cadastre boundaries load`) has none yet.
            rebuild_border_zones(session, profile)
        keys = _build(session, profile, scenario, as_of, store, progress)
        session.flush()
        _freeze_clock(session, since=started, frozen=scenario_start(as_of))
    session.execute(text("DELETE FROM training.state"))
    session.execute(text("DELETE FROM training.answers"))
    session.execute(
        text(
            "INSERT INTO training.state (scenario, as_of, keys) VALUES (:s, :d, CAST(:k AS jsonb))"
        ),
        {"s": scenario.name, "d": as_of, "k": json.dumps(keys, sort_keys=True)},
    )
    return TrainingState(scenario.name, as_of, keys)


def _public_tables(session: Session) -> list[str]:
    return list(
        session.scalars(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        )
    )


def _empty_register(session: Session) -> None:
    tables = [t for t in _public_tables(session) if t not in KEEP_TABLES]
    if tables:
        names = ", ".join(f'public."{t}"' for t in tables)
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    # Sequences not owned by a kept table's column (e.g. the application number) restart too.
    rows = session.execute(
        text(
            "SELECT s.relname AS seq, t.relname AS owner FROM pg_class s "
            "JOIN pg_namespace n ON n.oid = s.relnamespace "
            "LEFT JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
            "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "LEFT JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND n.nspname = 'public'"
        )
    )
    for row in rows:
        if row.owner not in KEEP_TABLES:
            session.execute(text(f'ALTER SEQUENCE public."{row.seq}" RESTART'))


def _freeze_clock(session: Session, *, since: datetime, frozen: datetime) -> None:
    """Set every timestamp the build stamped with the wall clock to the scenario's start."""
    cols = session.execute(
        text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
            "AND c.data_type = 'timestamp with time zone' ORDER BY 1, 2"
        )
    ).all()
    for table, column in cols:
        session.execute(
            text(f'UPDATE public."{table}" SET "{column}" = :f WHERE "{column}" >= :s'),
            {"f": frozen, "s": since},
        )


#: Training passwords are published in the scenario files, so a light argon2 cost will do
#: (the sign-in rehashes with the register's cost on first use, as for any old hash).
_TRAINING_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@lru_cache(maxsize=256)
def _hash(scenario: str, username: str, password: str) -> str:
    salt = hashlib.sha256(f"cadastre-training:{scenario}:{username}".encode()).digest()[:16]
    return _TRAINING_HASHER.hash(password, salt=salt)


def password_hash(scenario: Scenario, username: str, password: str) -> str:
    """Argon2 hash with a salt derived from scenario and user (training accounts only)."""
    return _hash(scenario.name, username, password)


def _build(session, profile, scenario: Scenario, as_of: date, store, progress) -> dict:
    from cadastre.services.licences import perform_action, register_application

    start = scenario_start(as_of)

    def when(days_ago: float) -> datetime:
        return start - timedelta(days=days_ago) + OFFICE_HOUR

    holders = {
        key: create_holder(session, dict(fields)).id for key, fields in scenario.holders.items()
    }
    for account in scenario.accounts:
        user, _token = add_user(session, account.username, account.role)
        user.password_hash = password_hash(scenario, account.username, account.password)
    session.execute(
        delete(ApiToken)
    )  # trainees sign in with passwords; tokens are issued on demand
    jobs = sorted(
        (
            (when(spec.received_days_ago), n, i, spec, trainee)
            for n, spec in enumerate(scenario.licences)
            for i, trainee in enumerate(scenario.copies(spec.per_trainee))
        ),
        key=lambda j: j[:3],
    )
    ids: dict[str, dict[str, int]] = {}
    total = len(jobs)
    for done, (received, _n, _i, spec, trainee) in enumerate(jobs, 1):
        licence = register_application(
            session,
            profile,
            holder_id=holders[spec.holder],
            licence_type=spec.licence_type,
            commodities=list(spec.commodities),
            geometry=scenario.shifted(spec.geometry, trainee),
            actor=SCENARIO_ACTOR,
            received_at=received,
            district=spec.district,
        )
        ids.setdefault(spec.key, {})[trainee or "*"] = licence.id
        if progress:
            progress(done, total)
    walk = _Walker(session, profile, store)
    steps = sorted(
        (
            (when(step.days_ago), n, k, i, spec, step, trainee)
            for n, spec in enumerate(scenario.licences)
            for k, step in enumerate(spec.history)
            for i, trainee in enumerate(scenario.copies(spec.per_trainee))
        ),
        key=lambda s: s[:4],
    )
    for at, _n, _k, _i, spec, step, trainee in steps:
        licence_id = ids[spec.key][trainee or "*"]
        if step.action == "grant" and profile.procedure(spec.licence_type) is not None:
            walk(licence_id, at=at)  # every stage of its procedure, granted at the end
            continue
        params = {}
        if step.holder is not None:
            params["holder_id"] = holders[step.holder]
        if step.geometry is not None:
            params["geometry"] = scenario.shifted(step.geometry, trainee)
        perform_action(
            session,
            profile,
            licence_id,
            step.action,
            actor=SCENARIO_ACTOR,
            reason=step.reason,
            at=at,
            **params,
        )
    for spec in scenario.licences:
        if spec.stage is None:
            continue
        # the stages before it were completed halfway between receipt and the start
        at = when(max(1.0, spec.received_days_ago / 2))
        for trainee in scenario.copies(spec.per_trainee):
            walk(ids[spec.key][trainee or "*"], at=at, before=spec.stage)
    _expire_due(session, as_of)
    return {"licences": ids, "holders": holders}


class _Walker:
    """Takes a starting file through its procedure (``walk_procedure``) as the scenario's
    officers did: every stage by the scenario's actor, its documents put on file and its
    fees paid at the bank (receipts numbered in order, so a reset is repeatable)."""

    def __init__(self, session, profile: Profile, store: DocumentStore) -> None:
        self.session, self.profile, self.store = session, profile, store
        self.receipts = 0

    def receipt(self, licence_id: int):
        def number(currency: str) -> str:
            self.receipts += 1
            return f"TRAINING-{licence_id}-{currency}-{self.receipts}"

        return number

    def __call__(self, licence_id: int, *, at: datetime, before: str | None = None) -> None:
        """All the file's stages, or those before the stage ``before``."""
        until = None
        if before is not None:
            stages = self.profile.procedure(_licence_type(self.session, licence_id)).stages
            names = [s.name for s in stages]
            position = names.index(before)
            if position == 0:
                return
            until = names[position - 1]
        walk_procedure(
            self.session,
            self.profile,
            licence_id,
            store=self.store,
            at=at,
            until=until,
            actors={role: SCENARIO_ACTOR for role in ROLES},
            receipt=self.receipt(licence_id),
        )


def _licence_type(session: Session, licence_id: int) -> str:
    return session.scalar(
        text("SELECT licence_type FROM licences WHERE id = :i"), {"i": licence_id}
    )


def _expire_due(session: Session, as_of: date) -> None:
    """Settle expiries up to the scenario's start."""
    expire_due(session, today=as_of)


def register_digest(session: Session) -> str:
    """SHA-256 over every row of every register table, sequence state and training state."""
    h = hashlib.sha256()
    for table in _public_tables(session):
        if table == "workspace":
            continue  # the database's mark, not register content
        row = session.execute(
            text(
                f"SELECT count(*) AS n, coalesce(string_agg(md5(t::text), ',' "
                f"ORDER BY md5(t::text)), '') AS rows FROM public.\"{table}\" t"
            )
        ).one()
        h.update(f"{table}:{row.n}:{row.rows}\n".encode())
    seqs = session.scalars(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = 'public' ORDER BY 1"
        )
    ).all()
    for seq in seqs:
        row = session.execute(text(f'SELECT last_value, is_called FROM public."{seq}"')).one()
        h.update(f"seq {seq}:{row.last_value}:{row.is_called}\n".encode())
    for row in session.execute(text("SELECT scenario, as_of, keys::text FROM training.state")):
        h.update(f"state:{tuple(row)}\n".encode())
    n = session.scalar(text("SELECT count(*) FROM training.answers"))
    h.update(f"answers:{n}\n".encode())
    return h.hexdigest()
