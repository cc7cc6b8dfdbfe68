"""The JSON bodies each registry API endpoint takes, field by field (read strictly by
``cadastre.api.validation``, whose checks also give the OpenAPI document its schemas)."""

from __future__ import annotations

from cadastre.api.validation import (
    AreaGeometry,
    Body,
    Boolean,
    Consents,
    Corners,
    Integer,
    Share,
    Text,
    TextList,
)
from cadastre.domain.application_rules import DISTRICT_MAX_CHARS
from cadastre.domain.corners import NOTATIONS
from cadastre.models.holders import HOLDER_KINDS

AREA_FIELDS = {
    "geometry": AreaGeometry(),
    "corners": Corners(),
    "notation": Text(nullable=True, choices=NOTATIONS, description="notation of corners"),
}
# Who reads these fields back (cadastre/domain/holder_privacy.py), as the document says it
_PERSONAL = "public for a company or cooperative; an individual's only to officer and above"
_CONTACT = "shown only to officer and above"
_HOLDER_FIELDS = {
    "name": Text(max_length=200, min_length=1),
    "kind": Text(choices=HOLDER_KINDS),
    "registration_number": Text(nullable=True, max_length=60, description=_PERSONAL),
    "nationality": Text(
        nullable=True,
        max_length=60,
        description=f"{_PERSONAL}; ISO 3166 alpha-3 code (a country's name is accepted and "
        "stored as its code)",
    ),
    "address": Text(nullable=True, description=_CONTACT),
    "phone": Text(nullable=True, max_length=40, description=_CONTACT),
    "email": Text(nullable=True, max_length=200, description=_CONTACT),
    "citizen_members": Boolean(
        nullable=True, description="a cooperative's: whether all its members are citizens"
    ),
    "local_ownership_pct": Share(description="a company's: the share owned by citizens, per cent"),
}
#: A holder's details as the register gives them back.
HOLDER_DETAILS = Body("a holder", _HOLDER_FIELDS)
#: A new holder that likely duplicates a registered one (same name or registration number,
#: ignoring case and spaces: domain/holder_rules.duplicate_reasons) is refused with 409 and
#: the candidates, unless the caller confirms it is a different holder.
CONFIRM_DUPLICATE = Boolean(
    description="true: register even though a holder with the same name or registration "
    "number (ignoring case and spaces) is registered; without it such a holder is refused "
    "with 409 listing them under 'duplicates'"
)
NEW_HOLDER = Body(
    "a holder",
    {**_HOLDER_FIELDS, "confirm_duplicate": CONFIRM_DUPLICATE},
    ("name", "kind"),
    read_only=("id",),
)
#: A change may give a reason (required of a supervisor renaming a holder of live licences).
HOLDER_CHANGE = Body(
    "a holder change",
    {**_HOLDER_FIELDS, "reason": Text(nullable=True, max_length=2000)},
    read_only=("id",),
)
APPLICATION = Body(
    "an application",
    {
        "licence_type": Text(),
        "holder_id": Integer(),
        "commodities": TextList(),
        "district": Text(nullable=True, max_length=DISTRICT_MAX_CHARS, length_by_rule=True),
        "consents": Consents(
            description="for a type that allows it (artisanal): the holders' consents to "
            "overlap their licences; the overlap check then lets exactly these be overlapped"
        ),
        **AREA_FIELDS,
    },
    ("licence_type", "holder_id", "commodities"),
)
MAX_REASON = 2000
#: Completing a procedure stage: an optional note (``reason`` is taken as the same).
ACTION_NOTE = Body(
    "a completed stage",
    {
        "note": Text(nullable=True, max_length=MAX_REASON),
        "reason": Text(nullable=True, max_length=MAX_REASON),
    },
)
ACTION = Body(
    "a licence action",
    {"reason": Text(nullable=True, max_length=MAX_REASON), "holder_id": Integer(), **AREA_FIELDS},
)
#: Longest breach, cause or note on a notice (``cadastre.services.notices.MAX_TEXT``).
MAX_NOTICE_TEXT = 4000
NOTICE = Body(
    "a notice",
    {
        "breach": Text(max_length=MAX_NOTICE_TEXT, min_length=1, description="the breach found"),
        "cause": Text(
            nullable=True,
            max_length=MAX_NOTICE_TEXT,
            description="the ground in general words; the profile's default cause when absent",
        ),
    },
    ("breach",),
)
NOTICE_REMEDY = Body("a remedy", {"note": Text(nullable=True, max_length=MAX_NOTICE_TEXT)})
OBLIGATION_RECEIPT = Body(
    "an obligation's receipt",
    {
        "document_id": Integer(
            description="the document on the licence's file that satisfies it, of its kind"
        )
    },
    ("document_id",),
)
OBLIGATION_WAIVER = Body(
    "an obligation's waiver",
    {"reason": Text(max_length=MAX_REASON, min_length=1, description="why it is waived")},
    ("reason",),
)
OBLIGATION_SHOW_CAUSE = Body(
    "a show-cause notice",
    {
        "cause": Text(
            nullable=True,
            max_length=MAX_NOTICE_TEXT,
            description="the ground in general words; the profile's default cause when absent",
        )
    },
)
AVAILABILITY = Body(
    "an availability question", {"licence_type": Text(nullable=True), **AREA_FIELDS}
)
