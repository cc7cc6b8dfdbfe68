"""The demo register's files taken through their procedures, as the agency's officers would
have: each stage completed by the officer who does it, on its own day, with the documents it
needs put on file and the fees it needs paid at the bank first (``walk_procedure`` does the
completing, through the same rules as every other path).

Applications still pending are left at every stage of their procedure in turn, so the
officers' queues and the procedure panels have content; no random draws (the rest of the
demo stays as it was). One placeholder PDF per kind of document: the store is
content-addressed, so the whole demo holds a handful of files.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cadastre.domain.procedure import Procedure, Stage
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services.demo_money import FINANCE, DemoTill
from cadastre.services.document_store import DocumentStore
from cadastre.services.documents import Upload, add_document
from cadastre.services.procedure_walk import placeholder_pdf, walk_procedure

#: Who completes each stage in the demo: the officer the profile names for it.
STAGE_ACTORS = {
    # the artisanal licence's eight steps
    "plot_allocation": "demo:officer.kamara",  # Cadastre Clerk
    "survey": "demo:officer.sesay",  # Mines Warden
    "surface_rent_agreement": "demo:officer.sesay",  # Mines Warden
    "file_check": "demo:officer.mansaray",  # Area Superintendent
    "verification": "demo:officer.fofanah",  # Mining Engineer
    "approval": "demo:supervisor.koroma",  # Regional Manager
    "order_to_pay": "demo:officer.kamara",  # Cadastre Clerk
    "finalisation": "demo:officer.kamara",  # Cadastre Clerk
    # the NMA's six stages for the larger licences
    "lodged": "demo:officer.kamara",  # Cadastre Clerk
    "gps_validation": "demo:officer.turay",  # Cadastre GIS officer
    "board_recommendation": "demo:supervisor.kanu",  # Secretary to the Board
    "decision": "demo:supervisor.koroma",  # Director of Mines
    "fee_paid": FINANCE,
    "issue": "demo:officer.kamara",  # Cadastre Clerk
}
#: Where pending applications wait, in turn per licence type: each stage "not yet done".
#: The larger licences wait most often for the Minerals Advisory Board.
PENDING_AT = {
    "artisanal": None,  # every stage of the procedure in turn
    "*": (
        "lodged",
        "gps_validation",
        "board_recommendation",
        "board_recommendation",
        "decision",
        "fee_paid",
        "issue",
    ),
}
#: Where a refused application was refused, and why, by procedure.
REFUSED_AT = {
    "artisanal": ("verification", "Incomplete environmental management plan"),
    "*": ("board_recommendation", "Not recommended by the Minerals Advisory Board"),
}
#: Stages completed on one visit to the file, one date for them all (a stage not named here
#: is a visit of its own). The payment a visit's stages need is made before it: so the order
#: to pay and the finalisation are two visits.
VISITS = {
    "artisanal": (
        ("survey", "surface_rent_agreement"),  # the Mines Warden
        ("approval", "order_to_pay"),  # approved; the Clerk issues the order that day
    ),
    "*": (("fee_paid", "issue"),),  # the receipt confirmed, the licence issued that day
}
#: Between the decision and the visits after it on the same day.
AFTER_DECISION = timedelta(minutes=25)


class DemoWalker:
    """Walks demo files through their procedures, paying through the demo's till."""

    def __init__(self, profile: Profile, store: DocumentStore, till: DemoTill) -> None:
        self.profile, self.store, self.till = profile, store, till
        self.pending: dict[str, int] = {}
        self.pdfs: dict[str, bytes] = {}

    def pending_stop(self, lic: Licence) -> str:
        """The stage a pending application is left waiting at (each in turn, per type)."""
        procedure = self._procedure(lic)
        order = PENDING_AT.get(lic.licence_type, PENDING_AT["*"])
        names = order or tuple(s.name for s in procedure.stages)
        n = self.pending.get(lic.licence_type, 0)
        self.pending[lic.licence_type] = n + 1
        return names[n % len(names)]

    def leave_pending(self, session: Session, lic: Licence, now: datetime) -> Licence:
        """Walk a pending application up to (not including) its waiting stage, the visits
        spread between its receipt and now."""
        visits = self._visits(lic, self._before(lic, self.pending_stop(lic)))
        received = lic.received_at or now
        times = _spread(received, now - timedelta(hours=2), len(visits))
        return self._walk(session, lic, list(zip(visits, times, strict=True)))

    def refusal(self, lic: Licence) -> tuple[str, str]:
        """Where and why the demo refuses an application of this type."""
        return REFUSED_AT.get(lic.licence_type, REFUSED_AT["*"])

    def walk_to(self, session: Session, lic: Licence, stop: str, decided: datetime) -> Licence:
        """Walk up to (not including) ``stop``, the visits spread before ``decided``."""
        visits = self._visits(lic, self._before(lic, stop))
        times = _spread(lic.received_at or decided, decided, len(visits))
        return self._walk(session, lic, list(zip(visits, times, strict=True)))

    def decide(self, session: Session, lic: Licence, decided: datetime) -> Licence:
        """Walk every stage: the visits before the decision spread between receipt and
        ``decided``, the decision that day, the order to pay, payment and issue after it."""
        procedure = self._procedure(lic)
        visits = self._visits(lic, list(procedure.stages))
        decision = next(
            n for n, v in enumerate(visits) if procedure.clock.until in (s.name for s in v)
        )
        before = _spread(lic.received_at or decided, decided, decision)
        after = [decided + AFTER_DECISION * k for k in range(len(visits) - decision)]
        return self._walk(session, lic, list(zip(visits, before + after, strict=True)))

    def _procedure(self, lic: Licence) -> Procedure:
        procedure = self.profile.procedure(lic.licence_type)
        assert procedure is not None, lic.licence_type
        return procedure

    def _before(self, lic: Licence, stop: str) -> list[Stage]:
        procedure = self._procedure(lic)
        return list(procedure.stages[: procedure.position(stop) - 1])

    def _visits(self, lic: Licence, stages: list[Stage]) -> list[list[Stage]]:
        """``stages`` (in order) grouped into the visits that complete them."""
        groups = VISITS.get(lic.licence_type, VISITS["*"])
        visit_of = {name: n for n, group in enumerate(groups) for name in group}
        visits: list[list[Stage]] = []
        last = None
        for stage in stages:
            n = visit_of.get(stage.name, stage.name)
            if not visits or n != last:
                visits.append([])
            visits[-1].append(stage)
            last = n
        return visits

    def _walk(self, session: Session, lic: Licence, plan: list[tuple[list[Stage], datetime]]):
        for visit, at in plan:
            actors = {"finance": FINANCE}
            for stage in visit:
                self._supply(session, lic, stage, at)
                for role in stage.roles:
                    actors.setdefault(role, STAGE_ACTORS.get(stage.name, "demo:officer.kamara"))
            lic = walk_procedure(
                session,
                self.profile,
                lic.id,
                store=self.store,
                at=at,
                until=visit[-1].name,
                actors=actors,
            )
        return lic

    def _supply(self, session: Session, lic: Licence, stage: Stage, at: datetime) -> None:
        """The stage's documents put on file by its officer that day, and what it needs
        paid paid at the bank the same day (the demo's receipts, through its till)."""
        who = STAGE_ACTORS.get(stage.name, "demo:officer.kamara")
        officer = who if who.startswith("demo:officer.") else "demo:officer.kamara"
        for kind in stage.documents:
            words = kind.replace("_", " ").capitalize()
            if kind not in self.pdfs:
                self.pdfs[kind] = placeholder_pdf(f"{words} (demo register placeholder)")
            upload = Upload(filename=f"{kind}.pdf", data=self.pdfs[kind], kind=kind,
                            title=f"{words} for {lic.code}", supersedes=None)  # fmt: skip
            add_document(session, self.store, lic.id, upload, actor=officer, at=at)
        if stage.payment:
            self.till.pay(session, lic.id, at.date())


def _spread(start: datetime, end: datetime, n: int) -> list[datetime]:
    """``n`` moments evenly between ``start`` and ``end`` (both excluded), in order."""
    step = (end - start) / (n + 1)
    return [start + step * (k + 1) for k in range(n)]
