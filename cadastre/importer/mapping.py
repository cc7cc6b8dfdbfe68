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

Fields not named are matched automatically by their usual column names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cadastre.errors import ValidationError

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
)
#: Usual column names per field, compared after lower-casing and dropping non-letters.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "code",
        "licencecode",
        "licensecode",
        "licenceno",
        "licenseno",
        "licencenumber",
        "licensenumber",
        "licence",
        "license",
        "licenceid",
        "titleno",
        "titlenumber",
        "permitno",
        "reference",
        "ref",
        "licenceref",
    ),
    "holder": (
        "holder",
        "holdername",
        "company",
        "companyname",
        "licensee",
        "licencee",
        "owner",
        "applicant",
        "applicantname",
        "name",
        "titleholder",
    ),
    "holder_registration": (
        "holderregistration",
        "registrationnumber",
        "registrationno",
        "regno",
        "regnumber",
        "companyregistration",
        "companyregno",
        "holderregno",
        "registration",
        "crn",
        "holdreg",  # the licences export's Shapefile field
    ),
    "holder_kind": ("holderkind", "kind", "holdertype", "entitytype", "applicanttype",
                    "holdkind"),
    "licence_type": (
        "licencetype",
        "licensetype",
        "type",
        "licencecategory",
        "category",
        "titletype",
    ),
    "status": ("status", "licencestatus", "licensestatus", "state"),
    "commodities": ("commodities", "commodity", "minerals", "mineral", "minerals_"),
    "received_at": (
        "receivedat",
        "received",
        "applicationdate",
        "dateofapplication",
        "dateapplied",
        "applied",
        "appliedon",
        "datereceived",
        "lodged",
        "lodgementdate",
    ),
    "granted_at": (
        "grantedat",
        "granted",
        "grantdate",
        "dategranted",
        "issuedate",
        "dateissued",
        "issuedon",
        "startdate",
        "datestart",
    ),
    "expires_at": (
        "expiresat",
        "expires",
        "expirydate",
        "expiry",
        "dateofexpiry",
        "expirationdate",
        "enddate",
        "validuntil",
    ),
    "district": ("district", "region", "province"),
    "geometry": ("geometry", "wkt", "geom", "thegeom", "shape", "polygon", "boundary"),
    "corners": ("corners", "cornerlist", "coordinates", "beacons"),
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

    def describe(self) -> dict:
        """The mapping as used, for the report."""
        out = dict(self.columns)
        if self.corner_pairs:
            out["corners"] = [f"{x}/{y}" for x, y in self.corner_pairs]
        return out


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
    used = set(mapping.columns.values())
    for name in FIELDS:
        if name in mapping.columns:
            continue
        for alias in ALIASES.get(name, ()):
            column = by_key.get(alias)
            if column is not None and column not in used:
                mapping.columns[name] = column
                used.add(column)
                break
    _truncated_names(columns, mapping, used)
    _corner_columns(columns, spec.get("corners"), mapping, used)
    mapping.unused = [c for c in columns if c not in used and c != "geometry"]
    return mapping


def _truncated_names(columns: list[str], mapping: Mapping, used: set) -> None:
    """Shapefile (DBF) names cut at 10 characters: 'Date_of_ap' is 'date of application'."""
    for name in FIELDS:
        if name in mapping.columns:
            continue
        for column in columns:
            k = column_key(column)
            if column in used or len(str(column)) != 10 or len(k) < 5:
                continue
            if any(alias.startswith(k) for alias in ALIASES.get(name, ())):
                mapping.columns[name] = column
                used.add(column)
                break


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
