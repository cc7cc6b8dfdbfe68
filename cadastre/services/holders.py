"""Register and look up holders."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from cadastre.domain.eligibility import HolderFacts, normalise_nationality
from cadastre.domain.holder_privacy import holder_projection, registration_searchable_kinds
from cadastre.domain.holder_rules import (
    bound_codes,
    check_holder_change,
    duplicate_reasons,
    email_problem,
    name_key,
    registration_key,
)
from cadastre.domain.text_rules import hidden_characters_message
from cadastre.errors import Conflict, NotFound, PreconditionFailed, ValidationError
from cadastre.models import Holder, HolderEvent, Licence
from cadastre.models.holders import HOLDER_KINDS

HOLDER_FIELDS = (
    "name",
    "kind",
    "registration_number",
    "nationality",
    "address",
    "phone",
    "email",
    "citizen_members",
    "local_ownership_pct",
)
#: The holder's facts that are not text: who may hold what (``domain.eligibility``).
ELIGIBILITY_FIELDS = ("citizen_members", "local_ownership_pct")
#: Longest text each column holds (the name is checked with its own message below).
#: Fields that identify the holder on the record: one plain line each (domain.text_rules).
SINGLE_LINE_FIELDS = ("name", "registration_number", "nationality")
MAX_LENGTHS = {"registration_number": 60, "nationality": 60, "phone": 40, "email": 200}
#: At most this many likely duplicates are named in a warning.
MAX_DUPLICATES = 20


def validate_holder_fields(data: dict, *, partial: bool = False) -> dict:
    """Check holder fields; raise ValidationError listing each field at fault."""
    errors = []
    clean = {}
    for key in HOLDER_FIELDS:
        if key not in data or key in ELIGIBILITY_FIELDS:
            continue
        value = data[key]
        if value is not None and not isinstance(value, str):
            errors.append({"field": key, "message": "must be text"})
            continue
        clean[key] = value.strip() if isinstance(value, str) else None
        limit = MAX_LENGTHS.get(key)
        if limit and clean[key] and len(clean[key]) > limit:
            errors.append({"field": key, "message": f"is longer than {limit} characters"})
    if clean.get("email") and not any(e["field"] == "email" for e in errors):
        problem = email_problem(clean["email"])
        if problem:
            errors.append({"field": "email", "message": problem})
    elif "email" in clean:
        clean["email"] = None
    for key in SINGLE_LINE_FIELDS:
        message = hidden_characters_message(clean.get(key) or "")
        if message:
            errors.append({"field": key, "message": message})
    _eligibility_fields(data, clean, errors)
    if not partial or "name" in data:
        if not clean.get("name"):
            errors.append({"field": "name", "message": "The holder's name is required."})
        elif len(clean["name"]) > 200:
            errors.append({"field": "name", "message": "The name is longer than 200 characters."})
    if not partial or "kind" in data:
        if clean.get("kind") not in HOLDER_KINDS:
            errors.append(
                {"field": "kind", "message": f"The kind must be one of {', '.join(HOLDER_KINDS)}."}
            )
    unknown = sorted(set(data) - set(HOLDER_FIELDS) - {"id"})
    for key in unknown:
        errors.append({"field": key, "message": "is not a holder field"})
    if errors:
        raise ValidationError("The holder details are not valid.", errors=errors)
    if clean.get("registration_number") == "":
        clean["registration_number"] = None
    return clean


def _eligibility_fields(data: dict, clean: dict, errors: list[dict]) -> None:
    """The nationality as an ISO alpha-3 code; citizen members; local ownership per cent."""
    if clean.get("nationality") and not any(e["field"] == "nationality" for e in errors):
        try:
            clean["nationality"] = normalise_nationality(clean["nationality"])
        except ValidationError as exc:
            errors.extend(exc.errors)
    elif "nationality" in clean:
        clean["nationality"] = None
    if "citizen_members" in data:
        value = data["citizen_members"]
        if value is not None and not isinstance(value, bool):
            errors.append({"field": "citizen_members", "message": "must be true or false"})
        else:
            clean["citizen_members"] = value
    if "local_ownership_pct" in data:
        value = data["local_ownership_pct"]
        if value is None:
            clean["local_ownership_pct"] = None
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            errors.append(
                {"field": "local_ownership_pct", "message": "must be a share from 0 to 100"}
            )
        else:
            clean["local_ownership_pct"] = round(float(value), 2)


def holder_facts(holder: Holder) -> HolderFacts:
    """What the eligibility rule reads of a registered holder."""
    return HolderFacts(
        kind=holder.kind,
        name=holder.name,
        nationality=holder.nationality,
        citizen_members=holder.citizen_members,
        local_ownership_pct=holder.local_ownership_pct,
    )


class LikelyDuplicate(Conflict):
    """The new holder looks like one already registered; ``extra["duplicates"]`` names them."""

    type_slug = "likely-duplicate-holder"


def create_holder(
    session: Session, data: dict, *, check_duplicates: bool = False, role: str | None = None
) -> Holder:
    """Register a new holder after checking its fields and registration number.

    With ``check_duplicates``, a holder that is likely one already registered
    (``domain.holder_rules.duplicate_reasons``) is refused with ``LikelyDuplicate`` naming
    them as ``role`` may see them; the caller confirms by calling again without the check.
    """
    clean = validate_holder_fields(data)
    _check_registration_unique(session, clean.get("registration_number"))
    if check_duplicates:
        refuse_likely_duplicates(session, clean, role)
    holder = Holder(**clean)
    session.add(holder)
    session.flush()
    return holder


def update_holder(
    session: Session,
    holder_id: int,
    data: dict,
    profile=None,
    *,
    actor: str = "system",
    role: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Holder:
    """Change a holder's details and record the change as one holder event.

    A new kind must still be allowed to hold its live licences; a new name or registration
    number of a holder of live licences is a supervisor's act with a reason
    (``check_holder_change``); ``expected_version`` (from If-Match) must be the current one.
    """
    holder = get_holder(session, holder_id, for_update=True)
    if expected_version is not None and expected_version != holder.version:
        raise PreconditionFailed(
            f"The holder has changed since version {expected_version} (it is now version "
            f"{holder.version}, ETag {holder_etag(holder)}); reload it and try again."
        )
    clean = validate_holder_fields(data, partial=True)
    changes = {k: (getattr(holder, k), v) for k, v in clean.items() if getattr(holder, k) != v}
    if not changes:
        return holder
    live = session.execute(
        select(Licence.code, Licence.status).where(Licence.holder_id == holder.id)
    ).all()
    check_holder_change(role, changes, bound_codes(live), reason)
    if "registration_number" in changes and clean["registration_number"] is not None:
        _check_registration_unique(session, clean["registration_number"])
    if profile is not None and "kind" in changes:
        _check_kind_fits_licences(session, profile, holder, clean["kind"])
    before = holder_snapshot(holder)
    for key, (_old, value) in changes.items():
        setattr(holder, key, value)
    holder.version += 1
    session.add(
        HolderEvent(
            holder_id=holder.id,
            action="change",
            actor=actor,
            reason=(reason or "").strip() or None,
            before=before,
            after=holder_snapshot(holder),
        )
    )
    session.flush()
    return holder


def likely_duplicates(session: Session, data: dict) -> list[tuple[Holder, list[str]]]:
    """Registered holders that ``data`` (name, registration number) likely describes, with why.

    SQL narrows to holders whose name or number is equal once case and spaces are dropped;
    the domain rule decides.
    """

    def squeezed(column):
        return func.lower(func.regexp_replace(column, r"\s", "", "g"))

    name = name_key(data.get("name")).replace(" ", "")
    number = registration_key(data.get("registration_number"))
    wanted = []
    if name:
        wanted.append(squeezed(Holder.name) == name)
    if number:
        wanted.append(squeezed(Holder.registration_number) == number)
    if not wanted:
        return []
    found = session.scalars(
        select(Holder).where(or_(*wanted)).order_by(Holder.name, Holder.id).limit(MAX_DUPLICATES)
    )
    out = []
    for holder in found:
        reasons = duplicate_reasons(data, holder_to_dict(holder))
        if reasons:
            out.append((holder, reasons))
    return out


def refuse_likely_duplicates(session: Session, data: dict, role: str | None) -> None:
    """Raise ``LikelyDuplicate`` when ``data`` is likely a registered holder."""
    found = likely_duplicates(session, data)
    if not found:
        return
    names = "; ".join(f"{h.name} (id {h.id}: {', '.join(why)})" for h, why in found[:5])
    raise LikelyDuplicate(
        f"This holder looks like one already registered: {names}. If it is a different "
        "holder, register it anyway (confirm_duplicate).",
        extra={
            "duplicates": [
                {**holder_projection(holder_to_dict(h), role), "reasons": why} for h, why in found
            ]
        },
    )


def search_condition(q: str, role: str | None) -> ColumnElement[bool]:
    """Holders whose name, or a registration number ``role`` may read, contains ``q``.

    One search for the API and the pages: a number the caller may not read must not be found.
    """
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    by_number = Holder.registration_number.ilike(like)
    kinds = registration_searchable_kinds(role)
    if kinds is not None:
        by_number = and_(Holder.kind.in_(kinds), by_number)
    return or_(Holder.name.ilike(like), by_number)


def holder_snapshot(holder: Holder) -> dict:
    """A holder's details as recorded in its history."""
    return holder_to_dict(holder)


def holder_etag(holder: Holder) -> str:
    """The holder's strong ETag: its id and version."""
    return f'"holder-{holder.id}-v{holder.version}"'


def holder_history(session: Session, holder_id: int) -> list[HolderEvent]:
    """Every recorded change of a holder, oldest first (NotFound for an unknown holder)."""
    get_holder(session, holder_id)
    return list(
        session.scalars(
            select(HolderEvent).where(HolderEvent.holder_id == holder_id).order_by(HolderEvent.id)
        )
    )


def get_holder(session: Session, holder_id: int, *, for_update: bool = False) -> Holder:
    """The holder with this id, or NotFound."""
    holder = session.get(Holder, holder_id, with_for_update=for_update)
    if holder is None:
        raise NotFound(f"There is no holder with id {holder_id}.")
    return holder


def find_holder(session: Session, *, registration_number=None, name=None) -> Holder | None:
    """Match a holder by registration number, then by name (case-insensitive)."""
    if registration_number:
        found = session.scalars(
            select(Holder).where(Holder.registration_number == registration_number)
        ).first()
        if found:
            return found
    if name:
        return session.scalars(
            select(Holder).where(func.lower(Holder.name) == name.strip().lower())
        ).first()
    return None


def _check_kind_fits_licences(session: Session, profile, holder: Holder, kind: str) -> None:
    from cadastre.domain.lifecycle import LIVE_STATUSES

    codes_by_type: dict[str, list[str]] = {}
    for licence in holder.licences:
        if licence.status in LIVE_STATUSES:
            spec = profile.licence_types.get(licence.licence_type)
            if spec is not None and kind not in spec.holder_kinds:
                codes_by_type.setdefault(licence.licence_type, []).append(licence.code)
    if codes_by_type:
        held = "; ".join(
            f"{profile.type_words(t)} {', '.join(codes)}" for t, codes in codes_by_type.items()
        )
        raise ValidationError(
            f"{holder.name} cannot become {kind}: it holds or applies for licences that "
            f"{kind} holders may not hold ({held}). Transfer or end them first.",
            errors=[{"field": "kind", "message": f"not allowed for its licences ({held})"}],
        )


def _check_registration_unique(session: Session, number: str | None) -> None:
    if number and find_holder(session, registration_number=number):
        raise ValidationError(
            f"A holder with registration number {number} is already registered.",
            errors=[{"field": "registration_number", "message": "is already registered"}],
        )


def holder_to_dict(holder: Holder) -> dict:
    """The public JSON form of a holder."""
    return {
        "id": holder.id,
        "name": holder.name,
        "kind": holder.kind,
        "registration_number": holder.registration_number,
        "nationality": holder.nationality,
        "address": holder.address,
        "phone": holder.phone,
        "email": holder.email,
        "citizen_members": holder.citizen_members,
        "local_ownership_pct": holder.local_ownership_pct,
        "version": holder.version,
    }
