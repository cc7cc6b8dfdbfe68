"""The licence certificate's facts, read from the register, and the public check of a paper.

``licence_digest`` is the one place the digest of a licence's current state is computed:
the certificate prints it (in its QR code and link) and ``verify_record`` compares a
paper's digest with it. The PDF itself is drawn by ``services.certificate_pdf``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cadastre.domain.certificate import CERTIFIED_STATUSES, state_digest, utm_crs
from cadastre.errors import Conflict, NotFound
from cadastre.models import Holder, Licence
from cadastre.profile import Profile
from cadastre.services.certificate_pdf import render_certificate

#: Tolerance (degrees, about 1 km) the country's outline is simplified by for the map.
OUTLINE_TOLERANCE = 0.01

_STATE_SQL = text(
    "SELECT l.code, l.status, h.name AS holder, l.licence_type, l.granted_at, l.expires_at, "
    "l.area_ha, encode(ST_AsBinary(l.geom), 'hex') AS wkb, ST_X(ST_Centroid(l.geom)) AS lon, "
    "ST_Y(ST_Centroid(l.geom)) AS lat FROM licences l JOIN holders h ON h.id = l.holder_id "
    "WHERE l.id = :id"
)
#: Corners of each polygon's outer ring (the closing point left out), in degrees and UTM.
_CORNERS_SQL = text(
    """
    WITH ring AS (
      SELECT part.path[1] AS part, ST_ExteriorRing(part.geom) AS g
      FROM licences, ST_Dump(geom) AS part WHERE id = :id
    )
    SELECT ring.part, (p).path[1] AS n, ST_X((p).geom) AS lon, ST_Y((p).geom) AS lat,
           ST_X(ST_Transform((p).geom, :srid)) AS e, ST_Y(ST_Transform((p).geom, :srid)) AS n_
    FROM ring, ST_DumpPoints(ring.g) AS p
    WHERE (p).path[1] < ST_NPoints(ring.g)
    ORDER BY ring.part, n
    """
)
_SHAPES_SQL = text(
    """
    SELECT ST_AsGeoJSON(ST_Transform(l.geom, :srid), 1) AS area,
      (SELECT ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(c.geom, :tol), :srid), 0)
         FROM countries c JOIN boundary_datasets d ON d.id = c.dataset_id
        WHERE c.iso_a3 = :iso ORDER BY d.active DESC, d.id DESC LIMIT 1) AS country
    FROM licences l WHERE l.id = :id
    """
)


@dataclass
class CertificateFacts:
    """Everything the certificate prints, read once from the register."""

    authority: str
    jurisdiction: str
    code: str
    type_label: str
    status: str
    holder_name: str
    holder_kind: str
    registration_number: str | None
    commodities: list[str]
    granted_at: str | None
    expires_at: str | None
    area_ha: float
    max_depth_m: float | None
    mechanised: bool | None
    utm: str
    #: ``(corner number, lon, lat, easting, northing)`` per corner, by polygon part.
    corners: list[tuple[int, float, float, float, float]]
    #: The area and the country's outline as GeoJSON geometries in the UTM zone (metres).
    area_utm: dict
    country_utm: dict | None
    digest: str
    verify_url: str


def licence_digest(session: Session, licence_id: int) -> str:
    """The digest of the licence's current state as stored (printed on a certificate,
    checked by ``/verify``); read by SQL, so no object held in a session can be stale."""
    row = session.execute(_STATE_SQL, {"id": licence_id}).one()
    return state_digest(
        code=row.code,
        status=row.status,
        holder=row.holder,
        licence_type=row.licence_type,
        granted_at=row.granted_at.isoformat() if row.granted_at else None,
        expires_at=row.expires_at.isoformat() if row.expires_at else None,
        area_ha=row.area_ha,
        geometry_wkb_hex=row.wkb,
    )


def verify_path(code: str, digest: str) -> str:
    """The public check's path for a licence code and a digest (slashes kept as they are)."""
    return f"/verify/{quote(code, safe='/')}?d={digest}"


def certified_licence(session: Session, licence_id: int) -> Licence:
    """The licence, if it is in force (an application or an ended right has no certificate)."""
    lic = session.get(Licence, licence_id)
    if lic is None:
        raise NotFound(f"There is no licence with id {licence_id}.")
    if lic.status not in CERTIFIED_STATUSES:
        raise Conflict(
            f"{lic.code} is '{lic.status}': only a licence in force (granted or suspended) "
            "has a certificate."
        )
    return lic


def certificate_facts(
    session: Session, profile: Profile, licence_id: int, base_url: str
) -> CertificateFacts:
    """What the certificate of a licence in force says; ``base_url`` roots its public link."""
    lic = certified_licence(session, licence_id)
    state = session.execute(_STATE_SQL, {"id": lic.id}).one()
    crs = utm_crs(state.lon, state.lat, profile.utm_zones)
    srid = int(crs.split(":")[1])
    corners = session.execute(_CORNERS_SQL, {"id": lic.id, "srid": srid}).all()
    shapes = session.execute(
        _SHAPES_SQL, {"id": lic.id, "srid": srid, "tol": OUTLINE_TOLERANCE, "iso": profile.iso_a3}
    ).one()
    digest = licence_digest(session, lic.id)
    holder = session.get(Holder, lic.holder_id)  # not lic.holder: stale after a transfer
    return CertificateFacts(
        authority=profile.authority or "Mining Cadastre",
        jurisdiction=profile.name,
        code=lic.code,
        type_label=profile.type_label(lic.licence_type),
        status=lic.status,
        holder_name=holder.name,
        holder_kind=holder.kind,
        registration_number=holder.registration_number if holder.kind == "company" else None,
        commodities=list(lic.commodities or []),
        granted_at=lic.granted_at.isoformat() if lic.granted_at else None,
        expires_at=lic.expires_at.isoformat() if lic.expires_at else None,
        area_ha=lic.area_ha,
        max_depth_m=lic.max_depth_m,
        mechanised=lic.mechanised,
        utm=crs,
        corners=[(i + 1, c.lon, c.lat, c.e, c.n_) for i, c in enumerate(corners)],
        area_utm=json.loads(shapes.area),
        country_utm=json.loads(shapes.country) if shapes.country else None,
        digest=digest,
        verify_url=base_url.rstrip("/") + verify_path(lic.code, digest),
    )


def certificate_pdf(session: Session, profile: Profile, licence_id: int, base_url: str) -> bytes:
    """The certificate of a licence in force, as PDF bytes (409 for one not in force)."""
    return render_certificate(certificate_facts(session, profile, licence_id, base_url))


@dataclass
class VerifyResult:
    """The public facts of a licence and whether a paper's digest matches the register."""

    facts: dict
    #: None when no digest was given; else whether it equals the current state's.
    matches: bool | None
    current_digest: str


def verify_record(
    session: Session, profile: Profile, code: str, digest: str | None
) -> VerifyResult:
    """The public record of the licence ``code`` and the check of a paper's digest (404 for
    an unknown code). Only public facts: for an individual holder, the name alone."""
    lic = session.scalars(select(Licence).where(Licence.code == code)).first()
    if lic is None:
        raise NotFound(f"The register holds no licence with the code {code[:60]!r}.")
    current = licence_digest(session, lic.id)
    facts = {
        "code": lic.code,
        "type": profile.type_label(lic.licence_type),
        "status": lic.status,
        "status_label": (
            profile.statuses[lic.status].label if lic.status in profile.statuses else lic.status
        ),
        "holder": session.get(Holder, lic.holder_id).name,
        "commodities": list(lic.commodities or []),
        "granted_at": lic.granted_at,
        "expires_at": lic.expires_at,
        "area_ha": lic.area_ha,
        "in_force": lic.status in CERTIFIED_STATUSES,
    }
    given = (digest or "").strip().lower()
    return VerifyResult(facts, (given == current) if given else None, current)
