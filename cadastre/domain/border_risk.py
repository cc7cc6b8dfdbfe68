"""Border risk as plain rules: distance tier, risk level and the reasons in words.

The rule, all of it data in the profile (``border_risk``):

* **Tier** (geography alone): the first tier whose ``max_km`` is at least the distance
  (inclusive), from the nearest to the farthest; beyond the last tier it is ``none``.
  A licence that touches or straddles a land border is at 0 km.
* **Risk level**: starts at the tier's level and is raised one step (never past the top
  level) when any raising rule applies: one of the licence's commodities is listed under
  ``raise_when.commodities`` or its type under ``raise_when.licence_types``. Licences
  beyond every tier are not raised: the level is about smuggling across a border.
* **Reasons**: the distance and border ("3.2 km from the Sierra Leone–Liberia border"),
  each raising rule that applied ("diamond licence", "artisanal licence"), and the nearest
  point of interest when within ``points_of_interest_km`` ("8.4 km from Koidu diamond
  market (trading hub)"); a point of interest explains but does not raise the level.

The set-based recompute (``cadastre.services.border``) states the same rule in SQL, built
from the same :class:`RiskRules`; the tests hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from cadastre.profile import Profile

#: Tier of a licence beyond the farthest tier.
NO_TIER = "none"


@dataclass(frozen=True)
class RiskRules:
    """The border-risk part of a profile, as values."""

    #: (tier name, inclusive upper bound in km), nearest first.
    tiers: tuple[tuple[str, float], ...]
    #: Levels in ascending order; ``levels[0]`` is the level of licences beyond every tier.
    levels: tuple[str, ...]
    raise_commodities: tuple[str, ...]
    raise_licence_types: tuple[str, ...]
    poi_km: float
    #: The profile's words for each raising type ('small-scale'), in the order above.
    raise_type_words: tuple[str, ...] = ()

    @classmethod
    def from_profile(cls, profile: Profile) -> RiskRules:
        """The rules a profile states."""
        return cls(
            tiers=tuple((t.name, float(t.max_km)) for t in profile.tiers),
            levels=tuple(profile.levels),
            raise_commodities=tuple(profile.raise_commodities),
            raise_licence_types=tuple(profile.raise_licence_types),
            poi_km=float(profile.points_of_interest_km),
            raise_type_words=tuple(profile.type_words(t) for t in profile.raise_licence_types),
        )

    def words_for(self, licence_type: str) -> str:
        """A raising type in a sentence: the profile's words ('small-scale')."""
        words = dict(zip(self.raise_licence_types, self.raise_type_words, strict=False))
        return words.get(licence_type) or _hyphenated(licence_type)

    @property
    def tier_names(self) -> tuple[str, ...]:
        """Every tier a licence can be in, ``none`` last."""
        return tuple(name for name, _ in self.tiers) + (NO_TIER,)

    def bands(self) -> list[tuple[str, float, float]]:
        """Each tier as a ring (name, from km, to km): 0–5, 5–10, 10–25 by default."""
        out, low = [], 0.0
        for name, high in self.tiers:
            out.append((name, low, high))
            low = high
        return out


@dataclass(frozen=True)
class Assessment:
    """The outcome of the rules for one licence."""

    tier: str | None
    level: str | None
    reasons: list[str]


def tier_for(distance_km: float | None, tiers: Sequence[tuple[str, float]]) -> str | None:
    """The tier of a distance (inclusive bounds); None when the distance is unknown."""
    if distance_km is None:
        return None
    for name, max_km in tiers:
        if distance_km <= max_km:
            return name
    return NO_TIER


def raising_reasons(
    commodities: Sequence[str], licence_type: str, rules: RiskRules
) -> list[str]:
    """The raising rules that apply to a licence, in words (commodities first)."""
    reasons = [f"{c} licence" for c in commodities if c in rules.raise_commodities]
    if licence_type in rules.raise_licence_types:
        reasons.append(f"{rules.words_for(licence_type)} licence")
    return reasons


def risk_level(tier: str | None, raised: bool, rules: RiskRules) -> str | None:
    """The tier's level, one step higher (capped at the top) when ``raised``."""
    if tier is None:
        return None
    if tier == NO_TIER:
        return rules.levels[0]
    index = rules.levels.index(tier)
    if raised:
        index = min(index + 1, len(rules.levels) - 1)
    return rules.levels[index]


def assess_values(
    *,
    distance_km: float | None,
    border: str | None,
    poi_km: float | None,
    poi_name: str | None,
    poi_kind: str | None,
    commodities: Sequence[str],
    licence_type: str,
    rules: RiskRules,
) -> Assessment:
    """Tier, level and reasons for a licence from its measured distances."""
    tier = tier_for(distance_km, rules.tiers)
    reasons: list[str] = []
    raised = False
    if tier not in (None, NO_TIER):
        reasons.append(border_reason(distance_km, border))
        extra = raising_reasons(commodities, licence_type, rules)
        raised = bool(extra)
        reasons.extend(extra)
    if poi_km is not None and poi_km <= rules.poi_km:
        reasons.append(poi_reason(poi_km, poi_name, poi_kind))
    return Assessment(tier, risk_level(tier, raised, rules), reasons)


def km_text(km: float) -> str:
    """A distance to 0.1 km, rounded half away from zero as PostgreSQL rounds numerics."""
    # 15 significant digits first: what PostgreSQL keeps when it casts float8 to numeric.
    return str(Decimal(f"{km:.15g}").quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _hyphenated(licence_type: str) -> str:
    """'small_scale' -> 'small-scale': rules built without a profile's words."""
    return licence_type.replace("_", "-")


def kind_words(kind: str | None) -> str:
    """'trading_hub' -> 'trading hub'."""
    return (kind or "").replace("_", " ")


def border_reason(distance_km: float, border: str | None) -> str:
    """'3.2 km from the Sierra Leone–Liberia border' (or 'straddles the ... border')."""
    if distance_km == 0:
        return f"straddles the {border} border"
    return f"{km_text(distance_km)} km from the {border} border"


def poi_reason(km: float, name: str | None, kind: str | None) -> str:
    """'8.4 km from Koidu diamond market (trading hub)'."""
    return f"{km_text(km)} km from {name} ({kind_words(kind)})"


def number_text(value: float) -> str:
    """2.0 -> '2', 0.5 -> '0.5'."""
    return f"{value:g}"


def format_distance(km: float | None, uncertainty_km: float | None, source: str | None) -> str:
    """'3.2 km (± 2 km, Natural Earth 1:10m)': a distance with the data's uncertainty."""
    if km is None:
        return "not assessed"
    qualifiers = []
    if uncertainty_km is not None:
        qualifiers.append(f"± {number_text(uncertainty_km)} km")
    if source:
        qualifiers.append(source)
    text = f"{km_text(km)} km"
    return f"{text} ({', '.join(qualifiers)})" if qualifiers else text

