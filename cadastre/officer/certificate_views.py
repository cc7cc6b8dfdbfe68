"""The licence certificate (signed-in officers) and the public check of a printed one."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_login import login_required

from cadastre.domain.geometry import format_area
from cadastre.officer.blueprint import bp
from cadastre.officer.common import reading
from cadastre.services.certificate import certificate_pdf, verify_record
from cadastre.state import registry


def public_root() -> str:
    """Where the public record lives: CADASTRE_BASE_URL, else this request's root."""
    return registry().settings.base_url or request.url_root


@bp.get("/licences/<int:licence_id>/certificate.pdf")
@login_required
def licence_certificate(licence_id: int):
    """The certificate of a licence in force, as a PDF (409 page for one not in force)."""
    with reading() as s:
        body = certificate_pdf(s, registry().profile, licence_id, public_root())
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="licence-{licence_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/verify/<path:code>")
def verify(code: str):
    """The public record of a licence and, given ``d``, whether a paper still matches it."""
    digest = request.args.get("d", "")[:64]
    with reading() as s:
        result = verify_record(s, registry().profile, code, digest)
    return render_template(
        "verify.html",
        result=result,
        lic=result.facts,
        digest=digest.strip().lower(),
        format_area=format_area,
        authority=registry().profile.authority or "licensing authority",
    )
