"""A licence's history as the page shows it: each event's change in words, holders named as
the reader's role may see them, and the ground before and after where the event changed it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.history_words import Change, describe_change
from cadastre.domain.holder_privacy import holder_projection
from cadastre.models import Holder, LicenceEvent
from cadastre.services.holders import holder_to_dict


def _holder_ids(events: list[LicenceEvent]) -> set[int]:
    ids = set()
    for e in events:
        for snap in (e.before, e.after):
            if snap and isinstance(snap.get("holder_id"), int):
                ids.add(snap["holder_id"])
    return ids


def holder_names(session: Session, ids: set[int], role: str | None) -> dict[int, str]:
    """The names of these holders as ``role`` may see them (holder_privacy's one rule)."""
    if not ids:
        return {}
    holders = session.scalars(select(Holder).where(Holder.id.in_(ids)))
    seen = (holder_projection(holder_to_dict(h), role) for h in holders)
    return {h["id"]: h["name"] for h in seen if h.get("name")}


def described_events(
    session: Session, events: list[LicenceEvent], role: str | None
) -> dict[int, Change]:
    """Each event's change in words, keyed by event id."""
    names = holder_names(session, _holder_ids(events), role)
    return {e.id: describe_change(e.action, e.before, e.after, names) for e in events}
