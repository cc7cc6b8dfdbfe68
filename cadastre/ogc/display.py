"""Property values as the HTML pages show them: words and rounded numbers, not Python reprs.

Only the HTML representation uses this; the JSON and GeoJSON keep every value in full.
A list reads as comma-separated text (``diamond, gold``), an area in hectares has two
decimals, a distance in kilometres one (two under 10 km, where a tenth is 100 m), and a
coordinate of an extent five (about a metre).
"""

from __future__ import annotations

import json
from typing import Any

#: Decimals of an extent's longitudes and latitudes.
COORDINATE_DECIMALS = 5


def _trimmed(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def display_value(value: Any, name: str = "") -> str:
    """``value`` of the property called ``name`` as text for a table cell ('' for none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(display_value(v, name) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return f"{value:,}" if name.endswith(("_ha", "_km")) else str(value)
    if isinstance(value, float):
        if name.endswith("_ha"):
            return f"{value:,.2f}"
        if name.endswith("_km"):
            return _trimmed(value, 2 if abs(value) < 10 else 1)
        return _trimmed(value, 6)
    return str(value)


def display_bbox(bbox: list[float]) -> str:
    """An extent's corners, rounded to about a metre: '-13.30726, 6.92361, -10.27157, 10.0'."""
    return ", ".join(_trimmed(float(c), COORDINATE_DECIMALS).replace(",", "") for c in bbox)
