"""Queries behind the border-risk report: filters from the query string, pages, CSV columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Numeric, Select, cast, func, select
from sqlalchemy.orm import Session

from cadastre.domain.border_risk import RiskRules
from cadastre.errors import ValidationError
from cadastre.models import Holder, Licence
from cadastre.models.licences import LICENCE_STATUSES
from cadastre.profile import Profile
from cadastre.services.border import border_dict, risk_dict
from cadastre.services.boundaries import active_dataset

NOT_ASSESSED = "not assessed"
#: The report's CSV: the licences layer's columns (cadastre/exports/writers.py, layer_csv)
#: and then these, the assessment behind the tier (lists joined with "; ").
CSV_EXTRA = (
    ("boundary_source", Licence.boundary_source),
    ("uncertainty_km", Licence.uncertainty_km),
    ("risk_reasons", func.array_to_string(Licence.risk_reasons, "; ")),
    ("nearest_poi", Licence.nearest_poi),
    ("poi_distance_km", func.round(cast(Licence.poi_distance_km, Numeric), 3)),
    ("assessed_at", Licence.assessed_at),
)


@dataclass(frozen=True)
class Filters:
    """What the report is narrowed to (None: no condition)."""

    tiers: tuple[str, ...] | None = None
    border: str | None = None
    commodity: str | None = None
    licence_type: str | None = None
    status: str | None = None


def _bad(field: str, raw: str, allowed) -> ValidationError:
    allowed = list(allowed)
    return ValidationError(
        f"'{field}' must be one of {', '.join(allowed)}, not {raw[:60]!r}.",
        errors=[{"field": field, "message": f"one of {', '.join(allowed)}"}],
    )


def border_names(profile: Profile) -> dict[str, str]:
    """Each neighbour's ISO code -> the name its land border is stored under."""
    home = profile.country_name(profile.iso_a3)
    return {iso: f"{home}–{profile.country_name(iso)}" for iso in profile.neighbours}


def filters_from_request(profile: Profile, *, default_tiers: bool = True) -> Filters:
    """Read and check the filters; by default only licences within a tier are listed."""
    args = request.args
    rules = RiskRules.from_profile(profile)
    tiers = None
    if args.get("tier"):
        tiers = tuple(t.strip() for t in args["tier"].split(",") if t.strip())
        for t in tiers:
            if t not in rules.tier_names:
                raise _bad("tier", t, rules.tier_names)
    elif default_tiers:
        tiers = tuple(name for name, _ in rules.tiers)
    border = args.get("border") or None
    if border is not None:
        names = border_names(profile)
        wanted = names.get(border.upper(), border.replace("-", "–"))
        if wanted not in names.values():
            raise _bad("border", border, [*names, *names.values()])
        border = wanted
    commodity = args.get("commodity") or None
    if commodity is not None and commodity not in profile.commodities:
        raise _bad("commodity", commodity, profile.commodities)
    licence_type = args.get("licence_type") or None
    if licence_type is not None and licence_type not in profile.licence_types:
        raise _bad("licence_type", licence_type, profile.licence_types)
    status = args.get("status") or None
    if status is not None and status not in LICENCE_STATUSES:
        raise _bad("status", status, LICENCE_STATUSES)
    return Filters(tiers, border, commodity, licence_type, status)


def conditions(f: Filters) -> list:
    """The filters as SQL conditions on licences."""
    out = []
    if f.tiers is not None:
        out.append(Licence.border_tier.in_(f.tiers))
    if f.border is not None:
        out.append(Licence.nearest_border == f.border)
    if f.commodity is not None:
        out.append(Licence.commodities.contains([f.commodity]))
    if f.licence_type is not None:
        out.append(Licence.licence_type == f.licence_type)
    if f.status is not None:
        out.append(Licence.status == f.status)
    return out


#: Nearest the border first; not yet assessed last.
ORDER = (Licence.border_distance_km.asc().nulls_last(), Licence.id)


def _where(stmt: Select, f: Filters) -> Select:
    return stmt.where(*conditions(f))


_COLUMNS = (
    Licence.id, Licence.code, Licence.licence_type, Licence.status, Licence.commodities,
    Holder.name.label("holder_name"), Licence.border_distance_km, Licence.border_tier,
    Licence.nearest_border, Licence.boundary_source, Licence.uncertainty_km,
    Licence.risk_level, Licence.risk_reasons, Licence.nearest_poi, Licence.poi_distance_km,
    Licence.assessed_at,
)


def report(
    session: Session, f: Filters, *, limit: int | None = None, offset: int = 0,
):
    """Matching licences nearest first: (rows, numberMatched)."""
    stmt = _where(select(*_COLUMNS).join(Holder, Holder.id == Licence.holder_id), f).order_by(
        *ORDER
    )
    matched = session.scalar(_where(select(func.count()).select_from(Licence), f))
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return rows, matched


def item(row) -> dict[str, Any]:
    """A report item: the licence, its holder's name, its border and risk objects."""
    return {
        "id": row.id,
        "code": row.code,
        "licence_type": row.licence_type,
        "status": row.status,
        "holder_name": row.holder_name,
        "commodities": list(row.commodities or []),
        "border": border_dict(row),
        "risk": risk_dict(row),
    }


def summary(session: Session, profile: Profile, f: Filters) -> dict[str, Any]:
    """Licences counted by tier, by border (and tier within it) and by risk level."""
    rules = RiskRules.from_profile(profile)
    tier = func.coalesce(Licence.border_tier, NOT_ASSESSED)
    border = func.coalesce(Licence.nearest_border, NOT_ASSESSED)
    level = func.coalesce(Licence.risk_level, NOT_ASSESSED)
    pairs = session.execute(
        _where(select(tier, border, func.count()).select_from(Licence), f).group_by(tier, border)
    ).all()
    levels = dict(
        session.execute(
            _where(select(level, func.count()).select_from(Licence), f).group_by(level)
        ).all()
    )
    order = [*rules.tier_names, NOT_ASSESSED]
    by_tier = {t: 0 for t in order}
    by_border: dict[str, dict[str, int]] = {}
    for t, b, n in pairs:
        by_tier[t] = by_tier.get(t, 0) + n
        counts = by_border.setdefault(b, {x: 0 for x in order} | {"total": 0})
        counts[t] = counts.get(t, 0) + n
        counts["total"] += n
    dataset = active_dataset(session)
    return {
        "boundary_source": dataset.label if dataset else None,
        "uncertainty_km": dataset.uncertainty_km if dataset else None,
        "tiers": [{"name": name, "max_km": km} for name, km in rules.tiers],
        "total": sum(by_tier.values()),
        "by_tier": by_tier,
        "by_border": dict(sorted(by_border.items())),
        "by_risk_level": {
            lv: levels.get(lv, 0) for lv in [*reversed(rules.levels), NOT_ASSESSED]
        },
    }
