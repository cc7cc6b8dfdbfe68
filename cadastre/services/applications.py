"""Register applications: lawful request, ground inside the country, first come first served.

An exclusive application may not overlap any exclusive right in force nor any earlier
application still pending. Exclusive intake is queued by a transaction-level advisory
lock taken before the overlap check, so of two overlapping applications arriving at the
same moment exactly one is accepted, whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep
from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.application_rules import (
    Application,
    Decision,
    check_application,
    in_field_order,
    refuse,
)
from cadastre.domain.geometry import (
    check_inside_country,
    geodesic_area_ha,
    parse_geojson,
    to_geojson,
)
from cadastre.domain.licence_rules import check_licence_type
from cadastre.errors import ConfigurationError, Conflict, ValidationError, field_error
from cadastre.models import Country, Holder, Licence
from cadastre.profile import Profile
from cadastre.queries.overlaps import (
    EXCLUSIVE_INTAKE_LOCK,
    OverlapRow,
    find_conflicts,
    free_part,
    lock_exclusive_intake,
)
from cadastre.services.boundaries import active_dataset
from cadastre.services.charges import raise_fee
from cadastre.services.consents import read_consents, record_consents, without_consented
from cadastre.services.history import MAX_ID, next_code, record_event
from cadastre.services.licence_json import assess_border
from cadastre.services.procedure import enter_procedure
from cadastre.services.refusals import Refusal, keep_refused, overlap_reason

_COUNTRY_CACHE: dict[tuple, tuple[BaseGeometry, Any]] = {}


def intake_geometry(geometry: Any, profile: Profile, field: str = "geometry") -> MultiPolygon:
    """A checked MultiPolygon from GeoJSON (dict or text) or a shapely (Multi)Polygon."""
    if isinstance(geometry, Polygon | MultiPolygon):
        geometry = to_geojson(geometry)
    elif isinstance(geometry, BaseGeometry):
        raise field_error(field, f"A licence area must be a polygon, not a {geometry.geom_type}.")
    if geometry is None:
        raise field_error(field, "The licence area is required (a GeoJSON polygon).")
    return parse_geojson(geometry, field=field, max_vertices=profile.max_vertices)


def country_shape(session: Session, profile: Profile) -> tuple[BaseGeometry, Any]:
    """The country's polygon in the boundary data set in force, and a prepared copy (cached)."""
    dataset = active_dataset(session)
    if dataset is None:
        raise ConfigurationError(
            "No boundary data set is in force; run `cadastre boundaries load` first."
        )
    key = (dataset.id, dataset.checksum, dataset.version, profile.iso_a3)
    cached = _COUNTRY_CACHE.get(key)
    if cached is None:
        wkb = session.scalar(
            select(Country.geom).where(
                Country.dataset_id == dataset.id, Country.iso_a3 == profile.iso_a3
            )
        )
        if wkb is None:
            raise ConfigurationError(
                f"The boundary data set {dataset.label} has no polygon for {profile.name}."
            )
        shape = to_shape(wkb)
        cached = (shape, prep(shape))
        _COUNTRY_CACHE.clear()
        _COUNTRY_CACHE[key] = cached
    return cached


def country_note(
    session: Session, profile: Profile, geom: BaseGeometry, field: str = "geometry"
) -> str | None:
    """Refuse ground outside the country; a note when a small share lies beyond the line."""
    country, prepared = country_shape(session, profile)
    if prepared.contains(geom):
        return None
    outcome = check_inside_country(
        geom,
        country,
        tolerance=profile.outside_tolerance,
        country_name=profile.name,
        field=field,
    )
    return outcome["note"]


def check_holder_id(session: Session, holder_id: Any, field: str = "holder_id") -> Holder:
    """The holder named by ``holder_id``, or ValidationError on that field."""
    if isinstance(holder_id, bool) or not isinstance(holder_id, int):
        raise field_error(field, "Give the holder as its numeric id.")
    holder = session.get(Holder, holder_id) if 0 < holder_id <= MAX_ID else None
    if holder is None:
        raise field_error(
            field, f"There is no holder with id {holder_id}; register the holder first."
        )
    return holder


def conflict_error(
    profile: Profile, conflicts: list[OverlapRow], what: str = "The area"
) -> Conflict:
    """A 409 naming every conflicting licence and how much ground it shares (in plain words:
    officers read it on the pages; the API documents where the free part is asked)."""
    return Conflict(
        overlap_reason(profile, conflicts, what),
        extra={"conflicts": [c.as_dict() for c in conflicts]},
    )


def _collect(errors: list[dict], check, *args, **kwargs):
    """Run one check, gathering its field errors so all are reported together."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        errors.extend(exc.errors or [{"field": "", "message": exc.detail}])
        return None


def check_ground(
    session: Session, profile: Profile, geom: BaseGeometry, *, field: str = "geometry"
) -> tuple[list[dict], str | None]:
    """The rules on the ground that need the register: inside the country (errors, note).

    Run by every path after the pure rules (``domain.application_rules``); first come,
    first served is judged by ``find_conflicts`` under the intake lock at registration and
    by ``check_availability`` when asking. The importer measures the same rule in bulk.
    """
    errors: list[dict] = []
    note = _collect(errors, country_note, session, profile, geom, field)
    return errors, note


def holder_application_facts(holder: Holder | None) -> dict[str, Any]:
    """A registered holder's facts as ``Application`` fields (kind None: not known)."""
    if holder is None:
        return {"holder_kind": None, "holder_name": ""}
    return {
        "holder_kind": holder.kind,
        "holder_name": holder.name,
        "holder_nationality": holder.nationality,
        "holder_citizen_members": holder.citizen_members,
        "holder_local_ownership_pct": holder.local_ownership_pct,
    }


@dataclass
class Judgement:
    """An application judged: the rules' decision, the holder found, the country note."""

    decision: Decision
    holder: Holder | None
    note: str | None

    @property
    def errors(self) -> list[dict]:
        """Every field error, the pure rules' and the ground's."""
        return self.decision.errors


def judge_application(
    session: Session,
    profile: Profile,
    *,
    holder_id: Any,
    licence_type: Any,
    commodities: Any,
    district: Any = None,
    geom: BaseGeometry | None = None,
    check_country: bool = True,
) -> Judgement:
    """Every rule of an application that its fields and area allow to judge, all at once.

    ``geom`` None: the area is judged elsewhere (refused at intake, or not given).
    """
    errors: list[dict] = []
    holder = _collect(errors, check_holder_id, session, holder_id)
    decision = check_application(
        profile,
        Application(
            licence_type=licence_type,
            commodities=commodities,
            **holder_application_facts(holder),
            district=district,
            area_ha=geodesic_area_ha(geom) if geom is not None else None,
        ),
    )
    note = None
    if geom is not None and check_country:
        ground, note = check_ground(session, profile, geom)
        errors += ground
    decision.errors = in_field_order(errors + decision.errors)
    return Judgement(decision=decision, holder=holder, note=note)


def register_application(
    session: Session,
    profile: Profile,
    *,
    holder_id: int,
    licence_type: str,
    commodities: list[str],
    geometry: Any,
    actor: str,
    received_at: datetime | None = None,
    district: str | None = None,
    check_priority: bool = True,
    check_country: bool = True,
    code: str | None = None,
    consents: Any = None,
) -> Licence:
    """Check, time-stamp, number and store an application with its first history event.

    ``check_priority=False`` skips first-come-first-served (loading legacy titles);
    ``code`` keeps an existing licence code instead of issuing a new one; ``consents``
    (``services.consents``): overlapped holders' consents, for a type that allows them.
    Ground the law refuses raises (409 on overlap, 422 outside the country) and nothing is
    stored; the applicant's paths use :func:`receive_application`, which keeps the refusal
    on record.
    """
    return _register(
        session,
        profile,
        Intake(
            holder_id, licence_type, commodities, geometry, actor, received_at, district, consents
        ),
        keep=False,
        check_priority=check_priority,
        check_country=check_country,
        code=code,
    )[0]


def receive_application(
    session: Session,
    profile: Profile,
    *,
    holder_id: Any,
    licence_type: Any,
    commodities: Any,
    geometry: Any,
    actor: str,
    district: Any = None,
    consents: Any = None,
) -> tuple[Licence, Refusal | None]:
    """Receive an application from an applicant: every well-formed one is numbered and kept.

    Malformed input or a rule of the application broken raises 422 and stores nothing.
    Ground the law refuses (an overlap with an earlier exclusive right or application, or
    outside the country) is stored as a refused application with its reason, in this
    transaction, after the check under the intake lock; the Refusal says why (its
    ``error()`` is the answer to give once the transaction is committed).
    """
    return _register(
        session,
        profile,
        Intake(holder_id, licence_type, commodities, geometry, actor, None, district, consents),
        keep=True,
    )


@dataclass(frozen=True)
class Intake:
    """What an application says, as received."""

    holder_id: Any
    licence_type: Any
    commodities: Any
    geometry: Any
    actor: str
    received_at: datetime | None
    district: Any
    consents: Any = None


def _register(
    session: Session,
    profile: Profile,
    intake: Intake,
    *,
    keep: bool,
    check_priority: bool = True,
    check_country: bool = True,
    code: str | None = None,
) -> tuple[Licence, Refusal | None]:
    faults: list[dict] = []
    geom = _collect(faults, intake_geometry, intake.geometry, profile)
    given = _collect(faults, read_consents, intake.consents, datetime.now(UTC).date()) or []
    judged = judge_application(
        session,
        profile,
        holder_id=intake.holder_id,
        licence_type=intake.licence_type,
        commodities=intake.commodities,
        district=intake.district,
        geom=geom,
        check_country=False,
    )
    ground, note = [], None
    if geom is not None and check_country:
        ground, note = check_ground(session, profile, geom)
    faults = judged.errors + faults
    # a malformed or unlawful request is refused with every fault, the ground's too
    refuse(in_field_order(faults + ground) if faults or not keep else [])
    spec, received = judged.decision.spec, intake.received_at or datetime.now(UTC)
    queued = spec.exclusive and check_priority and not ground
    if queued and code:
        lock_exclusive_intake(session)
    if not code:
        # the intake lock, when needed, is taken by the same statement that issues the code
        key = EXCLUSIVE_INTAKE_LOCK if queued else None
        code = next_code(session, spec.code_prefix, received.year, lock_key=key)
    conflicts = find_conflicts(session, profile, geom) if queued or given else []
    # consent: the one exception to first come, first served (services.consents)
    conflicts = without_consented(session, profile, spec, conflicts, given)
    conflicts = conflicts if queued else []
    if conflicts and not keep:
        raise conflict_error(profile, conflicts)  # the rollback takes the code back too
    licence = _new_licence(intake, judged, geom, code, received, note)
    if ground or conflicts:
        reason = overlap_reason(profile, conflicts) if conflicts else _ground_reason(ground)
        keep_refused(session, licence, actor=intake.actor, received=received, reason=reason)
        return licence, Refusal(licence, reason, conflicts=conflicts, errors=ground)
    enter_procedure(profile, licence)
    session.add(licence)
    session.flush()
    assess_border(session, profile, licence)
    consented = record_consents(session, licence, given, intake.actor)
    record_event(
        session, licence, "apply", actor=intake.actor, before=None, at=received, reason=consented
    )
    session.flush()
    if keep:  # an applicant's application: its fee is due on receipt
        raise_fee(session, profile, licence, "application", actor=intake.actor, on=received.date())
    return licence, None


def _new_licence(intake: Intake, judged: Judgement, geom, code: str, received, note) -> Licence:
    """The application's row, as received (not yet added to the session)."""
    return Licence(
        code=code,
        licence_type=intake.licence_type,
        status="application",
        commodities=judged.decision.commodities,
        holder_id=judged.holder.id,
        geom=from_shape(geom, srid=4326),
        area_ha=geodesic_area_ha(geom),
        received_at=received,
        district=intake.district,
        notes=[note] if note else [],
        risk_reasons=[],
        version=1,
        renewals=0,
    )


def _ground_reason(errors: list[dict]) -> str:
    """The ground's refusal in words (one sentence per fault)."""
    return " ".join(e["message"] for e in errors)


def free_ground(session: Session, profile: Profile, geom: BaseGeometry) -> BaseGeometry | None:
    """The part of an area that no live exclusive licence or earlier application holds
    (None when nothing is free): what "apply for the free part" applies for."""
    conflicts = find_conflicts(session, profile, geom)
    found = free_part(session, geom, [c.id for c in conflicts])
    return shape(found["geometry"]) if found["geometry"] else None


def check_availability(
    session: Session, profile: Profile, geometry: Any, *, licence_type: str | None = None
) -> dict[str, Any]:
    """Which live exclusive licences a proposed area overlaps, and the part still free."""
    errors: list[dict] = []
    spec = None
    if licence_type is not None:
        spec = _collect(errors, check_licence_type, profile, licence_type)
    geom = _collect(errors, intake_geometry, geometry, profile)
    if errors:
        raise ValidationError(errors[0]["message"], errors=errors)
    area_ha = geodesic_area_ha(geom)
    exclusive = spec.exclusive if spec is not None else True
    conflicts = find_conflicts(session, profile, geom) if exclusive else []
    free = free_part(session, geom, [c.id for c in conflicts])
    return {
        "licence_type": licence_type,
        "exclusive": exclusive,
        "area_ha": round(area_ha, 4),
        "available": not conflicts,
        "conflicts": [c.as_dict() for c in conflicts],
        "free": free,
    }
