"""The one place an application is judged: every rule that needs no database, all at once.

The API, the officer's form and its Check step, the importer and the training workspace
all hand what an application says to :func:`check_application` and get back every field
error together. They differ only in how they show the errors (problem+json, form fields,
a JSON panel, a row's reasons). A new rule added here holds on every path.

What needs the register itself (the ground inside the country, first come first served)
is :func:`cadastre.services.applications.check_ground`, run after this one. The corner
count is refused where the area is read (``domain.geometry``, ``domain.corners``,
``importer.shapes``): a huge list must be stopped before it is built into a shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cadastre.domain.eligibility import HolderFacts, check_eligibility
from cadastre.domain.geometry import check_area_limit
from cadastre.domain.licence_rules import check_commodities, check_licence_type
from cadastre.domain.text_rules import hidden_characters_message
from cadastre.errors import ValidationError
from cadastre.profile import LicenceType, Profile

#: A field at fault and what is wrong with it, as forms and problem+json bodies carry it.
FieldError = dict[str, str]

#: The order the fields are listed in, on the form and in the API's errors.
FIELD_ORDER = (
    "licence_type",
    "commodities",
    "holder_id",
    "district",
    "geometry",
    "received_at",
    "granted_at",
    "expires_at",
)

#: Longest district name the register keeps (``licences.district`` is VARCHAR(60)).
DISTRICT_MAX_CHARS = 60


@dataclass(frozen=True)
class Application:
    """What an application (or an imported title) says, as plain values.

    ``holder_kind`` None: the holder is not known here (not found, or not yet matched), so
    the eligibility rule (kind, citizenship, local ownership) waits. ``area_ha`` None: the
    area was refused where it was read. Dates are judged only against an ``as_of`` day
    (legacy titles carry their own).
    """

    licence_type: Any
    commodities: Any
    holder_kind: str | None = None
    holder_name: str = ""
    #: ISO 3166 alpha-3 code; with the two below, what eligibility reads of the holder.
    holder_nationality: str | None = None
    holder_citizen_members: bool | None = None
    holder_local_ownership_pct: float | None = None
    #: False for a legacy title: a holder's fact not recorded is not held against it.
    holder_facts_required: bool = True
    district: Any = None
    area_ha: float | None = None
    received_at: datetime | date | None = None
    granted_at: date | None = None
    expires_at: date | None = None


@dataclass
class Decision:
    """The outcome: every field error, and the checked values a path goes on with."""

    errors: list[FieldError] = field(default_factory=list)
    spec: LicenceType | None = None
    commodities: list[str] | None = None

    @property
    def refused(self) -> bool:
        """Whether any rule refuses the application."""
        return bool(self.errors)

    def messages(self) -> list[str]:
        """The errors in words, in order (the importer's row reasons)."""
        return [e["message"] for e in self.errors]

    def raise_if_refused(self) -> None:
        """Raise one ValidationError carrying every field error (422 on the API)."""
        refuse(self.errors)


def in_field_order(errors: list[FieldError]) -> list[FieldError]:
    """The errors sorted by field as the application lists them (stable within a field)."""
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    return sorted(errors, key=lambda e: rank.get(e["field"].split(".")[0], len(rank)))


def refuse(errors: list[FieldError]) -> None:
    """Raise one ValidationError with every field error; nothing when there is none."""
    if not errors:
        return
    detail = (
        errors[0]["message"]
        if len(errors) == 1
        else f"The application has {len(errors)} problems: "
        + " ".join(e["message"] for e in errors)
    )
    raise ValidationError(detail, errors=errors)


def _gather(errors: list[FieldError], check, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        errors.extend(exc.errors or [{"field": "", "message": exc.detail}])
        return None


def check_district(district: Any) -> list[FieldError]:
    """A district, when given, is one short line of plain text (nothing hidden in it)."""
    if district is None:
        return []
    if not isinstance(district, str) or len(district) > DISTRICT_MAX_CHARS:
        return [
            {
                "field": "district",
                "message": f"The district must be text of {DISTRICT_MAX_CHARS} characters "
                "or fewer.",
            }
        ]
    hidden = hidden_characters_message(district)
    if hidden:
        return [{"field": "district", "message": f"The district {hidden}."}]
    return []


def check_dates(app: Application, as_of: date) -> list[FieldError]:
    """A title's dates: none but the expiry after ``as_of``, the expiry after the grant."""
    out: list[FieldError] = []
    words = {"received_at": "application date", "granted_at": "grant date"}
    for name, value in (("received_at", app.received_at), ("granted_at", app.granted_at)):
        day = value.date() if isinstance(value, datetime) else value
        if day is not None and day > as_of:
            out.append(
                {
                    "field": name,
                    "message": f"The {words[name]} {day.isoformat()} is after the as-of date "
                    f"{as_of.isoformat()}.",
                }
            )
    granted, expires = app.granted_at, app.expires_at
    if granted is not None and expires is not None and expires <= granted:
        out.append(
            {
                "field": "expires_at",
                "message": f"The expiry date {expires.isoformat()} is not after the grant date "
                f"{granted.isoformat()}.",
            }
        )
    return out


def holder_facts(app: Application) -> HolderFacts:
    """What the eligibility rule reads of the application's holder."""
    return HolderFacts(
        kind=app.holder_kind or "",
        name=app.holder_name,
        nationality=app.holder_nationality,
        citizen_members=app.holder_citizen_members,
        local_ownership_pct=app.holder_local_ownership_pct,
    )


def check_application(
    profile: Profile,
    app: Application,
    *,
    as_of: date | None = None,
    holder_field: str = "holder_id",
) -> Decision:
    """Judge an application by every rule that needs no database; all errors at once.

    Licence type known; commodities known; the holder may hold the type
    (``domain.eligibility``: kind, citizenship, local ownership); the
    district; the area within the type's limit; with ``as_of``, the dates.
    """
    errors: list[FieldError] = []
    spec = _gather(errors, check_licence_type, profile, app.licence_type)
    chosen = _gather(errors, check_commodities, profile, app.commodities)
    if spec is not None and app.holder_kind is not None:
        _gather(
            errors,
            check_eligibility,
            profile,
            spec,
            holder_facts(app),
            holder_field,
            require_recorded=app.holder_facts_required,
        )
    errors += check_district(app.district)
    if spec is not None and app.area_ha is not None:
        _gather(
            errors,
            check_area_limit,
            app.area_ha,
            licence_type=spec.name,
            max_area_ha=spec.max_area_ha,
            words=spec.words,
        )
    if as_of is not None:
        errors += check_dates(app, as_of)
    return Decision(errors=in_field_order(errors), spec=spec, commodities=chosen)
