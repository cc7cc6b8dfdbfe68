"""The one palette: licence type and status colours and labels, from the profile.

The pages' stylesheet gets the colours from ``/palette.css`` (generated here), the map's
script from the ``cadastre-palette`` meta tag every page carries (``palette_json``), and the
offline pack styles (``cadastre.training.styles``) from the same ``Profile.palette``. No
type or status colour is written anywhere else; another profile recolours all of them.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from cadastre.profile import Profile
from cadastre.state import registry

bp = Blueprint("palette", __name__)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def mix(colour: str, other: str, share: float) -> str:
    """``colour`` with ``share`` of ``other`` mixed in (both ``#rrggbb``)."""
    a, b = _rgb(colour), _rgb(other)
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def palette_css(profile: Profile) -> str:
    """The stylesheet of the type and status colours: custom properties, legend swatches,
    dashboard bars and status tags (a pale tint of the colour, its dark shade as text)."""
    types = {n: t.colour for n, t in profile.licence_types.items()}
    statuses = {n: s.colour for n, s in profile.statuses.items()}
    lines = [f"/* Generated from the profile {profile.path}: edit colours there. */", ":root {"]
    lines += [f"  --type-{n}: {c};" for n, c in types.items()]
    lines += [f"  --status-{n}: {c};" for n, c in statuses.items()]
    lines.append("}")
    lines += [f".sw-type-{n}, .bar-type-{n} {{ background: {c}; }}" for n, c in types.items()]
    lines += [f".bar-status-{n} {{ background: {c}; }}" for n, c in statuses.items()]
    lines += [
        f".tag-{n} {{ background: {mix(c, '#ffffff', 0.82)}; color: {mix(c, '#000000', 0.55)}; }}"
        for n, c in statuses.items()
    ]
    return "\n".join(lines) + "\n"


@bp.get("/palette.css")
def palette_stylesheet():
    """The palette as CSS (anonymous: the sign-in page is styled by it too)."""
    response = Response(palette_css(registry().profile), mimetype="text/css")
    response.cache_control.no_cache = True  # revalidated: a new profile shows at once
    response.add_etag()
    return response.make_conditional(request)


@bp.app_template_global()
def palette_json() -> str:
    """The palette for the map's script, as JSON (in the page's ``cadastre-palette`` meta)."""
    return json.dumps(registry().profile.palette(), separators=(",", ":"))


@bp.app_template_global()
def licence_type_label(name: str | None) -> str:
    """The profile's label of a licence type (a type it no longer lists: its name)."""
    return registry().profile.type_label(name) if name else ""


@bp.app_template_global()
def licence_type_words(name: str | None) -> str:
    """The type in a sentence, capitalised: 'Small-scale' (licence ...)."""
    words = registry().profile.type_words(name) if name else ""
    return words[:1].upper() + words[1:]


@bp.app_template_global()
def status_label(name: str | None) -> str:
    """The profile's label of a licence status."""
    style = registry().profile.statuses.get(name or "")
    return style.label if style else (name or "")
