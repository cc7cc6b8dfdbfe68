"""How a trainee completes each scenario's tasks, done through the same services as the app."""

from __future__ import annotations

from shapely.geometry import box
from sqlalchemy import text

from cadastre.services import payments as _payments
from cadastre.services.licences import perform_action, register_application
from cadastre.training.checker import save_answer


def _code(session, licence_id):
    return session.scalar(text("SELECT code FROM licences WHERE id = :i"), {"i": licence_id})


def _apply(session, profile, state, user, holder, licence_type, geometry, **kw):
    return register_application(
        session,
        profile,
        holder_id=state.holder_id(holder),
        licence_type=licence_type,
        commodities=kw.pop("commodities", ["diamond"]),
        geometry=geometry,
        actor=user,
        **kw,
    )


def kenema_artisanal_plot(session, profile, scenario, state, user):
    _apply(
        session,
        profile,
        state,
        user,
        "komba",
        "artisanal",
        scenario.area("warden-plot", user),
        district="Kenema",
    )


def exploration_overlap_free_part(session, profile, scenario, state, user):
    blocking = state.licence_id("sewa-el", user)
    save_answer(session, scenario, user, "find-blocking-licence", _code(session, blocking).lower())
    requested = scenario.area("requested-block", user)
    sewa = session.scalar(
        text("SELECT ST_AsText(geom) FROM licences WHERE id = :i"), {"i": blocking}
    )
    from shapely import wkt

    free = requested.difference(wkt.loads(sewa).buffer(0.0002))
    _apply(session, profile, state, user, "gola", "exploration", free, commodities=["gold"])


def liberian_border_plot(session, profile, scenario, state, user):
    _apply(session, profile, state, user, "brima", "artisanal", scenario.area("border-plot", user))
    save_answer(session, scenario, user, "name-the-tier", "High")


def transfer_licence(session, profile, scenario, state, user):
    perform_action(
        session,
        profile,
        state.licence_id("sandi-sml", user),
        "transfer",
        actor=user,
        reason="Transfer approved; consent on file",
        holder_id=state.holder_id("yengema-coop"),
    )
    save_answer(session, scenario, user, "which-office", "Mining Cadastre Office (Freetown)")


def renew_with_area_reduction(session, profile, scenario, state, user):
    licence_id = state.licence_id("lion-el", user)
    wkb = session.scalar(
        text("SELECT ST_AsText(geom) FROM licences WHERE id = :i"), {"i": licence_id}
    )
    from shapely import wkt

    minx, miny, maxx, maxy = wkt.loads(wkb).bounds
    reduced = box(minx, miny, minx + 0.8 * (maxx - minx), maxy)
    perform_action(session, profile, licence_id, "renew", actor=user, geometry=reduced)


def spot_expired_licences(session, profile, scenario, state, user):
    codes = [_code(session, state.licence_id(k, user)) for k in ("bo-1", "bo-2", "bo-3")]
    save_answer(session, scenario, user, "list-expired", ", ".join(reversed(codes)))
    perform_action(session, profile, state.licence_id("due-plot", user), "renew", actor=user)


def artisanal_eight_steps(session, profile, scenario, state, user):
    save_answer(session, scenario, user, "allocation", "chiefdom mining allocation committee")
    lic = _apply(
        session,
        profile,
        state,
        user,
        "conteh",
        "artisanal",
        scenario.area("allocated-plot", user),
        district="Kono",
    )
    save_answer(session, scenario, user, "verify-area", f"{lic.area_ha:.2f}")
    save_answer(session, scenario, user, "order-to-pay", "Cadastre Clerk")
    # a district officer does not grant: the trainer, as supervisor, decides on the file;
    # an artisanal grant waits for the order to pay, which Finance sees paid
    perform_action(session, profile, lic.id, "grant", actor="trainer", reason="Eligible")
    _pay_order(session, lic.id, "cashier", f"RCB-8-{user}")
    perform_action(session, profile, lic.id, "grant", actor="trainer", reason="Receipt confirmed")


def _pay_order(session, licence_id, actor, receipt):
    """Finance records the bank's receipt for what the licence owes (in new leones)."""
    from datetime import UTC, datetime

    owed = session.scalar(
        text("SELECT sum(amount - paid) FROM orders_to_pay WHERE licence_id = :i"),
        {"i": licence_id},
    )
    today = datetime.now(UTC).date()
    _payments.record_payment(
        session,
        _payments.PaymentRequest(
            amount=f"{owed:.2f}", currency="SLE", paid_on=today, receipt_number=receipt,
            licence_id=licence_id, bank="Rokel Commercial Bank",
        ),
        actor=actor,
        today=today,
    )  # fmt: skip


def order_to_pay_and_finalise(session, profile, scenario, state, user):
    licence_id = state.licence_id("bangura-plot", user)
    # the trainee, a supervisor, approves: the order to pay is issued
    perform_action(session, profile, licence_id, "approve", actor=user, reason="Eligible")
    # signed in as Finance, the trainee records the bank's receipt
    _pay_order(session, licence_id, "cashier", f"RCB-{user}")
    perform_action(session, profile, licence_id, "finalise", actor=user)


WALKTHROUGHS = {
    name.replace("_", "-"): fn
    for name, fn in dict(globals()).items()
    if callable(fn)
    and not name.startswith("_")
    and name
    not in ("box", "text", "perform_action", "register_application", "save_answer", "annotations")
}
