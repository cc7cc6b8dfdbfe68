"""tamper-evident history: one hash chain over every events table; holder events; holder version

Every event row (``licence_events``, ``holder_events``) carries ``chain_seq`` (its place in
one global chain), ``prev_hash`` (the hash of the event before it, 32 zero bytes for the
first) and ``hash`` = SHA-256(prev_hash || UTF-8 bytes of the event's canonical text). The
canonical text is defined once, in the SQL functions ``history_licence_event_text`` and
``history_holder_event_text``, which both the insert trigger and ``cadastre history verify``
call. It is three lines joined by a newline (``\n``):

1. ``json_build_array(chain_seq, table name, event id, licence or holder id, action, actor,
   time in UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ, reason)`` as text, e.g.
   ``[7, "licence_events", 7, 3, "grant", "alice", "2026-12-03T09:30:00.000000Z", null]``
2. the ``before`` snapshot in PostgreSQL's jsonb text output (deterministic: object keys
   ordered by length then bytes, ``", "`` and ``": "`` separators), or ``null``
3. the ``after`` snapshot, the same way.

(The jsonb columns are rendered separately rather than inside one array: rebuilding them
into a new jsonb value doubled the cost of verifying.)

A BEFORE INSERT trigger assigns the links, so every insert path (ORM, the importer's COPY,
border recompute, training) is chained without cooperating: a statement-level trigger first
takes the single ``history_head`` row FOR UPDATE (so writers of history queue until commit),
the row trigger links each new row to the previous one, and a statement-level trigger after
the insert moves the head once per statement (not once per row: a 100,000-row COPY would
otherwise update the head row 100,000 times in one transaction). Updates, deletes and
truncation of events tables are refused by triggers. Existing events are chained in id order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

EVENT_TABLES = ("licence_events", "holder_events")

FUNCTIONS = r"""
-- STABLE, as to_char is: a SQL function claiming more than its body gives is not inlined,
-- and a call that is not inlined costs several times the hashing itself.
CREATE OR REPLACE FUNCTION history_utc(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE OR REPLACE FUNCTION history_licence_event_text(
    seq bigint, id integer, licence_id integer, action text, actor text, at timestamptz,
    reason text, before jsonb, after jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_array(seq, 'licence_events', id, licence_id, action, actor,
                            public.history_utc(at), reason)::text
           || E'\n' || coalesce(before::text, 'null') || E'\n' || coalesce(after::text, 'null')
$$;

CREATE OR REPLACE FUNCTION history_holder_event_text(
    seq bigint, id integer, holder_id integer, action text, actor text, at timestamptz,
    reason text, before jsonb, after jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_array(seq, 'holder_events', id, holder_id, action, actor,
                            public.history_utc(at), reason)::text
           || E'\n' || coalesce(before::text, 'null') || E'\n' || coalesce(after::text, 'null')
$$;

CREATE OR REPLACE FUNCTION history_link_hash(prev bytea, body text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(prev || convert_to(body, 'UTF8'))
$$;

-- SECURITY DEFINER: the application's role needs no right on history_head to write events.
CREATE OR REPLACE FUNCTION history_chain_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    h record;
BEGIN
    SELECT seq, hash INTO h FROM public.history_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        -- an emptied history (training reset) starts again from the genesis link
        INSERT INTO public.history_head (id, seq, hash, at)
        VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000', now())
        ON CONFLICT (id) DO NOTHING;
        SELECT seq, hash INTO h FROM public.history_head WHERE id = 1 FOR UPDATE;
    END IF;
    PERFORM set_config('cadastre.chain_seq', h.seq::text, true);
    PERFORM set_config('cadastre.chain_hash', encode(h.hash, 'hex'), true);
    RETURN NULL;
END $$;

-- Per row: no table access, so neither SECURITY DEFINER nor a SET clause (a per-call
-- search_path change would re-plan every statement in it on every row, 7x the cost).
CREATE OR REPLACE FUNCTION history_chain_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    seq bigint := current_setting('cadastre.chain_seq')::bigint + 1;
    prev bytea := decode(current_setting('cadastre.chain_hash'), 'hex');
    body text;
BEGIN
    IF TG_TABLE_NAME = 'licence_events' THEN
        body := public.history_licence_event_text(seq, NEW.id, NEW.licence_id, NEW.action,
                    NEW.actor, NEW.at, NEW.reason, NEW.before, NEW.after);
    ELSIF TG_TABLE_NAME = 'holder_events' THEN
        body := public.history_holder_event_text(seq, NEW.id, NEW.holder_id, NEW.action,
                    NEW.actor, NEW.at, NEW.reason, NEW.before, NEW.after);
    ELSE
        RAISE EXCEPTION 'history_chain_link: no canonical form for table %', TG_TABLE_NAME;
    END IF;
    NEW.chain_seq := seq;
    NEW.prev_hash := prev;
    NEW.hash := public.history_link_hash(prev, body);
    PERFORM set_config('cadastre.chain_seq', seq::text, true);
    PERFORM set_config('cadastre.chain_hash', encode(NEW.hash, 'hex'), true);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION history_chain_close() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE public.history_head
       SET seq = current_setting('cadastre.chain_seq')::bigint,
           hash = decode(current_setting('cadastre.chain_hash'), 'hex'),
           at = now()
     WHERE id = 1 AND seq <> current_setting('cadastre.chain_seq')::bigint;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION history_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new event instead of changing or removing one.';
END $$;

-- Renumber and re-hash the whole chain in its present order (training resets and tests that
-- empty part of a scratch history; the guard triggers must be disabled by the owner first).
CREATE OR REPLACE FUNCTION history_rechain() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    h bytea;
    last_at timestamptz;
BEGIN
    FOR r IN
        SELECT 'licence_events' AS tab, e.id, e.licence_id AS subject, e.action, e.actor, e.at,
               e.reason, e.before, e.after, e.chain_seq
          FROM public.licence_events e
        UNION ALL
        SELECT 'holder_events', e.id, e.holder_id, e.action, e.actor, e.at, e.reason,
               e.before, e.after, e.chain_seq
          FROM public.holder_events e
        ORDER BY chain_seq NULLS LAST, tab, id
    LOOP
        n := n + 1;
        IF r.tab = 'licence_events' THEN
            h := public.history_link_hash(prev, public.history_licence_event_text(n, r.id,
                     r.subject, r.action, r.actor, r.at, r.reason, r.before, r.after));
            UPDATE public.licence_events SET chain_seq = -n, prev_hash = prev, hash = h
             WHERE id = r.id;
        ELSE
            h := public.history_link_hash(prev, public.history_holder_event_text(n, r.id,
                     r.subject, r.action, r.actor, r.at, r.reason, r.before, r.after));
            UPDATE public.holder_events SET chain_seq = -n, prev_hash = prev, hash = h
             WHERE id = r.id;
        END IF;
        prev := h;
        last_at := r.at;
    END LOOP;
    -- negative first, so renumbering never collides with the unique chain_seq of a later row
    UPDATE public.licence_events SET chain_seq = -chain_seq WHERE chain_seq < 0;
    UPDATE public.holder_events SET chain_seq = -chain_seq WHERE chain_seq < 0;
    DELETE FROM public.history_head;
    INSERT INTO public.history_head (id, seq, hash, at) VALUES (1, n, prev, coalesce(last_at, now()));
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION history_rechain() FROM PUBLIC;
"""

DROP_FUNCTIONS = (
    "history_rechain()",
    "history_refuse_change()",
    "history_chain_close()",
    "history_chain_link()",
    "history_chain_open()",
    "history_link_hash(bytea, text)",
    "history_holder_event_text(bigint, integer, integer, text, text, timestamptz, text, jsonb,"
    " jsonb)",
    "history_licence_event_text(bigint, integer, integer, text, text, timestamptz, text, jsonb,"
    " jsonb)",
    "history_utc(timestamptz)",
)


def triggers(table: str) -> list[str]:
    """The chain and guard triggers of one events table (a future events table adds these)."""
    return [
        f"CREATE TRIGGER history_chain_open BEFORE INSERT ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION history_chain_open()",
        f"CREATE TRIGGER history_chain_link BEFORE INSERT ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION history_chain_link()",
        f"CREATE TRIGGER history_chain_close AFTER INSERT ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION history_chain_close()",
        f"CREATE TRIGGER history_guard BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION history_refuse_change()",
        f"CREATE TRIGGER history_guard_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_change()",
    ]


def _chain_columns() -> list[sa.Column]:
    return [
        sa.Column("chain_seq", sa.BigInteger(), nullable=True),
        sa.Column("prev_hash", postgresql.BYTEA(), nullable=True),
        sa.Column("hash", postgresql.BYTEA(), nullable=True),
    ]


def upgrade() -> None:
    op.add_column("holders", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "history_head",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", postgresql.BYTEA(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_history_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_head")),
    )
    op.create_table(
        "holder_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        *_chain_columns(),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_holder_events_holder_id_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_events")),
    )
    op.create_index(op.f("ix_holder_events_holder_id"), "holder_events", ["holder_id"])
    for column in _chain_columns():
        op.add_column("licence_events", column)
    op.execute(FUNCTIONS)
    for table in EVENT_TABLES:
        op.create_unique_constraint(op.f(f"uq_{table}_chain_seq"), table, ["chain_seq"])
    # Existing events join the chain in id order, before the guards exist.
    op.execute("SELECT history_rechain()")
    for table in EVENT_TABLES:
        for column in ("chain_seq", "prev_hash", "hash"):
            op.alter_column(table, column, nullable=False)
        for ddl in triggers(table):
            op.execute(ddl)


def downgrade() -> None:
    for table in EVENT_TABLES:
        for name in (
            "history_guard_truncate",
            "history_guard",
            "history_chain_close",
            "history_chain_link",
            "history_chain_open",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.drop_table("holder_events")
    for column in ("hash", "prev_hash", "chain_seq"):
        op.drop_column("licence_events", column)
    for signature in DROP_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_table("history_head")
    op.drop_column("holders", "version")
