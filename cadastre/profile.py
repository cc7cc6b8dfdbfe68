"""The jurisdiction profile: a country's cadastre rules as data, loaded and checked at start.

Another Mano River Union country is a new profile file, not new code. A malformed
profile stops start-up with a message naming the file, the key and the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cadastre.domain.fees import FeeRules
from cadastre.domain.lifecycle import LICENCE_STATUSES
from cadastre.domain.obligations import ObligationRules
from cadastre.domain.procedure import Procedure
from cadastre.errors import ConfigurationError
from cadastre.profile_fees import fee_rules
from cadastre.profile_obligations import obligation_rules
from cadastre.profile_procedures import procedures

#: A colour as the profile writes it: ``#rrggbb``.
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HOLDER_KINDS = ("company", "individual", "cooperative")
#: Statuses a profile may not list yet (added to the lifecycle after it was written): each
#: takes the colour of the status named beside it, and this label.
LATER_STATUSES = {"approved": ("application", "Approved, awaiting payment")}


@dataclass(frozen=True)
class LicenceType:
    """Legal parameters of one licence type."""

    name: str
    label: str
    code_prefix: str
    #: ``#rrggbb``: the type's colour on the web map, the pages and the offline packs.
    colour: str
    max_area_ha: float
    term_years: int
    renewals: int
    renewal_term_years: int
    exclusive: bool
    holder_kinds: tuple[str, ...]
    renewal_max_area_ha: float | None = None
    max_depth_m: float | None = None
    #: The type in a sentence, before "licence": "a small-scale licence may cover ...".
    words: str = ""
    #: Whether mechanised earth-moving is allowed (None: the profile does not say).
    mechanised: bool | None = None
    #: A renewal may be made from this many days before expiry (None: at any time) ...
    renewal_opens_days: int | None = None
    #: ... until this many days before expiry (0: up to the expiry date itself).
    renewal_closes_days: int = 0
    #: Individuals must be citizens (nationality the jurisdiction's), and cooperatives must
    #: be of citizens (``domain.eligibility``).
    citizens_only: bool = False
    #: Least share (per cent) of a company owned by citizens (None: no such rule).
    min_local_ownership_pct: float | None = None
    #: May be applied for on another holder's exclusive ground with that holder's consent
    #: (never on ground of a type that allows the same).
    overlap_with_consent: bool = False


@dataclass(frozen=True)
class NoticeRules:
    """What a notice before suspension or revocation gives the holder."""

    remedy_days: int = 30
    #: Where ``remedy_days`` comes from (or ``guess: ...``), printed on every notice.
    source: str = "guess: not set in the profile"
    default_cause: str = "The holder has failed to comply with the law or a licence condition."


@dataclass(frozen=True)
class StatusStyle:
    """How a licence status is named and coloured (the lifecycle itself is code)."""

    name: str
    label: str
    colour: str


@dataclass(frozen=True)
class Tier:
    """A border distance tier: licences within ``max_km`` (inclusive) fall in it."""

    name: str
    max_km: float


@dataclass(frozen=True)
class PointOfInterest:
    """A known crossing point or trading hub."""

    name: str
    kind: str
    lon: float
    lat: float


@dataclass(frozen=True)
class CountryRef:
    """A country the registry stores boundaries for."""

    iso_a3: str
    iso_numeric: int
    name: str


@dataclass(frozen=True)
class District:
    """A named area used for demo data and training (centre and radius)."""

    name: str
    lon: float
    lat: float
    radius_km: float


@dataclass(frozen=True)
class Profile:
    """A whole jurisdiction profile."""

    path: str
    name: str
    iso_a3: str
    authority: str
    countries: tuple[CountryRef, ...]
    neighbours: tuple[str, ...]
    utm_zones: tuple[str, ...]
    commodities: tuple[str, ...]
    licence_types: dict[str, LicenceType]
    statuses: dict[str, StatusStyle]
    decision_days: int
    outside_tolerance: float
    max_vertices: int
    tiers: tuple[Tier, ...]
    levels: tuple[str, ...]
    raise_commodities: tuple[str, ...]
    raise_licence_types: tuple[str, ...]
    points_of_interest: tuple[PointOfInterest, ...]
    points_of_interest_km: float
    districts: tuple[District, ...] = field(default_factory=tuple)
    notices: NoticeRules = field(default_factory=NoticeRules)
    #: Fee schedules and annual charges (``domain.fees``); none: nothing is charged.
    fees: FeeRules = field(default_factory=FeeRules)
    #: The staged procedure of each licence type that has one (``domain.procedure``).
    procedures: dict[str, Procedure] = field(default_factory=dict)
    #: What holders owe besides money, by licence type (``domain.obligations``).
    obligations: ObligationRules = field(default_factory=ObligationRules)

    def procedure(self, licence_type: str) -> Procedure | None:
        """The procedure of ``licence_type``; None when its decisions are taken at once."""
        return self.procedures.get(licence_type)

    def licence_type(self, name: str) -> LicenceType:
        """The licence type called ``name`` (KeyError if the profile has none)."""
        return self.licence_types[name]

    def type_label(self, name: str) -> str:
        """The profile's label of a licence type; the bare name for one it no longer offers."""
        spec = self.licence_types.get(name)
        return spec.label if spec else name

    def type_words(self, name: str) -> str:
        """The type in a sentence ("small-scale"); the bare name for one it no longer offers."""
        spec = self.licence_types.get(name)
        return spec.words if spec else name

    def palette(self) -> dict[str, dict[str, str]]:
        """Colours by licence type and by status: the one palette every map and page uses."""
        return {
            "types": {n: t.colour for n, t in self.licence_types.items()},
            "statuses": {n: s.colour for n, s in self.statuses.items()},
        }

    def country_name(self, iso_a3: str) -> str:
        """The profile's name for a country code."""
        for c in self.countries:
            if c.iso_a3 == iso_a3:
                return c.name
        return iso_a3


class _Reader:
    """Reads typed values out of the parsed YAML, naming file and key on any fault."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"Profile {self.path}: key '{key}': {problem}")

    def get(
        self, data: Any, key: str, kind: type | tuple[type, ...], where: str = "", signed=False
    ) -> Any:
        full = f"{where}.{key}" if where else key
        if not isinstance(data, dict) or key not in data:
            raise self.fail(full, "is missing")
        value = data[key]
        if kind in (int, float) or kind == (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(full, f"must be a number, not {value!r}")
            if value < 0 and not signed:
                raise self.fail(full, f"must not be negative, got {value!r}")
            return value
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(full, f"must be a {names}, not {type(value).__name__} {value!r}")
        return value

    def opt(self, data: dict, key: str, kind: Any, where: str, default: Any = None) -> Any:
        return self.get(data, key, kind, where) if key in data else default


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; raise ConfigurationError naming file, key, problem."""
    path = str(path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise ConfigurationError(f"Profile {path}: cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"Profile {path}: is not valid YAML: {exc}") from exc
    return parse_profile(data, path)


def parse_profile(data: Any, path: str = "<profile>") -> Profile:
    """Validate parsed profile data into a Profile."""
    r = _Reader(path)
    if not isinstance(data, dict):
        raise r.fail("(top level)", "must be a mapping of keys to values")
    jur = r.get(data, "jurisdiction", dict)
    countries = _countries(r, data)
    neighbours = _neighbours(r, data, countries)
    geometry = r.get(data, "geometry", dict)
    tolerance = float(r.get(geometry, "outside_tolerance", (int, float), "geometry"))
    if tolerance >= 1:
        raise r.fail("geometry.outside_tolerance", f"must be a share below 1, got {tolerance}")
    risk = r.get(data, "border_risk", dict)
    tiers, levels = _tiers_and_levels(r, risk)
    raise_when = r.opt(risk, "raise_when", dict, "border_risk", {}) or {}
    crs = r.get(data, "crs", dict)
    apps = r.get(data, "applications", dict)
    types = _licence_types(r, data)
    return Profile(
        path=path,
        name=r.get(jur, "name", str, "jurisdiction"),
        iso_a3=r.get(jur, "iso_a3", str, "jurisdiction"),
        authority=r.opt(jur, "authority", str, "jurisdiction", ""),
        countries=countries,
        neighbours=neighbours,
        utm_zones=tuple(r.get(crs, "utm_zones", list, "crs")),
        commodities=tuple(str(c) for c in r.get(data, "commodities", list)),
        licence_types=types,
        statuses=_statuses(r, data),
        decision_days=int(r.get(apps, "decision_days", int, "applications")),
        outside_tolerance=tolerance,
        max_vertices=int(r.get(geometry, "max_vertices", int, "geometry")),
        tiers=tiers,
        levels=levels,
        raise_commodities=tuple(raise_when.get("commodities", [])),
        raise_licence_types=tuple(raise_when.get("licence_types", [])),
        points_of_interest=_points_of_interest(r, risk),
        points_of_interest_km=float(
            r.opt(risk, "points_of_interest_km", (int, float), "border_risk", 15)
        ),
        districts=tuple(
            District(d["name"], float(d["lon"]), float(d["lat"]), float(d["radius_km"]))
            for d in (data.get("districts") or [])
        ),
        notices=_notice_rules(r, r.opt(data, "notices", dict, "", None)),
        fees=fee_rules(r, r.opt(data, "money", dict, "", None), set(types)),
        procedures=procedures(
            r,
            r.opt(data, "procedures", dict, "", None),
            set(types),
            int(r.get(apps, "decision_days", int, "applications")),
        ),
        obligations=obligation_rules(r, r.opt(data, "obligations", dict, "", None), set(types)),
    )


def _countries(r: _Reader, data: dict) -> tuple[CountryRef, ...]:
    return tuple(
        CountryRef(
            r.get(c, "iso_a3", str, f"countries[{i}]"),
            int(r.get(c, "iso_numeric", int, f"countries[{i}]")),
            r.get(c, "name", str, f"countries[{i}]"),
        )
        for i, c in enumerate(r.get(data, "countries", list))
    )


def _neighbours(r: _Reader, data: dict, countries: tuple[CountryRef, ...]) -> tuple[str, ...]:
    known = {c.iso_a3 for c in countries}
    neighbours = tuple(r.get(data, "neighbours", list))
    for n in neighbours:
        if n not in known:
            raise r.fail("neighbours", f"'{n}' is not one of the countries {sorted(known)}")
    return neighbours


def _colour(r: _Reader, spec: Any, where: str) -> str:
    colour = r.get(spec, "colour", str, where)
    if not COLOUR.match(colour):
        raise r.fail(f"{where}.colour", f"must be a colour written #rrggbb, not {colour!r}")
    return colour.lower()


def _default_words(label: str) -> str:
    """'Small-scale mining licence' -> 'small-scale mining' (a profile may say it itself)."""
    words = label.strip()
    if words.lower().endswith(" licence"):
        words = words[: -len(" licence")]
    return words[:1].lower() + words[1:]


def _licence_type(r: _Reader, name: str, spec: Any) -> LicenceType:
    w = f"licence_types.{name}"
    kinds = tuple(r.get(spec, "holder_kinds", list, w))
    for k in kinds:
        if k not in HOLDER_KINDS:
            raise r.fail(f"{w}.holder_kinds", f"'{k}' is not company/individual/cooperative")
    label = r.get(spec, "label", str, w)
    return LicenceType(
        name=name,
        label=label,
        code_prefix=r.get(spec, "code_prefix", str, w),
        colour=_colour(r, spec, w),
        max_area_ha=float(r.get(spec, "max_area_ha", (int, float), w)),
        term_years=int(r.get(spec, "term_years", int, w)),
        renewals=int(r.get(spec, "renewals", int, w)),
        renewal_term_years=int(r.get(spec, "renewal_term_years", int, w)),
        exclusive=r.get(spec, "exclusive", bool, w),
        holder_kinds=kinds,
        renewal_max_area_ha=r.opt(spec, "renewal_max_area_ha", (int, float), w),
        max_depth_m=r.opt(spec, "max_depth_m", (int, float), w),
        words=r.opt(spec, "words", str, w) or _default_words(label),
        mechanised=r.opt(spec, "mechanised", bool, w),
        **_renewal_window(r, spec, w),
        **_eligibility(r, spec, w),
    )


def _eligibility(r: _Reader, spec: dict, where: str) -> dict[str, Any]:
    """Who may hold the type beyond its holder kinds: citizenship, local ownership, consent."""
    pct = r.opt(spec, "min_local_ownership_pct", (int, float), where)
    if pct is not None and pct > 100:
        raise r.fail(f"{where}.min_local_ownership_pct", f"must be a share up to 100, got {pct}")
    return {
        "citizens_only": r.opt(spec, "citizens_only", bool, where, False),
        "min_local_ownership_pct": float(pct) if pct is not None else None,
        "overlap_with_consent": r.opt(spec, "overlap_with_consent", bool, where, False),
    }


def _renewal_window(r: _Reader, spec: dict, where: str) -> dict[str, int]:
    """``renewal_window`` of a licence type as LicenceType fields (none: no window)."""
    window = r.opt(spec, "renewal_window", dict, where)
    if window is None:
        return {}
    w = f"{where}.renewal_window"
    opens = int(r.get(window, "opens_days_before_expiry", int, w))
    closes = int(r.opt(window, "closes_days_before_expiry", int, w, 0))
    if closes > opens:
        raise r.fail(f"{w}.closes_days_before_expiry", f"must not exceed opens ({opens})")
    return {"renewal_opens_days": opens, "renewal_closes_days": closes}


def _notice_rules(r: _Reader, data: dict | None) -> NoticeRules:
    """The ``notices`` section (absent: the defaults, marked as a guess)."""
    default = NoticeRules()
    if data is None:
        return default
    days = int(r.opt(data, "remedy_days", int, "notices", default.remedy_days))
    if days < 1:
        raise r.fail("notices.remedy_days", f"must be at least 1 day, got {days}")
    return NoticeRules(
        remedy_days=days,
        source=r.opt(data, "source", str, "notices", default.source).strip(),
        default_cause=r.opt(data, "default_cause", str, "notices", default.default_cause).strip(),
    )


#: A licence type's name is a database key (``licence_types.name``, 20 characters).
TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


def _licence_types(r: _Reader, data: dict) -> dict[str, LicenceType]:
    types: dict[str, LicenceType] = {}
    for name, spec in r.get(data, "licence_types", dict).items():
        if not isinstance(name, str) or not TYPE_NAME.match(name):
            raise r.fail(
                f"licence_types.{name}",
                "must be named in lower case letters, digits and _ (at most 20 characters)",
            )
        types[name] = _licence_type(r, name, spec)
    if not types:
        raise r.fail("licence_types", "must define at least one licence type")
    return types


def _statuses(r: _Reader, data: dict) -> dict[str, StatusStyle]:
    given = dict(r.get(data, "statuses", dict))
    # A status later than the profile's file: labelled, and coloured like its neighbour.
    for status, (like, label) in LATER_STATUSES.items():
        if status not in given and isinstance(given.get(like), dict):
            given[status] = {**given[like], "label": label}
    missing = [s for s in LICENCE_STATUSES if s not in given]
    if missing:
        raise r.fail("statuses", f"has no entry for {', '.join(missing)}")
    unknown = [s for s in given if s not in LICENCE_STATUSES]
    if unknown:
        raise r.fail("statuses", f"'{unknown[0]}' is not a status ({', '.join(LICENCE_STATUSES)})")
    return {
        s: StatusStyle(
            s, r.get(given[s], "label", str, f"statuses.{s}"), _colour(r, given[s], f"statuses.{s}")
        )
        for s in LICENCE_STATUSES
    }


def _tiers_and_levels(r: _Reader, risk: dict) -> tuple[tuple[Tier, ...], tuple[str, ...]]:
    tiers = tuple(
        Tier(
            r.get(t, "name", str, f"border_risk.tiers[{i}]"),
            float(r.get(t, "max_km", (int, float), f"border_risk.tiers[{i}]")),
        )
        for i, t in enumerate(r.get(risk, "tiers", list, "border_risk"))
    )
    if [t.max_km for t in tiers] != sorted(t.max_km for t in tiers):
        raise r.fail("border_risk.tiers", "must be listed from the nearest to the farthest")
    levels = tuple(r.get(risk, "levels", list, "border_risk"))
    for t in tiers:
        if t.name not in levels:
            raise r.fail("border_risk.levels", f"has no level for tier '{t.name}'")
    return tiers, levels


def _points_of_interest(r: _Reader, risk: dict) -> tuple[PointOfInterest, ...]:
    where = "border_risk.points_of_interest"
    return tuple(
        PointOfInterest(
            r.get(p, "name", str, f"{where}[{i}]"),
            r.get(p, "kind", str, f"{where}[{i}]"),
            float(r.get(p, "lon", (int, float), f"{where}[{i}]", True)),
            float(r.get(p, "lat", (int, float), f"{where}[{i}]", True)),
        )
        for i, p in enumerate(r.opt(risk, "points_of_interest", list, "border_risk", []) or [])
    )
