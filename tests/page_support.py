"""Signing in to the officer pages through Flask's test client, shared by the page tests.

``seed_register`` commits one user per role (``t_<role>``, password ``PASSWORD``), a company
and one small-scale application; ``login`` signs a client in as one of those users.
"""

from __future__ import annotations

import re

from shapely.geometry import box

from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from cadastre.services.users import add_user

PASSWORD = "correct-horse-battery"


def token(html: str) -> str:
    """The CSRF token of a page (its form field or its meta tag)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, role: str):
    """Sign ``client`` in through the form as the seeded user with ``role``."""
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"username": f"t_{role}", "password": PASSWORD, "csrf_token": token(page)}
    )


def seed_register(session, profile) -> dict:
    """Users of every role, a company and its small-scale application near Kenema, committed."""
    for role in ("viewer", "officer", "supervisor", "admin", "finance"):
        add_user(session, f"t_{role}", role, password=PASSWORD)
    holder = create_holder(session, {"name": "Sewa Alluvial Ltd", "kind": "company"})
    lic = register_application(
        session,
        profile,
        holder_id=holder.id,
        licence_type="small_scale",
        commodities=["diamond"],
        geometry=box(-11.20, 7.88, -11.19, 7.889),
        actor="seed",
    )
    session.commit()
    return {"holder": holder.id, "licence": lic.id, "code": lic.code}


def new_licence_form(html: str, **fields) -> dict:
    """The new-licence form's fields (an existing holder, small-scale, corners), overridden."""
    data = {
        "csrf_token": token(html),
        "holder_mode": "existing",
        "licence_type": "small_scale",
        "commodities": ["diamond"],
        "area_method": "corners",
        "notation": "dd",
    }
    data.update(fields)
    return data
