"""Licence rules as pure functions: who may hold what, which commodities, terms and renewals.

Values in, values out or a domain error; no Flask, no session. The numbers come from the
jurisdiction profile (``cadastre.profile.LicenceType``), never from this file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from shapely.geometry.base import BaseGeometry

from cadastre.domain.calendar import add_years
from cadastre.domain.geometry import format_area, geodesic_area_ha
from cadastre.errors import Conflict, field_error
from cadastre.profile import LicenceType, Profile

#: Area of a kept or renewed geometry that may stick out of the old one (float noise).
INSIDE_TOLERANCE_HA = 0.0001
_KIND_WORDS = {
    "company": "a company",
    "individual": "an individual",
    "cooperative": "a cooperative",
}


def type_words(profile: Profile, licence_type: str) -> str:
    """The type as the profile words it in a sentence ('small-scale'), for messages."""
    return profile.type_words(licence_type)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def check_licence_type(profile: Profile, licence_type: Any) -> LicenceType:
    """The profile's licence type of that name, or ValidationError on field licence_type."""
    if not isinstance(licence_type, str) or licence_type not in profile.licence_types:
        raise field_error(
            "licence_type",
            f"{licence_type!r} is not a licence type here; use one of "
            f"{', '.join(profile.licence_types)}.",
        )
    return profile.licence_type(licence_type)


def check_commodities(profile: Profile, commodities: Any) -> list[str]:
    """A non-empty list of commodities the profile knows, de-duplicated and sorted."""
    if isinstance(commodities, str) or not isinstance(commodities, Iterable):
        raise field_error("commodities", 'Give the commodities as a list, e.g. ["diamond"].')
    values = list(commodities)
    if not values:
        raise field_error("commodities", "Name at least one commodity the licence is for.")
    bad = [v for v in values if not isinstance(v, str) or v not in profile.commodities]
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5])
        raise field_error(
            "commodities",
            f"Unknown commodit{'y' if len(bad) == 1 else 'ies'} {shown}; "
            f"known here: {', '.join(profile.commodities)}.",
        )
    return sorted(set(values))


def check_holder_kind(spec: LicenceType, kind: str, holder_name: str, field: str = "holder_id"):
    """Refuse a holder whose kind (company, individual, cooperative) may not hold the type."""
    if kind in spec.holder_kinds:
        return
    allowed = " or ".join(_KIND_WORDS.get(k, k) for k in spec.holder_kinds)
    label = spec.words
    raise field_error(
        field,
        f"{_article(label).capitalize()} {label} licence may be held only by {allowed}; "
        f"{holder_name} is {_KIND_WORDS.get(kind, kind)}.",
    )


def first_expiry(spec: LicenceType, granted_on: date) -> date:
    """When a licence granted on ``granted_on`` expires at the end of its first term."""
    return add_years(granted_on, spec.term_years)


def check_renewal_count(spec: LicenceType, renewals: int) -> None:
    """Refuse a renewal beyond the number the licence type allows (409)."""
    if renewals < spec.renewals:
        return
    label = spec.words
    times = "once" if spec.renewals == 1 else f"{spec.renewals} times"
    detail = (
        f"{_article(label).capitalize()} {label} licence may be renewed {times}; "
        f"this one has been renewed {renewals} time{'s' if renewals != 1 else ''}."
        if spec.renewals
        else f"{_article(label).capitalize()} {label} licence cannot be renewed."
    )
    raise Conflict(detail, extra={"renewals": renewals, "renewals_allowed": spec.renewals})


def check_renewal_area(spec: LicenceType, area_ha: float, new_area_ha: float | None) -> None:
    """Refuse a renewal over the type's renewal area limit (the reduced area, if one is given)."""
    limit = spec.renewal_max_area_ha
    if limit is None:
        return
    area = area_ha if new_area_ha is None else new_area_ha
    if area <= limit:
        return
    label = spec.words
    how = (
        "Send a reduced 'geometry' inside the current area."
        if new_area_ha is None
        else "Reduce it further."
    )
    raise field_error(
        "geometry",
        f"On renewal {_article(label)} {label} licence may cover at most "
        f"{format_area(limit)}; the {'current' if new_area_ha is None else 'renewed'} "
        f"area is {format_area(area)}. {how}",
    )


def renewal_expiry(spec: LicenceType, expires_at: date | None, today: date) -> date:
    """The new expiry date: one renewal term after the current expiry (or today if none)."""
    return add_years(expires_at or today, spec.renewal_term_years)


def check_inside_old(
    new: BaseGeometry, old: BaseGeometry, *, field: str = "geometry", what: str = "kept area"
) -> float:
    """Refuse a geometry that reaches outside the current licence area; return its area (ha)."""
    outside = geodesic_area_ha(new.difference(old))
    if outside > INSIDE_TOLERANCE_HA:
        raise field_error(
            field,
            f"The {what} must lie inside the current licence area; "
            f"{format_area(outside)} of it lies outside.",
        )
    return geodesic_area_ha(new)


def check_partial_relinquishment(kept_ha: float, old_ha: float, field: str = "geometry") -> None:
    """A partial relinquishment must give up some ground but keep some."""
    if kept_ha <= 0:
        raise field_error(field, "The kept area is empty; to give up everything, send no geometry.")
    if kept_ha >= old_ha - INSIDE_TOLERANCE_HA:
        raise field_error(
            field,
            f"The kept area ({format_area(kept_ha)}) is the whole licence area "
            f"({format_area(old_ha)}); nothing would be relinquished.",
        )
