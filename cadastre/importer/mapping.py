"""Tie a file's columns to the register's fields: a mapping file, else common column names.

A mapping file (YAML or JSON) looks like::

    columns:            # register field: the file's column
      code: Licence No
      holder: Company Name
      received_at: Date of application
    corners:            # numbered corner columns, {n} standing for 1, 2, 3...
      x: "E{n}"
      y: "N{n}"
    crs: EPSG:32629     # of WKT or corner columns (default: degrees, or UTM zone guessed)
    layer: licences     # for GeoPackages with several layers
    defaults: {status: granted}
    synonyms:           # extra spellings, as in fixtures/import/synonyms.yaml
      licence_type: {Mining Lease: large_scale}

Fields not named are matched by the words of the file's column names (``grant_dt``,
``Date Granted`` and ``DateOfGrant`` all say "grant date"): the vocabulary is the
``columns`` section of ``fixtures/import/synonyms.yaml``. Why each column was taken, or
left, is said in the report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cadastre.errors import ValidationError
from cadastre.importer.money import MONEY_FIELDS, MONEY_WORDS
from cadastre.importer.normalise import SYNONYMS_PATH

FIELDS = (
    "code",
    "holder",
    "holder_registration",
    "holder_kind",
    "licence_type",
    "status",
    "commodities",
    "received_at",
    "granted_at",
    "expires_at",
    "district",
    "geometry",
    "corners",
    *MONEY_FIELDS,
)
#: Each field in words, for the report's notes.
FIELD_WORDS = {
    "code": "the licence code",
    "holder": "the holder",
    "holder_registration": "the holder's registration number",
    "holder_kind": "the holder's kind",
    "licence_type": "the licence type",
    "status": "the status",
    "commodities": "the commodities",
    "received_at": "the application date",
    "granted_at": "the grant date",
    "expires_at": "the expiry date",
    "district": "the district",
    "geometry": "the geometry",
    "corners": "the corner list",
    **MONEY_WORDS,
}
_X = re.compile(r"^(easting|east|e|x|lon|long|longitude)_?(\d+)$")
_Y = re.compile(r"^(northing|north|n|y|lat|latitude)_?(\d+)$")


def column_key(name: Any) -> str:
    """A column name for comparison: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


@dataclass
class Mapping:
    """Which column feeds which field, plus corner columns, CRS, defaults and synonyms."""

    columns: dict[str, str] = field(default_factory=dict)
    corner_pairs: list[tuple[str, str]] = field(default_factory=list)
    corner_notation: str = "auto"
    crs: str | None = None
    layer: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    synonyms: dict[str, Any] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    #: Per field: why its column was taken.
    why: dict[str, str] = field(default_factory=dict)
    #: Per column left unused: why.
    notes: dict[str, str] = field(default_factory=dict)
    #: The file's columns in the file's order.
    order: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        """The mapping as used, for the report."""
        out = dict(self.columns)
        if self.corner_pairs:
            out["corners"] = [f"{x}/{y}" for x, y in self.corner_pairs]
        return out

    def matching(self) -> list[dict]:
        """Each column of the file: the field it feeds (or None) and why, for the report."""
        out = [
            {"column": column, "field": name, "why": self.why.get(name, "")}
            for name, column in self.columns.items()
        ]
        for x, y in self.corner_pairs:
            out.append({"column": f"{x}/{y}", "field": "corners",
                        "why": f"numbered corner columns ({self.corner_notation})"})  # fmt: skip
        out += [
            {"column": c, "field": None, "why": self.notes.get(c, "not used")} for c in self.unused
        ]
        place = {c: k for k, c in enumerate(self.order)}
        return sorted(out, key=lambda m: place.get(str(m["column"]).split("/")[0], len(place)))


def load_mapping_file(path: str | Path | None) -> dict:
    """Read a mapping file (YAML or JSON) into a plain dict; {} when none is given."""
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if str(path).lower().endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ValidationError(
            f"The mapping file {path} cannot be read: {exc}",
            errors=[{"field": "mapping", "message": str(exc)}],
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationError(
            f"The mapping file {path} must hold a mapping of keys to values.",
            errors=[{"field": "mapping", "message": "must be a mapping"}],
        )
    return data


def resolve(columns: list[str], spec: dict | None = None) -> Mapping:
    """Match the file's columns to fields: the mapping file first, then usual names."""
    spec = spec or {}
    given = spec.get("columns") or {}
    by_key = {column_key(c): c for c in columns}
    mapping = Mapping(
        crs=spec.get("crs"),
        layer=spec.get("layer"),
        defaults=dict(spec.get("defaults") or {}),
        synonyms=dict(spec.get("synonyms") or {}),
    )
    errors = []
    for name, column in given.items():
        if name not in FIELDS:
            errors.append({"field": f"columns.{name}", "message": f"is not one of {FIELDS}"})
        elif column not in columns and column_key(column) not in by_key:
            errors.append(
                {
                    "field": f"columns.{name}",
                    "message": f"the file has no column “{column}” "
                    f"(it has {', '.join(map(str, columns))})",
                }
            )
        else:
            mapping.columns[name] = column if column in columns else by_key[column_key(column)]
    if errors:
        raise ValidationError(
            "The mapping does not fit the file: "
            + "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            errors=errors,
        )
    mapping.why.update(dict.fromkeys(mapping.columns, "named in the mapping file"))
    used = set(mapping.columns.values())
    _match_by_words(columns, mapping, used)
    _corner_columns(columns, spec.get("corners"), mapping, used)
    mapping.unused = [c for c in columns if c not in used and c != "geometry"]
    mapping.order = list(columns)
    return mapping


def _corner_columns(columns: list[str], spec: Any, mapping: Mapping, used: set) -> None:
    """Numbered corner columns (E1/N1, lon_1/lat_1, x1/y1...), named by pattern or found."""
    if isinstance(spec, dict) and spec.get("x") and spec.get("y"):
        pairs = []
        n = 1
        while (x := str(spec["x"]).format(n=n)) in columns and (
            y := str(spec["y"]).format(n=n)
        ) in columns:
            pairs.append((x, y))
            n += 1
        if not pairs:
            raise ValidationError(
                f"The mapping names corner columns {spec['x']}/{spec['y']} but the file has "
                "none of them.",
                errors=[{"field": "corners", "message": "no such columns"}],
            )
        mapping.corner_pairs = pairs
        mapping.corner_notation = str(spec.get("notation") or mapping.crs or "auto")
    else:
        xs, ys = {}, {}
        words = {}
        for c in columns:
            k = re.sub(r"[^a-z0-9_]", "", str(c).lower().replace(" ", "_"))
            if (m := _X.match(k)) and c not in used:
                xs[int(m[2])] = c
                words[c] = m[1]
            elif (m := _Y.match(k)) and c not in used:
                ys[int(m[2])] = c
        numbers = sorted(set(xs) & set(ys))
        mapping.corner_pairs = [(xs[n], ys[n]) for n in numbers]
        if mapping.corner_pairs:
            word = words[mapping.corner_pairs[0][0]]
            degrees = word in ("lon", "long", "longitude")
            metres = word in ("easting", "east", "e")
            mapping.corner_notation = str(
                mapping.crs or ("dd" if degrees else "utm" if metres else "auto")
            )
    used.update(c for pair in mapping.corner_pairs for c in pair)


# ---------------------------------------------------------------------------------------
# Matching by words
# ---------------------------------------------------------------------------------------

#: Words that say nothing about which field a column holds.
_STOP = frozenset(("of", "the", "on", "by", "at", "a", "an", "in", "for", "and", "s"))
#: A column is taken for a field only when its words match at least this well (0 to 1).
MIN_SCORE = 0.6
#: DBF (Shapefile) field names are cut at this many characters.
DBF_NAME_CHARS = 10


@dataclass(frozen=True)
class Vocabulary:
    """How columns are named: word forms and abbreviations, and each field's phrases."""

    words: dict[str, str]
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    #: Words that alone do not say which field (name, date, number...).
    generic: frozenset[str] = frozenset()


@lru_cache(maxsize=4)
def load_vocabulary(path: str | Path = SYNONYMS_PATH) -> Vocabulary:
    """The ``columns`` section of the synonyms file, read once."""
    with open(path, encoding="utf-8") as fh:
        data = (yaml.safe_load(fh) or {}).get("columns") or {}
    words = {str(k).lower(): str(v).lower() for k, v in (data.get("words") or {}).items()}
    raw = Vocabulary(words, {})
    generic = frozenset(header_words(" ".join(data.get("generic") or []), raw))
    phrases = {
        name: tuple(header_words(p, raw) for p in spellings)
        for name, spellings in (data.get("fields") or {}).items()
    }
    unknown = set(phrases) - set(FIELDS)
    if unknown:
        raise ValueError(f"{path}: columns.fields names unknown fields {sorted(unknown)}")
    return Vocabulary(words, phrases, generic)


def header_words(name: Any, vocabulary: Vocabulary) -> tuple[str, ...]:
    """A column name as the words it says: ``grant_dt`` -> (grant, date),
    ``DateGranted`` -> (date, grant), ``Reg No`` -> (registration, number)."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    out: list[str] = []
    for token in re.findall(r"[a-z]+|\d+", text.lower()):
        for word in vocabulary.words.get(token, token).split():
            word = vocabulary.words.get(word, word)
            if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
                singular = word[:-3] + "y" if word.endswith("ies") else word[:-1]
                if not singular.endswith("s"):
                    word = vocabulary.words.get(singular, singular)
            for w in word.split():
                if w not in _STOP and w not in out:
                    out.append(w)
    return tuple(out)


def _likeness(
    words: tuple[str, ...], phrase: tuple[str, ...], cut: bool, generic: frozenset[str]
) -> float:
    """How well a header's words say a phrase: 2 x shared / (both counts), 0 to 1. A name
    cut at the DBF limit (``cut``) may end in the start of a word ('Date_of_ap')."""
    if not words or not phrase:
        return 0.0
    common = set(words) & set(phrase)
    last = words[-1]
    if cut and last not in phrase and len(last) >= 2:
        common.update(w for w in phrase if w.startswith(last) and w not in words)
    score = 2 * len(common) / (len(words) + len(phrase))
    if common <= generic and tuple(words) != tuple(phrase):
        return score / 2  # "Name" or "Date" alone says little of which name or date
    return score


def score_columns(
    columns: list[str], vocabulary: Vocabulary
) -> dict[str, dict[str, tuple[float, tuple[str, ...]]]]:
    """{column: {field: (score, best phrase)}} for every field a column says anything of."""
    out: dict[str, dict[str, tuple[float, tuple[str, ...]]]] = {}
    for column in columns:
        words = header_words(column, vocabulary)
        cut = len(str(column)) == DBF_NAME_CHARS
        scores = {}
        for name, phrases in vocabulary.phrases.items():
            best = max(  # the first phrase of equal score: the vocabulary's usual one
                ((_likeness(words, p, cut, vocabulary.generic), p) for p in phrases),
                key=lambda sp: sp[0],
                default=(0.0, ()),
            )
            if best[0] > 0:
                scores[name] = best
        out[column] = scores
    return out


def _match_by_words(columns: list[str], mapping: Mapping, used: set) -> None:
    """Give each field still without a column the column whose words say it best.

    Greedy on the score: the best (column, field) pair first, each column and field once.
    A column that says two fields equally well, or too little of any, stays unmapped,
    with a note saying why.
    """
    vocabulary = load_vocabulary()
    free = [c for c in columns if c not in used]
    scores = score_columns(free, vocabulary)
    pairs = sorted(  # best score first; of equals, the field's more usual phrase
        (
            (s, vocabulary.phrases[f].index(p), k, c, f, p)
            for k, c in enumerate(free)
            for f, (s, p) in scores[c].items()
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for column in free:
        ranked = sorted(scores[column].items(), key=lambda kv: -kv[1][0])
        if len(ranked) > 1 and ranked[0][1][0] == ranked[1][1][0]:
            tied = [f for f, (s, _) in ranked if s == ranked[0][1][0]]
            mapping.notes[column] = (
                f"not used: its words fit {' and '.join(FIELD_WORDS[f] for f in tied)} equally "
                "well; name it in a mapping file"
            )
    for score, _, _, column, name, phrase in pairs:
        if column in mapping.notes or name in mapping.columns or column in used:
            continue
        if score < MIN_SCORE:
            break
        mapping.columns[name] = column
        mapping.why[name] = (
            f"its words “{' '.join(header_words(column, vocabulary))}” match "
            f"“{' '.join(phrase)}”" + ("" if score == 1 else f" (score {score:.2f})")
        )
        used.add(column)
    for column in free:
        if column in used or column in mapping.notes:
            continue
        near = max(scores[column].items(), key=lambda kv: kv[1][0], default=None)
        if near is None:
            mapping.notes[column] = "not used: its words name no field of the register"
        elif near[0] in mapping.columns:
            mapping.notes[column] = (
                f"not used: it looks like {FIELD_WORDS[near[0]]}, which the column "
                f"“{mapping.columns[near[0]]}” fits better"
            )
        else:
            mapping.notes[column] = (
                f"not used: its words are too far from {FIELD_WORDS[near[0]]} "
                f"(score {near[1][0]:.2f}, at least {MIN_SCORE} needed)"
            )
