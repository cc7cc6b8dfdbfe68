"""Check each imported row by the rules of a new application, first-come-first-served aside.

A legacy title exists in the world: dropping it would leave its ground looking free. So a
title that breaks a rule of today's law (an area over the type's limit, a holder the type
does not allow, dates out of order) is imported as found and FLAGGED for an officer, with
the reason in words; which rule flags and which refuses is decided in one place,
:data:`WHEN_A_RULE_FAILS`. Only what cannot be recorded faithfully is refused: no code, an
unknown licence type or status, no holder, an area that cannot be read or lies wholly
outside the country (``importer.shapes``). Nothing is silently fixed: whatever the
importer fills in (an expiry from the term, a guessed holder kind) is said in the row's
warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from cadastre.domain.application_rules import Application, check_application
from cadastre.domain.licence_rules import first_expiry
from cadastre.importer import normalise as norm
from cadastre.importer.mapping import Mapping
from cadastre.importer.money import LegacyMoney, MoneyReader
from cadastre.importer.shapes import Shapes
from cadastre.models.licences import LICENCE_STATUSES
from cadastre.profile import Profile

#: Statuses of a licence that was once granted (so a grant date is expected).
ONCE_GRANTED = ("granted", "suspended", "revoked", "relinquished", "expired")
#: What the import does with a title that breaks a rule of ``check_application``, by the
#: field at fault: "refuse" what cannot be recorded faithfully, "flag" the rest (the title is
#: imported as found, for an officer to look at). A field not listed is flagged: a title
#: that exists is kept unless it cannot be recorded.
WHEN_A_RULE_FAILS = {
    "licence_type": "refuse",  # a type the profile does not know: no row of licence_types
    "district": "refuse",  # longer than the register's district column holds
    "commodities": "flag",  # none given, or one the profile does not list (kept as given)
    "holder_id": "flag",  # a holder kind (or holder) the type does not allow today
    "geometry": "flag",  # an area over the type's limit
    "received_at": "flag",  # dates after the as-of day, or out of order
    "granted_at": "flag",
    "expires_at": "flag",
}
#: Longest commodity name the register keeps (``licences.commodities`` is VARCHAR(40)[]).
COMMODITY_MAX_CHARS = 40
DATE_FIELDS = {
    "received_at": "application date",
    "granted_at": "grant date",
    "expires_at": "expiry date",
}


@dataclass
class CheckedRow:
    """One row after normalisation: the values to store, and reasons in words."""

    index: int
    label: str
    code: str | None = None
    licence_type: str | None = None
    status: str | None = None
    commodities: list[str] = field(default_factory=list)
    holder_name: str | None = None
    holder_registration: str | None = None
    holder_kind: str | None = None
    kind_guessed: bool = False
    received_at: datetime | None = None
    granted_at: date | None = None
    expires_at: date | None = None
    district: str | None = None
    #: The date received was filled in (from the grant or as-of date), not read.
    received_filled: bool = False
    #: The holder was matched in the register or created: its kind is the one that holds.
    holder_known: bool = False
    #: A matched holder's recorded nationality, citizen members, local ownership (as
    #: ``Application`` fields), read by the eligibility rule.
    holder_facts: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Why an officer should look at the title (imported all the same), in words.
    flags: list[str] = field(default_factory=list)
    #: The row's legacy balance, charges-paid-to date and payment (None: no money columns).
    money: LegacyMoney | None = None

    @property
    def refused(self) -> bool:
        """Whether a rule refuses the row."""
        return bool(self.errors)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = _cap(text.strip())
    return text if text.endswith((".", "!", "?")) else text + "."


def policy(field_name: str) -> str:
    """ "refuse" or "flag": what the import does when the rule of this field fails."""
    return WHEN_A_RULE_FAILS.get(field_name.split(".")[0], "flag")


class RowChecker:
    """Normalises and checks rows; repeated cell values are normalised once."""

    def __init__(self, profile: Profile, mapping: Mapping, syn: norm.Synonyms, as_of: date):
        self.profile, self.mapping, self.syn, self.as_of = profile, mapping, syn, as_of
        self.col = mapping.columns
        self.seen_codes: dict[str, str] = {}
        types, statuses = tuple(profile.licence_types), LICENCE_STATUSES
        self._type = lru_cache(4096)(lambda v: norm.licence_type(v, syn, types))
        self._status = lru_cache(4096)(lambda v: norm.status(v, syn, statuses))
        self._commodities = lru_cache(4096)(lambda v: tuple(norm.commodities(v, syn)))
        self._date = lru_cache(65536)(norm.parse_date)
        self._timestamp = lru_cache(65536)(norm.parse_timestamp)
        self._kind = lru_cache(65536)(lambda v, name: norm.holder_kind(v, name, syn))
        self.money = MoneyReader(profile.fees, mapping.columns, as_of)

    def value(self, rec: dict, name: str) -> Any:
        """The cell for a field, or the mapping's default when the column is absent or blank."""
        column = self.col.get(name)
        value = rec.get(column) if column else None
        if norm.is_blank(value):
            return self.mapping.defaults.get(name)
        return value

    def codes(self, records) -> list[str | None]:
        """Each record's licence code, normalised as ``check`` does (before checking)."""
        return [norm.text_value(self.value(rec, "code")) for rec in records]

    def check(self, index: int, label: str, rec: dict, shapes: Shapes) -> CheckedRow:
        """Read and normalise one row (the rules come after, in ``judge``); reasons collect
        in the row."""
        row = CheckedRow(index, label)
        err, warn = row.errors.append, row.warnings.append
        self._code(row, rec)
        try:
            row.licence_type = self._type(_hashable(self.value(rec, "licence_type")))
        except ValueError as exc:
            err(_sentence(str(exc)))
        spec = self.profile.licence_types.get(row.licence_type or "")
        status = self.value(rec, "status")
        if "status" not in self.col and status is None:
            row.status = "granted"
            warn("The file has no status column; the licence is taken as granted.")
        else:
            try:
                row.status = self._status(_hashable(status))
            except ValueError as exc:
                err(_sentence(str(exc)))
        row.commodities = list(self._commodities(_hashable(self.value(rec, "commodities"))))
        for name in row.commodities:
            if len(name) > COMMODITY_MAX_CHARS:
                err(f"The commodity “{name[:50]}” is longer than {COMMODITY_MAX_CHARS} characters.")
        self._holder(row, rec)
        self._dates(row, rec, spec)
        row.district = norm.text_value(self.value(rec, "district"))
        error = shapes.errors[index]
        if error:
            err(_sentence(error))
        else:
            row.warnings.extend(shapes.warnings[index])
            row.flags.extend(shapes.flags[index])
        row.money = self.money.read(row, lambda name: self.value(rec, name))
        return row

    def judge(self, row: CheckedRow, shapes: Shapes) -> None:
        """The application rules (``domain.application_rules``) on a read row, as reasons.

        The holder's kind is judged once the holder is known (matched or created); a
        licence type the row could not name was said when it was read.
        """
        area = None if shapes.errors[row.index] else float(shapes.area_ha[row.index])
        decision = check_application(
            self.profile,
            Application(
                licence_type=row.licence_type,
                commodities=row.commodities,
                holder_kind=row.holder_kind if row.holder_known else None,
                holder_name=row.holder_name or row.holder_registration or "",
                holder_facts_required=False,
                **row.holder_facts,
                district=row.district,
                area_ha=area,
                received_at=None if row.received_filled else row.received_at,
                granted_at=row.granted_at,
                expires_at=row.expires_at,
            ),
            as_of=self.as_of,
        )
        for e in decision.errors:
            if e["field"] == "licence_type" and row.licence_type is None:
                continue  # said when the row was read
            if policy(e["field"]) == "refuse":
                row.errors.append(_sentence(e["message"]))
            else:
                guessed = e["field"] == "holder_id" and row.kind_guessed
                row.flags.append(
                    _sentence(e["message"])
                    + (" (The holder's kind was guessed from the name.)" if guessed else "")
                )

    def _code(self, row: CheckedRow, rec: dict) -> None:
        code = norm.text_value(self.value(rec, "code"))
        if code is None:
            row.errors.append(
                "The licence code is missing; a re-import finds a licence by its code."
            )
            return
        if len(code) > 40:
            row.errors.append(f"The licence code “{code[:50]}” is longer than 40 characters.")
            return
        first = self.seen_codes.get(code)
        if first is not None:
            row.errors.append(
                f"The code {code} was already used at {first} of this file; "
                "each licence may appear once."
            )
        else:
            self.seen_codes[code] = row.label
        row.code = code

    def _holder(self, row: CheckedRow, rec: dict) -> None:
        row.holder_name = norm.text_value(self.value(rec, "holder"))
        row.holder_registration = norm.text_value(self.value(rec, "holder_registration"))
        if row.holder_name is None and row.holder_registration is None:
            row.errors.append("The holder is missing (no name or registration number).")
            return
        if row.holder_name is not None and len(row.holder_name) > 200:
            row.errors.append("The holder's name is longer than 200 characters.")
        try:
            row.holder_kind, row.kind_guessed = self._kind(
                _hashable(self.value(rec, "holder_kind")), row.holder_name or ""
            )
        except ValueError as exc:  # a kind the register has no word for: guess, and flag
            row.holder_kind, row.kind_guessed = self._kind(None, row.holder_name or "")
            row.flags.append(f"{_sentence(str(exc))} Taken as {_a(row.holder_kind)} from the name.")

    def _dates(self, row: CheckedRow, rec: dict, spec) -> None:
        values: dict[str, Any] = {}
        for name, words in DATE_FIELDS.items():
            try:
                parse = self._timestamp if name == "received_at" else self._date
                values[name] = parse(_hashable(self.value(rec, name)))
            except ValueError as exc:  # the title stands; the date is left for an officer
                row.flags.append(f"The {words} cannot be read ({exc}); left empty.")
                values[name] = None
        granted, expires = values["granted_at"], values["expires_at"]
        received = self._priority(row, values["received_at"], granted)
        if row.status in ONCE_GRANTED and granted is None:
            row.flags.append(f"The licence is {row.status} but has no grant date.")
        if row.status == "application" and granted is not None:
            row.flags.append("The licence is still an application but has a grant date.")
        if granted is not None and expires is None and spec is not None:
            expires = first_expiry(spec, granted)
            row.warnings.append(
                f"No expiry date; set to {expires.isoformat()}, the end of the "
                f"{spec.term_years}-year first term of {_a(spec.words)} licence."
            )
        as_of = self.as_of
        if row.status in ("granted", "suspended") and expires is not None and expires < as_of:
            row.flags.append(
                f"The term ended on {expires.isoformat()}, before the as-of date "
                f"{as_of.isoformat()}, yet the licence is {row.status}; imported as {row.status}, "
                "for an officer to expire or correct."
            )
        row.received_at, row.granted_at, row.expires_at = received, granted, expires

    @staticmethod
    def _priority(row: CheckedRow, received: datetime | None, granted: date | None):
        """The priority date: the earliest date the file gives (the application, else the
        grant), never the day of the import; None when the file gives neither."""
        if received is not None and received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        if received is None:
            row.received_filled = True
            if granted is None:
                row.flags.append(
                    "No date of application and no grant date in the file: the priority "
                    "date is unknown and left empty."
                )
                return None
            row.flags.append(
                f"No date of application in the file; the grant date {granted.isoformat()} "
                "is taken as the priority date."
            )
            return datetime(granted.year, granted.month, granted.day, tzinfo=UTC)
        if granted is not None and received.date() > granted:
            row.received_filled = True
            row.flags.append(
                f"The application date {received.date().isoformat()} is after the grant date "
                f"{granted.isoformat()}; the grant date, the earlier, is taken as the priority "
                "date."
            )
            return datetime(granted.year, granted.month, granted.day, tzinfo=UTC)
        return received


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict | set):
        return str(value)
    return value
