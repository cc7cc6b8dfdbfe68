"""What of a holder each role may see: one rule for every read path (API, web pages).

The register is public about who holds what: a holder's name and kind, and a company's or
cooperative's registration number and nationality. An individual's identity number,
nationality and every holder's contact details are personal data: only officers and above,
who register and correct holders, see them. Searching must not reveal what reading hides.
"""

from __future__ import annotations

from cadastre.domain.roles import role_allows

#: Shown to everyone, for every holder.
PUBLIC_FIELDS = ("id", "name", "kind")
#: Public for organisations only: for an individual they identify a person.
ORGANISATION_FIELDS = ("registration_number", "nationality")
ORGANISATION_KINDS = ("company", "cooperative")
#: The lowest role that sees every field of every holder.
FULL_VIEW_ROLE = "officer"


def sees_everything(role: str | None) -> bool:
    """True when ``role`` (None: anonymous) sees personal and contact fields."""
    return role_allows(role, FULL_VIEW_ROLE)


def holder_projection(holder: dict, role: str | None) -> dict:
    """The holder's fields ``role`` may see; keys not about the holder's identity pass as is."""
    if sees_everything(role):
        return dict(holder)
    hidden = {"address", "phone", "email", *ORGANISATION_FIELDS}
    if holder.get("kind") in ORGANISATION_KINDS:
        hidden -= set(ORGANISATION_FIELDS)
    return {k: v for k, v in holder.items() if k not in hidden}


def registration_searchable_kinds(role: str | None) -> tuple[str, ...] | None:
    """Holder kinds whose registration number ``role`` may search by (None: every kind)."""
    return None if sees_everything(role) else ORGANISATION_KINDS
