"""Who may hold a licence type, as the profile sets it out from the Act; and consent.

One rule, :func:`check_eligibility`, run by the one application check
(``domain.application_rules``) and by a transfer (``services.lifecycle``): the holder's kind,
an individual's citizenship, a cooperative of citizens, a company's local ownership. A
fact the rule needs and the register lacks (no nationality recorded) refuses too: the
officer records it first, so a rule is never passed by leaving a field blank.

Nationalities are kept as ISO 3166 alpha-3 codes (:func:`normalise_nationality`), so
"Sierra Leone", "sierra leonean" and "SLE" are one nationality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cadastre.errors import field_error
from cadastre.profile import LicenceType, Profile

_KIND_WORDS = {
    "company": "a company",
    "individual": "an individual",
    "cooperative": "a cooperative",
}

#: Common nationalities by ISO 3166 alpha-3 code, with the names and adjectives an officer
#: types. The profile's countries are added to these (``nationality_names``).
COMMON_COUNTRIES: dict[str, tuple[str, ...]] = {
    "SLE": ("Sierra Leone", "Sierra Leonean", "SL"),
    "GIN": ("Guinea", "Guinean", "GN"),
    "LBR": ("Liberia", "Liberian", "LR"),
    "CIV": ("Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast", "Ivorian", "CI"),
    "GHA": ("Ghana", "Ghanaian", "GH"),
    "NGA": ("Nigeria", "Nigerian", "NG"),
    "SEN": ("Senegal", "Senegalese", "SN"),
    "GMB": ("Gambia", "The Gambia", "Gambian", "GM"),
    "MLI": ("Mali", "Malian", "ML"),
    "BFA": ("Burkina Faso", "Burkinabe", "BF"),
    "ZAF": ("South Africa", "South African", "ZA"),
    "LBN": ("Lebanon", "Lebanese", "LB"),
    "IND": ("India", "Indian", "IN"),
    "CHN": ("China", "Chinese", "CN"),
    "RUS": ("Russia", "Russian Federation", "Russian", "RU"),
    "TUR": ("Turkey", "Türkiye", "Turkish", "TR"),
    "ARE": ("United Arab Emirates", "UAE", "Emirati", "AE"),
    "GBR": ("United Kingdom", "UK", "Great Britain", "British", "GB"),
    "USA": ("United States", "United States of America", "USA", "US", "American"),
    "CAN": ("Canada", "Canadian", "CA"),
    "AUS": ("Australia", "Australian", "AU"),
    "FRA": ("France", "French", "FR"),
    "DEU": ("Germany", "German", "DE"),
    "BEL": ("Belgium", "Belgian", "BE"),
    "NLD": ("Netherlands", "Dutch", "NL"),
    "CHE": ("Switzerland", "Swiss", "CH"),
    "ISR": ("Israel", "Israeli", "IL"),
}


def _key(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def nationality_names(profile: Profile | None = None) -> dict[str, str]:
    """Every accepted spelling (case-folded) -> alpha-3 code: codes, names, adjectives."""
    names: dict[str, str] = {}
    for code, spellings in COMMON_COUNTRIES.items():
        names[_key(code)] = code
        for spelling in spellings:
            names[_key(spelling)] = code
    for country in profile.countries if profile is not None else ():
        names[_key(country.iso_a3)] = country.iso_a3
        names[_key(country.name)] = country.iso_a3
    return names


def country_words(profile: Profile, code: str) -> str:
    """A country's name for a code ("France" for FRA); the code when it is unknown."""
    for country in profile.countries:
        if country.iso_a3 == code:
            return country.name
    spellings = COMMON_COUNTRIES.get(code)
    return spellings[0] if spellings else code


def normalise_nationality(
    value: str | None, profile: Profile | None = None, field: str = "nationality"
) -> str | None:
    """The ISO 3166 alpha-3 code of a nationality given as code, name or adjective.

    None or blank: not recorded. Any other three letters are taken as a code the table
    does not list (upper-cased); anything else is refused naming the accepted forms.
    """
    if value is None or not value.strip():
        return None
    found = nationality_names(profile).get(_key(value))
    if found:
        return found
    text = value.strip()
    if len(text) == 3 and text.isascii() and text.isalpha():
        return text.upper()
    raise field_error(
        field,
        f"“{text[:60]}” is not a nationality the register knows; give the ISO 3166 "
        f"three-letter code (e.g. {profile.iso_a3 if profile else 'SLE'}) or the country's name.",
    )


@dataclass(frozen=True)
class HolderFacts:
    """What eligibility reads about a holder (nationality as an alpha-3 code)."""

    kind: str
    name: str
    nationality: str | None = None
    citizen_members: bool | None = None
    local_ownership_pct: float | None = None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _who_may_hold(profile: Profile, spec: LicenceType) -> str:
    """'a citizen of Sierra Leone or a cooperative of citizens' and the like."""
    parts = []
    for kind in spec.holder_kinds:
        if kind == "individual" and spec.citizens_only:
            parts.append(f"a citizen of {profile.name}")
        elif kind == "cooperative" and spec.citizens_only:
            parts.append("a cooperative of citizens")
        elif kind == "company" and spec.min_local_ownership_pct:
            parts.append(f"a company at least {spec.min_local_ownership_pct:g}% owned by citizens")
        else:
            parts.append(_KIND_WORDS.get(kind, kind))
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " or " + parts[-1]
    return parts[0] if parts else "no one"


def eligibility_fault(
    profile: Profile, spec: LicenceType, holder: HolderFacts, *, require_recorded: bool = True
) -> str | None:
    """Why ``holder`` may not hold a licence of type ``spec``, in words (None: it may).

    ``require_recorded=False`` (a legacy title being imported): a fact the register lacks
    is no fault; only a fact that contradicts the rule is.
    """
    who = holder.name or "The holder"
    if not require_recorded and _unrecorded(spec, holder):
        return None
    if holder.kind not in spec.holder_kinds:
        why = f"{who} is {_KIND_WORDS.get(holder.kind, holder.kind)}."
    elif holder.kind == "individual" and spec.citizens_only:
        if holder.nationality is None:
            why = f"{who}'s nationality is not recorded; record it on the holder."
        elif holder.nationality != profile.iso_a3:
            why = f"{who} is a national of {country_words(profile, holder.nationality)}."
        else:
            return None
    elif holder.kind == "cooperative" and spec.citizens_only:
        if holder.citizen_members is None:
            why = f"whether {who}'s members are citizens is not recorded; record it on the holder."
        elif not holder.citizen_members:
            why = f"{who} is a cooperative whose members are not all citizens."
        else:
            return None
    elif holder.kind == "company" and spec.min_local_ownership_pct:
        pct = holder.local_ownership_pct
        if pct is None:
            why = f"{who}'s share owned by citizens is not recorded; record it on the holder."
        elif pct < spec.min_local_ownership_pct:
            why = f"{who} is {pct:g}% owned by citizens."
        else:
            return None
    else:
        return None
    label = spec.words
    return (
        f"{_article(label).capitalize()} {label} licence may be held only by "
        f"{_who_may_hold(profile, spec)}; {why}"
    )


def _unrecorded(spec: LicenceType, holder: HolderFacts) -> bool:
    """Whether the fact the rule needs of this holder is missing."""
    if holder.kind not in spec.holder_kinds:
        return False
    if holder.kind == "individual" and spec.citizens_only:
        return holder.nationality is None
    if holder.kind == "cooperative" and spec.citizens_only:
        return holder.citizen_members is None
    if holder.kind == "company" and spec.min_local_ownership_pct:
        return holder.local_ownership_pct is None
    return False


def check_eligibility(
    profile: Profile,
    spec: LicenceType,
    holder: HolderFacts,
    field: str = "holder_id",
    *,
    require_recorded: bool = True,
) -> None:
    """Refuse (ValidationError on ``field``) a holder who may not hold the type."""
    fault = eligibility_fault(profile, spec, holder, require_recorded=require_recorded)
    if fault:
        raise field_error(field, fault)


@dataclass(frozen=True)
class Consent:
    """A holder's consent to an application on its licence's ground."""

    licence_id: int
    given_by: int
    given_on: date
    document: str


@dataclass(frozen=True)
class Overlapped:
    """A licence the application overlaps, as the consent rule reads it."""

    id: int
    code: str
    licence_type: str
    holder_id: int


def consent_fault(
    profile: Profile, spec: LicenceType, consent: Consent, overlapped: Overlapped | None
) -> str | None:
    """Why a consent cannot lift an overlap, in words (None: it lifts it).

    The applied-for type must allow it; the overlapped licence must exist, be overlapped,
    be of a type that does not itself allow it (two artisanal plots never share ground),
    and the consent must be given by its holder.
    """
    label = spec.words
    if not spec.overlap_with_consent:
        return (
            f"{_article(label).capitalize()} {label} licence may not overlap another right, "
            "even with its holder's consent."
        )
    if overlapped is None:
        return (
            f"The application does not overlap licence id {consent.licence_id}; "
            "no consent is needed."
        )
    other = profile.licence_types.get(overlapped.licence_type)
    if other is None or other.overlap_with_consent:
        words = profile.type_words(overlapped.licence_type)
        return (
            f"{overlapped.code} is {_article(words)} {words} licence; two such licences may "
            "not overlap, even with consent."
        )
    if consent.given_by != overlapped.holder_id:
        return (
            f"The consent for {overlapped.code} must be given by its holder "
            f"(holder id {overlapped.holder_id}), not holder id {consent.given_by}."
        )
    return None


def parse_consent(value: Any, index: int, today: date) -> Consent:
    """One consent from its JSON form; ValidationError on ``consents[i]`` when malformed."""
    where = f"consents[{index}]"
    if not isinstance(value, dict):
        raise field_error(where, "must be an object {licence_id, given_by, given_on, document}")
    ids = {}
    for key in ("licence_id", "given_by"):
        v = value.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 2**31:
            raise field_error(f"{where}.{key}", "must be a record id (a whole number)")
        ids[key] = v
    try:
        given_on = date.fromisoformat(str(value.get("given_on")))
    except ValueError:
        raise field_error(f"{where}.given_on", "must be a date, YYYY-MM-DD") from None
    if given_on > today:
        raise field_error(f"{where}.given_on", f"{given_on.isoformat()} is in the future")
    document = value.get("document")
    if not isinstance(document, str) or not document.strip() or len(document) > 200:
        raise field_error(
            f"{where}.document", "must name the consent document (1 to 200 characters)"
        )
    return Consent(ids["licence_id"], ids["given_by"], given_on, document.strip())
