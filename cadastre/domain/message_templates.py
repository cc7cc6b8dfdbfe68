"""The words of the messages the registry sends: a subject and a body per kind of message,
with ``{placeholders}`` filled from the event that causes it.

Templates are data. Each kind says which placeholders its event supplies; a template that
names any other is refused when the templates are loaded (a ``ConfigurationError`` naming
the template and the placeholder), never when the first message would go out.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from cadastre.errors import ConfigurationError

#: Placeholders each kind of message may use: what its event knows.
FIELDS: dict[str, frozenset[str]] = {
    "licence_notice": frozenset(
        {"holder", "licence", "code", "licence_type", "cause", "breach", "notice",
         "remedy_by", "remedy_days", "remedy_source", "issued_by", "date"}
    ),
    "licence_granted": frozenset(
        {"holder", "licence", "code", "licence_type", "granted_on", "expires_on", "actor",
         "date"}
    ),
    "licence_refused": frozenset(
        {"holder", "licence", "code", "licence_type", "reason", "actor", "date"}
    ),
    "obligation_reminder": frozenset(
        {"holder", "licence", "code", "licence_type", "obligation", "label", "document",
         "period", "due_on", "days_left", "date"}
    ),
    "obligation_overdue": frozenset(
        {"holder", "licence", "code", "licence_type", "obligation", "label", "document",
         "period", "due_on", "days_overdue", "date"}
    ),
    "digest": frozenset(
        {"officer", "role", "date", "waiting_count", "overdue_count", "waiting", "overdue",
         "obligations_overdue_count", "obligations_overdue"}
    ),
}  # fmt: skip

#: The registry's own words (a country may need others: edit them here, they are checked).
DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "licence_notice": {
        "subject": "Notice on licence {code}: remedy by {remedy_by}",
        "body": (
            "To {holder},\n\n"
            "The Mining Cadastre gives notice on licence {code} ({licence_type}).\n\n"
            "Ground: {cause}\n\n"
            "Breach: {breach}\n\n"
            "The breach is to be remedied by {remedy_by} ({remedy_days} days; "
            "{remedy_source}). If it is not, the licence may be suspended or revoked.\n\n"
            "Notice {notice}, issued on {date} by {issued_by}. The notice is also sent as "
            "a letter to the holder's address on the register.\n"
        ),
    },
    "licence_granted": {
        "subject": "Licence {code} granted",
        "body": (
            "To {holder},\n\n"
            "Licence {code} ({licence_type}) was granted on {granted_on}; it expires on "
            "{expires_on} unless renewed.\n\nRecorded by {actor} on {date}.\n"
        ),
    },
    "licence_refused": {
        "subject": "Application {code} refused",
        "body": (
            "To {holder},\n\n"
            "The application {code} ({licence_type}) was refused on {date}.\n\n"
            "Reason: {reason}\n\nRecorded by {actor}.\n"
        ),
    },
    "obligation_reminder": {
        "subject": "Licence {code}: {label} due on {due_on}",
        "body": (
            "To {holder},\n\n"
            "The {label} of licence {code} ({licence_type}){period} falls due on {due_on}, "
            "in {days_left} days.\n\n"
            "Deliver a {document} to the Mining Cadastre by that day. If it has already been "
            "delivered, please disregard this reminder.\n\n"
            "Obligation {obligation}; reminder of {date}.\n"
        ),
    },
    "obligation_overdue": {
        "subject": "Licence {code}: {label} overdue (due {due_on})",
        "body": (
            "To {holder},\n\n"
            "The {label} of licence {code} ({licence_type}){period} was due on {due_on} and "
            "has not been received; it is {days_overdue} days overdue.\n\n"
            "Deliver a {document} to the Mining Cadastre without delay. An obligation left "
            "overdue may lead to a notice to show cause why the licence should not be "
            "suspended.\n\n"
            "Obligation {obligation}; written on {date}.\n"
        ),
    },
    "digest": {
        "subject": "Cadastre: {waiting_count} files waiting for you, {overdue_count} overdue "
        "({date})",
        "body": (
            "Good morning {officer},\n\n"
            "Files waiting for a {role} ({waiting_count}):\n{waiting}\n\n"
            "Decisions past their due day ({overdue_count}):\n{overdue}\n\n"
            "Holders' obligations overdue ({obligations_overdue_count}):\n"
            "{obligations_overdue}\n"
        ),
    },
}


@dataclass(frozen=True)
class MessageTemplate:
    """One kind of message's subject and body."""

    kind: str
    subject: str
    body: str

    def render(self, values: Mapping[str, object]) -> tuple[str, str]:
        """(subject, body) with the placeholders filled; the subject on one line."""
        subject = self.subject.format_map(values)
        return " ".join(subject.split()), self.body.format_map(values)


def placeholders(text: str, where: str) -> set[str]:
    """The placeholder names in ``text`` (ConfigurationError if it is malformed)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ConfigurationError(f"Message template {where} is malformed: {exc}.") from None
    names = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ConfigurationError(
                f"Message template {where} has the placeholder {{{name}}}: write a plain "
                "name such as {holder}, without attributes, indexes or formats."
            )
        names.add(name)
    return names


def load_templates(data: Mapping[str, Mapping[str, str]]) -> dict[str, MessageTemplate]:
    """Check templates given as data; every kind must have one, naming only its fields."""
    templates = {}
    for kind, parts in data.items():
        if kind not in FIELDS:
            raise ConfigurationError(
                f"Message template {kind!r} is not a kind of message; kinds are "
                f"{', '.join(sorted(FIELDS))}."
            )
        for part in ("subject", "body"):
            text = parts.get(part) if isinstance(parts, Mapping) else None
            if not isinstance(text, str) or not text.strip():
                raise ConfigurationError(f"Message template {kind!r} has no {part}.")
            unknown = sorted(placeholders(text, f"{kind!r} ({part})") - FIELDS[kind])
            if unknown:
                raise ConfigurationError(
                    f"Message template {kind!r} ({part}) names the unknown placeholder "
                    f"{{{unknown[0]}}}; it may use "
                    + ", ".join(f"{{{f}}}" for f in sorted(FIELDS[kind]))
                    + "."
                )
        templates[kind] = MessageTemplate(kind, parts["subject"], parts["body"])
    missing = sorted(set(FIELDS) - set(templates))
    if missing:
        raise ConfigurationError(f"No message template for {', '.join(missing)}.")
    return templates


#: The templates in force, checked when this module is loaded.
TEMPLATES = load_templates(DEFAULT_TEMPLATES)
