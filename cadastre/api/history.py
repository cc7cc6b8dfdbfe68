"""``/api/history/head``: the head of the tamper-evident history chain, for anyone to keep."""

from __future__ import annotations

from flask import jsonify

from cadastre.api.blueprint import bp
from cadastre.services.chain import chain_head
from cadastre.state import registry


@bp.get("/history/head")
def history_head_view():
    """The chain's last link (seq, hash, at): no personal data, anonymous, never cached."""
    with registry().sessions() as session:
        head = chain_head(session)
    response = jsonify(
        {"seq": head.seq, "hash": head.hash, "at": head.at.isoformat() if head.at else None}
    )
    response.headers["Cache-Control"] = "no-store"
    return response
