"""What every API view shares: the JSON body, paging, ids and safe DB errors (the caller's
role is checked by ``cadastre.auth.API``)."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import jsonify, request
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

from cadastre.api.blueprint import bp
from cadastre.api.validation import Body, check_body, require_object
from cadastre.errors import (
    CadastreError,
    Conflict,
    NotFound,
    ValidationError,
)
from cadastre.http_errors import problem_response
from cadastre.input_guard import record_id
from cadastre.services.history import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_OFFSET = 10**9


class BadRequest(CadastreError):
    """A body that is not JSON at all."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"


class UnsupportedMediaType(CadastreError):
    """A body not declared as JSON."""

    status = 415
    title = "Unsupported media type"
    type_slug = "unsupported-media-type"


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose members are named once: with two, which one was meant?"""
    body = dict(pairs)
    if len(body) != len(pairs):
        seen: set[str] = set()
        twice = sorted({k for k, _ in pairs if k in seen or seen.add(k)})
        raise ValidationError(
            f"The body names {', '.join(repr(k[:60]) for k in twice)} more than once; "
            "send each member once.",
            errors=[{"field": k[:60], "message": "is given more than once"} for k in twice],
        )
    return body


def _declared_json() -> bool:
    """The body is declared ``application/json`` (UTF-8, the only charset JSON has)."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    charset = options.get("charset", "utf-8").lower()
    return mimetype.lower() == "application/json" and charset in ("utf-8", "utf8")


def json_body(spec: Body, *, required: bool = True, decimals: bool = False) -> dict[str, Any]:
    """The body, checked against ``spec`` (see ``read_json``); 422 naming every field at fault.
    With ``decimals``, JSON numbers with a fraction arrive as exact ``Decimal`` (money)."""
    body = read_json(required=required, decimals=decimals)
    return check_body(body, spec)


def _body_bytes() -> bytes:
    """The raw body; a chunked one that reaches the limit is refused, never cut short."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    # werkzeug stops a body without Content-Length at the limit and hands over what it read
    if request.content_length is None and limit is not None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def read_json(*, required: bool = True, decimals: bool = False) -> dict[str, Any]:
    """The body as a JSON object: 415 when not declared as JSON, 400 when not JSON, 422 when
    not an object (or missing where required); an action's body may be empty."""
    declared = request.headers.get("Content-Type")
    if not required and not declared and not request.content_length:
        raw = _body_bytes()
        if not raw.strip():
            return {}
    if not _declared_json():
        raise UnsupportedMediaType(
            f"Send the body as JSON with 'Content-Type: application/json', not "
            f"{(declared or 'no content type')[:80]!r}.",
            errors=[{"field": "Content-Type", "message": "must be application/json"}],
        )
    raw = _body_bytes()
    if not raw.strip():
        if required:
            raise ValidationError(
                "The request has no body; send a JSON object.",
                errors=[{"field": "", "message": "a JSON object is required"}],
            )
        return {}
    try:
        body = json.loads(
            raw.decode("utf-8"),
            parse_constant=_no_constant,
            object_pairs_hook=_unique_members,
            parse_float=Decimal if decimals else float,
        )
    except (ValueError, RecursionError) as exc:
        raise BadRequest(
            f"The body is not valid JSON: {str(exc)[:200]}",
            errors=[{"field": "", "message": "is not valid JSON"}],
        ) from None
    return require_object(body)


def check_id(value: int, what: str) -> int:
    """An id from the path; ids beyond the column's range cannot exist (404, not a DB error)."""
    if not 0 < value <= MAX_ID:
        raise NotFound(f"There is no {what} with id {value}.")
    return value


def query_int(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within bounds, or 422 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError(
            f"'{name}' must be a whole number from {low} to {high}, not {raw[:40]!r}.",
            errors=[{"field": name, "message": f"a whole number from {low} to {high}"}],
        )
    return value


def query_choice(name: str, choices, *aliases: str) -> str | None:
    """A query parameter that must be one of ``choices`` (aliases name it differently)."""
    for key in (name, *aliases):
        raw = request.args.get(key)
        if raw:
            if raw not in choices:
                raise ValidationError(
                    f"'{key}' must be one of {', '.join(choices)}, not {raw[:40]!r}.",
                    errors=[{"field": key, "message": f"one of {', '.join(choices)}"}],
                )
            return raw
    return None


def paging() -> tuple[int, int]:
    """``limit`` and ``offset`` from the query string."""
    return (
        query_int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        query_int("offset", 0, 0, MAX_OFFSET),
    )


def page_body(key: str, items: list, matched: int, limit: int, offset: int) -> dict:
    """A page: items under ``key``, numberMatched/numberReturned and next/prev links."""
    args = {k: v for k, v in request.args.items() if k not in ("limit", "offset")}

    def href(start: int) -> str:
        # script_root: under the training workspace the links stay under /training
        path = request.script_root + request.path
        return f"{path}?{urlencode({**args, 'limit': limit, 'offset': start})}"

    links = [{"rel": "self", "href": href(offset), "type": "application/json"}]
    if offset + len(items) < matched:
        links.append({"rel": "next", "href": href(offset + limit), "type": "application/json"})
    if offset > 0:
        links.append(
            {"rel": "prev", "href": href(max(0, offset - limit)), "type": "application/json"}
        )
    return {
        key: items,
        "numberMatched": matched,
        "numberReturned": len(items),
        "pages": math.ceil(matched / limit) if matched else 0,
        "links": links,
    }


def entity_tags(header: str | None) -> list[str]:
    """The entity tags of an If-Match / If-None-Match header, weak or strong alike."""
    return [t.strip().removeprefix("W/") for t in (header or "").split(",") if t.strip()]


def expected_version(prefix: str) -> int | None:
    """The version an If-Match names for the record whose ETags start ``"<prefix>v``.

    None without a precondition (or with ``*``); -1 when it names no version of this
    record, which the service reports as stale.
    """
    tags = entity_tags(request.headers.get("If-Match"))
    if not tags or "*" in tags:
        return None
    start = f'"{prefix}v'
    for tag in tags:
        version = record_id(tag[len(start) : -1]) if tag.endswith('"') else None
        if tag.startswith(start) and version is not None:
            return version
    return -1


def created(body: dict, location: str, etag: str | None = None):
    """201 with a Location (and an ETag where the resource has versions)."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = request.script_root + location  # /training in training
    if etag:
        response.headers["ETag"] = etag
    return response


@bp.errorhandler(DataError)
def _data_error(error: DataError):
    """A value the database cannot hold (too long, out of range): 422, nothing stored."""
    return problem_response(
        ValidationError(
            "A value is too long or out of range for the register; nothing was stored.",
            # our words, never the driver's text (it names tables, types and values)
            errors=[{"field": "", "message": "too long or out of range"}],
        )
    )


@bp.errorhandler(IntegrityError)
def _integrity_error(error: IntegrityError):
    """A clash with a unique value registered at the same moment: 409, nothing stored."""
    return problem_response(
        Conflict("The change clashes with another record (a duplicate); nothing was stored.")
    )
