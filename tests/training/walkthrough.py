"""How a trainee completes each scenario's tasks, done through the same services as the app."""

from __future__ import annotations

import tempfile

from shapely.geometry import box
from sqlalchemy import text

from cadastre.services import payments as _payments
from cadastre.services.document_store import FileStore
from cadastre.services.documents import Upload, add_document
from cadastre.services.licences import perform_action, register_application
from cadastre.services.procedure_walk import placeholder_pdf
from cadastre.services.stages import complete_stage
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
    # the officer's five stages, each with the paper it needs on file
    _stage(session, profile, lic.id, "plot_allocation", user)
    _upload(session, lic.id, "survey_sheet", user)
    _stage(session, profile, lic.id, "survey", user)
    _upload(session, lic.id, "surface_rent_agreement", user)
    _stage(session, profile, lic.id, "surface_rent_agreement", user)
    _stage(session, profile, lic.id, "file_check", user)
    save_answer(session, scenario, user, "verify-area", f"{lic.area_ha:.2f}")
    _upload(session, lic.id, "environmental_management_plan", user)
    _pay_order(session, lic.id, "cashier", f"RCB-5-{user}")  # the application fee
    _stage(session, profile, lic.id, "verification", user)
    # a district officer does not approve: the trainer, as supervisor, does
    _stage(session, profile, lic.id, "approval", "trainer", role="admin")
    _stage(session, profile, lic.id, "order_to_pay", user)
    _pay_order(session, lic.id, "cashier", f"RCB-8-{user}")  # the order to pay
    _stage(session, profile, lic.id, "finalisation", user)


def _stage(session, profile, licence_id, name, actor, role="officer"):
    """``actor`` completes a stage of the file's procedure, as the procedure panel does."""
    return complete_stage(session, profile, licence_id, name, actor=actor, role=role)


_STORE: list[FileStore] = []


def _upload(session, licence_id, kind, actor):
    """``actor`` puts a (placeholder) PDF of ``kind`` on the file."""
    if not _STORE:
        _STORE.append(FileStore(tempfile.mkdtemp(prefix="cadastre-walkthrough-")))
    title = kind.replace("_", " ").capitalize()
    upload = Upload(f"{kind}.pdf", placeholder_pdf(title), kind, title)
    return add_document(session, _STORE[0], licence_id, upload, actor=actor)


def _pay_order(session, licence_id, actor, receipt):
    """Finance records the bank's receipt for what the licence owes (in new leones)."""
    from datetime import UTC, datetime

    owed = session.scalar(
        text("SELECT sum(amount - paid) FROM orders_to_pay WHERE licence_id = :i"),
        {"i": licence_id},
    )
    if not owed:
        return  # nothing owed (an application recorded by an officer owes no fee here)
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
    _stage(session, profile, licence_id, "order_to_pay", user, role="supervisor")
    # signed in as Finance, the trainee records the bank's receipt
    _pay_order(session, licence_id, "cashier", f"RCB-{user}")
    perform_action(session, profile, licence_id, "finalise", actor=user)


WALKTHROUGHS = {
    name.replace("_", "-"): fn
    for name, fn in dict(globals()).items()
    if callable(fn)
    and not name.startswith("_")
    and name
    not in (
        "box",
        "text",
        "perform_action",
        "register_application",
        "save_answer",
        "annotations",
        "FileStore",
        "Upload",
        "add_document",
        "placeholder_pdf",
        "complete_stage",
    )
}
