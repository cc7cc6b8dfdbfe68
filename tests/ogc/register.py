"""Test registers for the map layers: a few licences in a test's transaction, or a
committed one (~150 licences) behind a live HTTP server for the real GIS clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from licence_support import grant_settled
from shapely.geometry import box
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.db import get_engine
from cadastre.models import (
    Holder,
    HolderEvent,
    LedgerEvent,
    Licence,
    LicenceCodeCounter,
    LicenceDocument,
    LicenceEvent,
    LicenceStage,
    OrderToPay,
    Payment,
    PaymentAllocation,
)
from cadastre.profile import load_profile
from cadastre.services.chain import unguarded_history
from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from tests.conftest import serving

KONO = (-10.97, 8.64)
TIERS = ["high", "elevated", "watch", None]


def build_register(session: Session, profile, count: int) -> list[int]:
    """``count`` small-scale licences on a grid in Kono; every 3rd granted (its procedure
    walked: placeholder documents, fees paid, each stage); tiers cycle."""
    holders = [
        create_holder(session, {"name": f"Map Layer Holder {i}", "kind": "company"}).id
        for i in range(3)
    ]
    ids = []
    received = datetime(2025, 1, 10, tzinfo=UTC)
    for i in range(count):
        x = KONO[0] + (i % 15) * 0.01
        y = KONO[1] + (i // 15) * 0.01
        lic = register_application(
            session,
            profile,
            holder_id=holders[i % 3],
            licence_type="small_scale",
            commodities=["diamond"] if i % 2 else ["diamond", "gold"],
            geometry=box(x, y, x + 0.005, y + 0.005),
            actor="test:ogc",
            received_at=received + timedelta(days=i),
            district="Kono",
        )
        if i % 3 == 0:
            grant_settled(
                session, profile, lic.id, actor="test:ogc", at=received + timedelta(days=i + 30)
            )
        ids.append(lic.id)
    for i, lid in enumerate(ids):
        session.execute(
            update(Licence)
            .where(Licence.id == lid)
            .values(
                border_tier=TIERS[i % 4],
                border_distance_km=float(i % 40),
                risk_level=TIERS[i % 4] or "none",
            )
        )
    session.flush()
    return ids


def drop_register(session: Session, ids: list[int]) -> None:
    """Remove a committed test register (events, money, licences, its holders, counters)."""
    holder_ids = set(session.scalars(select(Licence.holder_id).where(Licence.id.in_(ids))))
    with unguarded_history(session):
        session.execute(delete(LicenceEvent).where(LicenceEvent.licence_id.in_(ids)))
        session.execute(delete(HolderEvent).where(HolderEvent.holder_id.in_(holder_ids)))
        session.execute(delete(LedgerEvent).where(LedgerEvent.holder_id.in_(holder_ids)))
    payments = select(Payment.id).where(Payment.holder_id.in_(holder_ids))
    session.execute(delete(PaymentAllocation).where(PaymentAllocation.payment_id.in_(payments)))
    session.execute(delete(Payment).where(Payment.holder_id.in_(holder_ids)))
    session.execute(delete(OrderToPay).where(OrderToPay.holder_id.in_(holder_ids)))
    session.execute(delete(LicenceStage).where(LicenceStage.licence_id.in_(ids)))
    session.execute(delete(LicenceDocument).where(LicenceDocument.licence_id.in_(ids)))
    session.execute(delete(Licence).where(Licence.id.in_(ids)))
    session.execute(delete(Holder).where(Holder.id.in_(holder_ids)))
    session.execute(delete(LicenceCodeCounter).where(LicenceCodeCounter.prefix.in_(("SML", "OP"))))


class LiveServer:
    """The app on 127.0.0.1 in a thread, over committed data."""

    def __init__(self, database_url: str, count: int = 150) -> None:
        self.settings = Settings.from_env(
            database_url=database_url, testing=True, secret_key="test"
        )
        profile = load_profile(self.settings.profile)
        with Session(get_engine(database_url)) as session:
            assert session.scalar(text("SELECT count(*) FROM licences")) == 0
            self.ids = build_register(session, profile, count)
            session.commit()
        self.app = create_app(self.settings)
        self._serving = serving(self.app)
        self.url = self._serving.__enter__()

    def close(self) -> None:
        self._serving.__exit__(None, None, None)
        with Session(get_engine(self.settings.database_url)) as session:
            drop_register(session, self.ids)
            session.commit()
