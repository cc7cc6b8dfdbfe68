"""money: orders to pay, payments, allocations and the ledger (chained); the 'approved' status

``orders_to_pay`` holds what the state asks of a holder for a licence (an application fee, a
year's annual charge, a renewal or transfer fee, a legacy balance), unique per licence and
key (``annual:3``) so raising charges twice raises nothing. ``payments`` holds money
received (and reversals of it, as negative rows pointing at the payment they undo);
``payment_allocations`` sets payments against orders, oldest first. ``ledger_events`` is a
third events table of the one history chain (migration 0008): its canonical text is
``history_ledger_event_text``, the same three lines as the others with the table name
``ledger_events`` and the holder as subject; the licence, when there is one, is inside the
``after`` snapshot. A licence of a type whose grant waits for payment is ``approved`` until
Finance records the receipt.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_STATUSES = (
    "'application', 'granted', 'refused', 'withdrawn', 'suspended', 'revoked', "
    "'relinquished', 'expired'"
)
NEW_STATUSES = (
    "'application', 'approved', 'granted', 'refused', 'withdrawn', 'suspended', 'revoked', "
    "'relinquished', 'expired'"
)
ORDER_KINDS = "'application', 'annual_charge', 'renewal', 'transfer', 'amendment', 'legacy'"

LEDGER_TEXT = r"""
CREATE OR REPLACE FUNCTION history_ledger_event_text(
    seq bigint, id integer, holder_id integer, action text, actor text, at timestamptz,
    reason text, before jsonb, after jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_array(seq, 'ledger_events', id, holder_id, action, actor,
                            public.history_utc(at), reason)::text
           || E'\n' || coalesce(before::text, 'null') || E'\n' || coalesce(after::text, 'null')
$$;
"""


def _link_function(with_ledger: bool) -> str:
    ledger = (
        """
    ELSIF TG_TABLE_NAME = 'ledger_events' THEN
        body := public.history_ledger_event_text(seq, NEW.id, NEW.holder_id, NEW.action,
                    NEW.actor, NEW.at, NEW.reason, NEW.before, NEW.after);"""
        if with_ledger
        else ""
    )
    return f"""
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
                    NEW.actor, NEW.at, NEW.reason, NEW.before, NEW.after);{ledger}
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
"""


def _rechain_function(with_ledger: bool) -> str:
    tables = [("licence_events", "licence_id", "licence"), ("holder_events", "holder_id", "holder")]
    if with_ledger:
        tables.append(("ledger_events", "holder_id", "ledger"))
    union = "\n        UNION ALL\n".join(
        f"        SELECT '{t}' AS tab, e.id, e.{subject} AS subject, e.action, e.actor, e.at,"
        f" e.reason, e.before, e.after, e.chain_seq FROM public.{t} e"
        for t, subject, _ in tables
    )
    branches = "\n".join(
        f"""        {"IF" if i == 0 else "ELSIF"} r.tab = '{t}' THEN
            h := public.history_link_hash(prev, public.history_{kind}_event_text(n, r.id,
                     r.subject, r.action, r.actor, r.at, r.reason, r.before, r.after));
            UPDATE public.{t} SET chain_seq = -n, prev_hash = prev, hash = h WHERE id = r.id;"""
        for i, (t, _, kind) in enumerate(tables)
    )
    flips = "\n".join(
        f"    UPDATE public.{t} SET chain_seq = -chain_seq WHERE chain_seq < 0;"
        for t, _, _ in tables
    )
    return f"""
CREATE OR REPLACE FUNCTION history_rechain() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
    prev bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000';
    h bytea;
    last_at timestamptz;
BEGIN
    FOR r IN
{union}
        ORDER BY chain_seq NULLS LAST, tab, id
    LOOP
        n := n + 1;
{branches}
        END IF;
        prev := h;
        last_at := r.at;
    END LOOP;
    -- negative first, so renumbering never collides with the unique chain_seq of a later row
{flips}
    DELETE FROM public.history_head;
    INSERT INTO public.history_head (id, seq, hash, at) VALUES (1, n, prev, coalesce(last_at, now()));
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION history_rechain() FROM PUBLIC;
"""


def _triggers(table: str) -> list[str]:
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


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.Numeric(18, 2), nullable=False)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint(
        "role", "users", "role IN ('viewer', 'officer', 'supervisor', 'finance', 'admin')"
    )
    op.drop_constraint(op.f("ck_licences_status"), "licences", type_="check")
    op.create_check_constraint("status", "licences", f"status IN ({NEW_STATUSES})")
    op.add_column("licences", sa.Column("charges_from", sa.Date(), nullable=True))
    op.create_table(
        "orders_to_pay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("year_of_term", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        _money("amount"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid", sa.Numeric(18, 2), server_default="0", nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("schedule_from", sa.Date(), nullable=True),
        sa.Column("raised_by", sa.String(length=120), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("default_notice_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(f"kind IN ({ORDER_KINDS})", name=op.f("ck_orders_to_pay_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'cancelled')", name=op.f("ck_orders_to_pay_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_orders_to_pay_amount_positive")),
        sa.CheckConstraint(
            "paid >= 0 AND paid <= amount", name=op.f("ck_orders_to_pay_paid_within_amount")
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_orders_to_pay_currency_code")),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_orders_to_pay_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_orders_to_pay_holder_id_holders")
        ),
        sa.ForeignKeyConstraint(
            ["default_notice_id"],
            ["licence_notices.id"],
            name=op.f("fk_orders_to_pay_default_notice_id_licence_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_to_pay")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_to_pay_number")),
        sa.UniqueConstraint("licence_id", "key", name="uq_orders_to_pay_licence_key"),
    )
    op.create_index(op.f("ix_orders_to_pay_licence_id"), "orders_to_pay", ["licence_id"])
    op.create_index(op.f("ix_orders_to_pay_holder_id"), "orders_to_pay", ["holder_id"])
    op.create_index(
        "ix_orders_to_pay_holder_open",
        "orders_to_pay",
        ["holder_id", "currency", "due_on"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ix_orders_to_pay_due_open",
        "orders_to_pay",
        ["due_on"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        _money("amount"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("bank", sa.String(length=120), nullable=True),
        sa.Column("receipt_number", sa.String(length=60), nullable=True),
        sa.Column("unallocated", sa.Numeric(18, 2), server_default="0", nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_payments_amount_not_zero")),
        sa.CheckConstraint("unallocated >= 0", name=op.f("ck_payments_unallocated_not_negative")),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_payments_currency_code")),
        sa.CheckConstraint(
            "(reverses_id IS NULL) = (amount > 0)", name=op.f("ck_payments_reversal_negative")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_payments_holder_id_holders")
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_payments_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["payments.id"], name=op.f("fk_payments_reverses_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_payments_receipt_number")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_payments_reverses_id")),
    )
    op.create_index(op.f("ix_payments_licence_id"), "payments", ["licence_id"])
    op.create_index("ix_payments_holder_paid_on", "payments", ["holder_id", "paid_on"])
    op.create_index(
        "ix_payments_credit",
        "payments",
        ["holder_id", "currency"],
        postgresql_where=sa.text("unallocated > 0"),
    )
    op.create_table(
        "payment_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        _money("amount"),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_allocations_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_to_pay.id"],
            name=op.f("fk_payment_allocations_order_id_orders_to_pay"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocations")),
    )
    op.create_index(
        op.f("ix_payment_allocations_payment_id"), "payment_allocations", ["payment_id"]
    )
    op.create_index(op.f("ix_payment_allocations_order_id"), "payment_allocations", ["order_id"])
    op.create_table(
        "ledger_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("chain_seq", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", postgresql.BYTEA(), nullable=False),
        sa.Column("hash", postgresql.BYTEA(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_ledger_events_holder_id_holders")
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_ledger_events_licence_id_licences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_events")),
        sa.UniqueConstraint("chain_seq", name=op.f("uq_ledger_events_chain_seq")),
    )
    op.create_index(op.f("ix_ledger_events_holder_id"), "ledger_events", ["holder_id"])
    op.create_index("ix_ledger_events_licence_id", "ledger_events", ["licence_id"])
    op.execute(LEDGER_TEXT)
    op.execute(_link_function(True))
    op.execute(_rechain_function(True))
    for ddl in _triggers("ledger_events"):
        op.execute(ddl)


def downgrade() -> None:
    op.drop_table("ledger_events")
    op.execute(_link_function(False))
    op.execute(_rechain_function(False))
    op.execute(
        "DROP FUNCTION IF EXISTS history_ledger_event_text(bigint, integer, integer, text, text,"
        " timestamptz, text, jsonb, jsonb)"
    )
    op.drop_table("payment_allocations")
    op.drop_table("payments")
    op.drop_table("orders_to_pay")
    op.drop_column("licences", "charges_from")
    op.execute("UPDATE licences SET status = 'application' WHERE status = 'approved'")
    op.drop_constraint(op.f("ck_licences_status"), "licences", type_="check")
    op.create_check_constraint("status", "licences", f"status IN ({OLD_STATUSES})")
    op.execute("UPDATE users SET role = 'viewer' WHERE role = 'finance'")
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint(
        "role", "users", "role IN ('viewer', 'officer', 'supervisor', 'admin')"
    )
