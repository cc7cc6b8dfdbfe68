"""The hardening headers every response carries, set by one function for all three paths.

Flask's responses get them in an after-request hook (``cadastre.webauth``); the two lanes
that answer without Flask (``cadastre/ogc/lane.py``, ``cadastre/tiles/lane.py``) call the
same ``set_hardening_headers`` on their header lists, so no path can drift from the others.

The Content-Security-Policy allows only our own origin, plus what MapLibre needs: its
workers are built from ``blob:`` URLs, and it draws images from ``data:`` and ``blob:``.
Scripts come only from files (no inline scripts or handlers). Inline styles stay allowed:
the templates size bars and draw the training banner with ``style`` attributes, and a style
cannot run code. An optional basemap (CADASTRE_BASEMAP_URL) adds its origin for tiles.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


def _origin(url: str) -> str:
    """The CSP source for a tile URL template ('https://{s}.tile.x/{z}/..' -> 'https://*.tile.x')."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = ".".join("*" if "{" in label else label for label in parts.netloc.split("."))
    return f"{parts.scheme}://{host}"


@lru_cache(maxsize=8)
def hardening_headers(basemap_url: str = "") -> tuple[tuple[str, str], ...]:
    """The headers, in order, for a workspace with this basemap (made once per basemap)."""
    extra = _origin(basemap_url)
    extra = f" {extra}" if extra else ""
    policy = "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{extra}",
            f"connect-src 'self'{extra}",
            "worker-src 'self' blob:",
            "child-src 'self' blob:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )
    return (
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    )


def set_hardening_headers(headers, basemap_url: str = ""):
    """Add the hardening headers a response has not set itself (werkzeug Headers or a list)."""
    present = {key.lower() for key, _value in headers}
    headers.extend([(k, v) for k, v in hardening_headers(basemap_url) if k.lower() not in present])
    return headers
