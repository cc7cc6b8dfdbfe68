"""What a licence event changed, said in words, from the event's before and after snapshots.

Pure: the caller passes the snapshots (``services.history.snapshot``) and the names of the
holders involved, already cut to what the reader's role may see (``domain.holder_privacy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Each lifecycle action as a past participle ("not yet granted", "renewed as asked").
PAST_TENSE = {
    "apply": "applied for",
    "grant": "granted",
    "approve": "approved, awaiting payment",
    "finalise": "finalised (granted on payment)",
    "refuse": "refused",
    "withdraw": "withdrawn",
    "renew": "renewed",
    "transfer": "transferred",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "revoke": "revoked",
    "relinquish": "relinquished",
    "expire": "expired",
    "import": "imported",
    "update": "updated",
    "attach_document": "document put on file",
    "supersede_document": "document superseded by a newer one",
    "stage": "stage of the procedure completed",
    "procedure": "placed in its procedure",
    "obligation_received": "obligation received (its document on file)",
    "obligation_waived": "obligation waived",
}

#: Fields said plainly when an event changed them (an import's update, say).
_OTHER_FIELDS = (
    ("licence_type", "Licence type"),
    ("district", "District"),
    ("granted_at", "Grant date"),
)


def past_tense(action: str) -> str:
    """``grant`` -> ``granted``; an unknown action is said with ``-ed`` after its stem."""
    if action in PAST_TENSE:
        return PAST_TENSE[action]
    return action[:-1] + "ed" if action.endswith("e") else action + "ed"


@dataclass(frozen=True)
class Change:
    """An event's change in words, and the ground before and after when the ground changed."""

    lines: tuple[str, ...]
    geometry_before: dict | None = None
    geometry_after: dict | None = None
    area_before_ha: float | None = None
    area_after_ha: float | None = None

    @property
    def ground_changed(self) -> bool:
        """True when the event changed the licence's area (a map shows before and after)."""
        return self.geometry_before is not None and self.geometry_after is not None


def _ha(value: Any) -> str:
    return f"{float(value):,.2f} ha"


def _holder(holder_id: Any, names: Mapping[int, str]) -> str:
    if holder_id is None:
        return "no holder"
    return names.get(holder_id) or f"holder #{holder_id}"


def _words(values: Any) -> str:
    return ", ".join(values) if values else "none"


def describe_change(
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    holder_names: Mapping[int, str] | None = None,
) -> Change:
    """Say what an event changed: status, holder (from, to), expiry (old, new), area (before,
    after, in hectares to two decimals), commodities and the other recorded fields.

    ``holder_names`` maps holder ids to the names the reader may see; a holder missing from it
    is named by its number. The first event of a licence (no ``before``) says what it started as.
    """
    names = holder_names or {}
    after = after or {}
    if not before:
        return _first_event(after, names)
    lines: list[str] = []
    old_status, new_status = before.get("status"), after.get("status")
    if old_status != new_status:
        lines.append(f"Status: {old_status} → {new_status}.")
    if before.get("holder_id") != after.get("holder_id"):
        old, new = _holder(before.get("holder_id"), names), _holder(after.get("holder_id"), names)
        lines.append(f"Transferred from {old} to {new}.")
    lines.extend(_expiry(before.get("expires_at"), after.get("expires_at")))
    old_ha, new_ha = before.get("area_ha"), after.get("area_ha")
    ground = before.get("geometry") != after.get("geometry")
    area_changed = (
        old_ha is not None and new_ha is not None and round(old_ha, 2) != round(new_ha, 2)
    )
    if area_changed:
        verb = "reduced" if new_ha < old_ha else "enlarged" if new_ha > old_ha else "changed"
        gone = f" ({_ha(old_ha - new_ha)} given up)" if new_ha < old_ha else ""
        lines.append(f"Area {verb} from {_ha(old_ha)} to {_ha(new_ha)}{gone}.")
    elif ground and before.get("geometry") and after.get("geometry"):
        lines.append(f"Boundary redrawn; the area stays {_ha(new_ha or 0)}.")
    elif action == "relinquish" and new_status == "relinquished" and new_ha is not None:
        lines.append(f"The whole area given up: {_ha(new_ha)}.")
    if before.get("commodities") != after.get("commodities"):
        old_c, new_c = _words(before.get("commodities")), _words(after.get("commodities"))
        lines.append(f"Commodities: {old_c} → {new_c}.")
    if before.get("renewals") != after.get("renewals") and after.get("renewals"):
        lines.append(f"Renewal number {after['renewals']}.")
    for key, label in _OTHER_FIELDS:
        old_v, new_v = before.get(key), after.get(key)
        if old_v != new_v:
            lines.append(f"{label}: {new_v}." if old_v is None else f"{label}: {old_v} → {new_v}.")
    lines.extend(_stage(before, after))
    lines.extend(_document(after))
    with_ground = ground and before.get("geometry") and after.get("geometry")
    return Change(
        tuple(lines),
        geometry_before=before.get("geometry") if with_ground else None,
        geometry_after=after.get("geometry") if with_ground else None,
        area_before_ha=old_ha,
        area_after_ha=new_ha,
    )


def _stage(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Where the application waits in its procedure, when an event moved it."""
    old, new = before.get("stage"), after.get("stage")
    if old == new:
        return []
    if new is None:
        return [f"Procedure complete (last stage: {old})."] if old else []
    return [f"Now waits at stage {new}" + (f" (was {old})." if old else ".")]


def _document(after: Mapping[str, Any]) -> list[str]:
    """A document put on file (and the one it supersedes), its content named by checksum."""
    doc = after.get("document")
    if not isinstance(doc, Mapping):
        return []
    kind = str(doc.get("kind") or "document").replace("_", " ")
    line = f"Document {doc.get('id')} on file: {kind}, SHA-256 {doc.get('sha256')}."
    old = after.get("supersedes")
    if isinstance(old, Mapping):
        line += f" It supersedes document {old.get('id')}."
    return [line]


def _expiry(old: str | None, new: str | None) -> list[str]:
    if old == new or new is None:
        return [] if old == new else [f"Expiry {old} removed."]
    if old is None:
        return [f"Expires on {new}."]
    word = "extended" if new > old else "brought forward"
    return [f"Expiry {word} from {old} to {new}."]


def _first_event(after: Mapping[str, Any], names: Mapping[int, str]) -> Change:
    lines = []
    if after.get("holder_id") is not None:
        lines.append(f"Holder: {_holder(after['holder_id'], names)}.")
    if after.get("area_ha") is not None:
        lines.append(f"Area: {_ha(after['area_ha'])}.")
    if after.get("expires_at"):
        lines.append(f"Expires on {after['expires_at']}.")
    return Change(tuple(lines), area_after_ha=after.get("area_ha"))
