"""Normalise legacy values: licence type and status synonyms, commodity names, dates.

Pure functions: a value in, the profile's name out, or ``ValueError`` with words an
officer can act on. Spellings live in ``fixtures/import/synonyms.yaml`` (data, not code).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cadastre.config import ROOT

SYNONYMS_PATH = ROOT / "fixtures" / "import" / "synonyms.yaml"
#: Day 0 of Excel's 1900 date system as Python counts it (Excel's 1900 leap-year bug included).
EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers accepted as Excel dates: 1 January 1950 to 31 December 2100.
EXCEL_SERIALS = (18264, 73415)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_D_MON_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([A-Za-z]{3,9})\.?,?[\s\-/]+(\d{4})$")
_MON_D_Y = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_SPLIT = re.compile(r"\s*(?:[,;/|&+]|\band\b)\s*", re.IGNORECASE)


def key(text: Any) -> str:
    """Compare spellings: lower case, no spaces, hyphens, dots or trailing 'licence'."""
    s = re.sub(r"[\s_\-.()]+", " ", str(text).strip().lower()).strip()
    s = re.sub(r"\s+(licence|license)$", "", s)
    return s.replace(" ", "")


@dataclass(frozen=True)
class Synonyms:
    """Spellings of licence types, statuses, commodities and holder kinds."""

    licence_type: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    commodity: dict[str, str] = field(default_factory=dict)
    holder_kind: dict[str, str] = field(default_factory=dict)

    def merged(self, extra: dict | None) -> Synonyms:
        """These synonyms with a mapping file's own added (the file's win)."""
        if not extra:
            return self
        out = {}
        for name in ("licence_type", "status", "commodity", "holder_kind"):
            table = dict(getattr(self, name))
            table.update(_table(extra.get(name) or {}))
            out[name] = table
        return Synonyms(**out)


def _table(spec: dict) -> dict[str, str]:
    """{canonical: [spellings]} or {spelling: canonical} -> {key(spelling): canonical}."""
    table: dict[str, str] = {}
    for a, b in spec.items():
        if isinstance(b, list):
            table[key(a)] = str(a)
            for spelling in b:
                table[key(spelling)] = str(a)
        else:
            table[key(a)] = str(b)
    return table


@lru_cache(maxsize=4)
def load_synonyms(path: str | Path = SYNONYMS_PATH) -> Synonyms:
    """Read the synonyms file once."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return Synonyms(**{name: _table(data.get(name) or {}) for name in Synonyms.__annotations__})


_BLANK_WORDS = frozenset(("NaT", "nan", "<NA>"))


def is_blank(value: Any) -> bool:
    """None, NaN, NaT or an empty string."""
    if value is None:
        return True
    if type(value) is str:  # the common case, first: one call per cell of a large file
        return value in _BLANK_WORDS or not value.strip()
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return str(value) in _BLANK_WORDS


def licence_type(value: Any, syn: Synonyms, known: tuple[str, ...] | list[str]) -> str:
    """The profile's licence type for a legacy spelling."""
    if is_blank(value):
        raise ValueError("the licence type is missing")
    name = syn.licence_type.get(key(value)) or str(value).strip()
    if name not in known:
        raise ValueError(
            f"the licence type “{value}” is not known; use one of {', '.join(known)} "
            "(or add the spelling to the mapping's synonyms)"
        )
    return name


def status(value: Any, syn: Synonyms, known: tuple[str, ...] | list[str]) -> str:
    """The register's status for a legacy spelling."""
    if is_blank(value):
        raise ValueError("the status is missing")
    name = syn.status.get(key(value)) or str(value).strip().lower()
    if name not in known:
        raise ValueError(f"the status “{value}” is not known; use one of {', '.join(known)}")
    return name


def commodities(value: Any, syn: Synonyms) -> list[str]:
    """Commodity names from a list or a 'Diamonds, Gold' cell (unknown names kept as given)."""
    if is_blank(value):
        return []
    items = value if isinstance(value, list | tuple) else _SPLIT.split(str(value))
    out = []
    for item in items:
        if is_blank(item):
            continue
        out.append(syn.commodity.get(key(item)) or str(item).strip().lower())
    return sorted(set(out))


def holder_kind(value: Any, name: str, syn: Synonyms) -> tuple[str, bool]:
    """(kind, guessed): the holder kind given, or one guessed from the name."""
    if not is_blank(value):
        kind = syn.holder_kind.get(key(value))
        if kind is None:
            raise ValueError(
                f"the holder kind “{value}” is not known; use company, individual or cooperative"
            )
        return kind, False
    words = set(re.findall(r"[a-z\-]+", name.lower()))
    if words & {"cooperative", "co-operative", "coop", "co-op", "association", "miners"}:
        return "cooperative", True
    if words & {"ltd", "limited", "company", "corporation", "corp", "plc", "inc", "sl", "llc"}:
        return "company", True
    return "individual", True


def parse_date(value: Any) -> date | None:
    """A date from ISO, dd/mm/yyyy, '12 May 2023', an Excel serial number, or a date object."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), value)
    text = str(value).strip()
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _D_MON_Y.match(text):
            return date(int(m[3]), _month(m[2], text), int(m[1]))
        if m := _MON_D_Y.match(text):
            return date(int(m[3]), _month(m[1], text), int(m[2]))
    except ValueError as exc:
        if "month name" in str(exc):
            raise
        raise ValueError(f"“{text}” is not a real date ({exc})") from None
    if _SERIAL.match(text):
        return _serial(float(text), text)
    raise ValueError(
        f"“{text}” is not a date in a known format (2023-05-12, 12/05/2023, "
        "12 May 2023 or an Excel date number)"
    )


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise ValueError(f"“{text}”: “{name}” is not a month name")
    return month


def _serial(number: float, shown: Any) -> date:
    if not EXCEL_SERIALS[0] <= number <= EXCEL_SERIALS[1]:
        raise ValueError(
            f"the number {shown} is not a date (as an Excel date number it falls outside 1950–2100)"
        )
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_timestamp(value: Any) -> datetime | None:
    """A moment (UTC when no zone is given) from a date-time, or midnight UTC of a date."""
    if is_blank(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, str) and _ISO.match(value.strip()) and len(value.strip()) > 10:
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    day = parse_date(value)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def text_value(value: Any) -> str | None:
    """A cell as trimmed text (integers written without '.0'), or None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
