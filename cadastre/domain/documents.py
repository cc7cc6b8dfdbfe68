"""Documents on file: what a file is, judged by its content, never by its name alone.

A document is taken when its content is a PDF, a PNG or a JPEG image, its name's extension
says the same, it is not empty and not larger than the limit, and (a PDF) it carries no
active content. Active content is looked for by the PDF names that start or carry it
(``/JavaScript``, ``/JS``, ``/OpenAction``, ``/Launch``, ``/EmbeddedFile(s)``, ``/AA``,
``/RichMedia``, ``/XFA``), in the file's objects and in its compressed object streams
(``/Type /ObjStm`` with ``/FlateDecode``, inflated up to a bound), names written with
``#xx`` escapes included. Other streams (page contents, images) are not opened: they hold
no dictionaries. Pure: bytes in, a checked document or a ValidationError naming the field.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

from cadastre.domain.text_rules import hidden_characters_message
from cadastre.errors import field_error

#: What a document is about (a short word); ``other`` for anything else.
DOCUMENT_KINDS = (
    "application_form",
    "surface_rent_agreement",
    "environmental_management_plan",
    "survey_sheet",
    "board_minutes",
    "receipt",
    # what satisfies a holder's obligations (``domain.obligations``; the profile's rules)
    "work_programme",
    "expenditure_report",
    "production_return",
    "annual_report",
    "environmental_licence",
    "community_development_agreement",
    "other",
)
#: Largest document taken: a scanned plan of many pages fits; a video does not.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: Longest title and file name kept.
MAX_TITLE = 200
MAX_FILENAME = 255
#: Media types by the content's kind, and the extensions a name may carry for each.
MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
EXTENSIONS = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}
WORDS = {"pdf": "a PDF", "png": "a PNG image", "jpeg": "a JPEG image"}
#: PDF names that run something, open something, or carry a file inside.
ACTIVE_NAMES = (
    "JavaScript",
    "JS",
    "OpenAction",
    "Launch",
    "EmbeddedFile",
    "EmbeddedFiles",
    "AA",
    "RichMedia",
    "XFA",
)
_ACTIVE = re.compile(
    rb"/(" + b"|".join(n.encode() for n in ACTIVE_NAMES) + rb")(?=[\s()<>\[\]{}/%]|$)"
)
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_ENDSTREAM = b"endstream"
#: An object stream is inflated to at most this many bytes (a bomb stops here).
MAX_INFLATED = 64 * 1024 * 1024


@dataclass(frozen=True)
class CheckedDocument:
    """A file found to be what it says: its media type, size and checksum."""

    filename: str
    media_type: str
    size: int
    sha256: str


def content_kind(data: bytes) -> str | None:
    """``pdf``, ``png`` or ``jpeg`` by the content's magic bytes; None for anything else."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def active_content(pdf: bytes) -> list[str]:
    """The active-content names a PDF carries (sorted, each once); empty when none."""
    found: set[str] = set()
    pos = 0
    inflated = 0
    for match in _STREAM.finditer(pdf):
        if match.start() < pos:
            continue
        head = pdf[pos : match.start()]
        found |= _names(head)
        end = pdf.find(_ENDSTREAM, match.end())
        end = len(pdf) if end < 0 else end
        header = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head[-512:]
        if b"/ObjStm" in header and b"/FlateDecode" in header and inflated < MAX_INFLATED:
            text = _inflate(pdf[match.end() : end], MAX_INFLATED - inflated)
            inflated += len(text)
            found |= _names(text)
        pos = end + len(_ENDSTREAM)
    found |= _names(pdf[pos:])
    return sorted(found)


def _names(chunk: bytes) -> set[str]:
    if b"#" in chunk:
        chunk = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)
    return {m.group(1).decode() for m in _ACTIVE.finditer(chunk)}


def _inflate(data: bytes, limit: int) -> bytes:
    """As much of a Flate stream as inflates within ``limit`` bytes (a broken one: what
    inflated before the break)."""
    inflater = zlib.decompressobj()
    try:
        return inflater.decompress(data, max(limit, 1))
    except zlib.error:
        return b""


def check_title(title: str | None) -> str:
    """A document's title: required, one line, at most ``MAX_TITLE`` characters."""
    text = " ".join((title or "").split())
    if not text:
        raise field_error("title", "Give the document a title, e.g. 'Surface rent agreement'.")
    if len(text) > MAX_TITLE:
        raise field_error("title", f"A title has at most {MAX_TITLE} characters.")
    hidden = hidden_characters_message(text)
    if hidden:
        raise field_error("title", hidden)
    return text


def check_kind(kind: str | None) -> str:
    """One of ``DOCUMENT_KINDS``."""
    if kind not in DOCUMENT_KINDS:
        raise field_error("kind", "Choose what the document is: " + ", ".join(DOCUMENT_KINDS) + ".")
    return kind


def check_document(filename: str | None, data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES):
    """The file as a ``CheckedDocument``, or a ValidationError about ``file`` saying why."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise field_error("file", "Choose a file to upload.")
    if len(name) > MAX_FILENAME or hidden_characters_message(name):
        raise field_error("file", "The file's name is too long or carries hidden characters.")
    if not data:
        raise field_error("file", f"'{name}' is empty.")
    if len(data) > max_bytes:
        raise field_error("file", f"'{name}' is larger than the {max_bytes:,} bytes allowed.")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    declared = EXTENSIONS.get(extension)
    if declared is None:
        raise field_error(
            "file", f"'{name}': only PDF, PNG and JPEG files (.pdf, .png, .jpg) are taken."
        )
    actual = content_kind(data)
    if actual is None:
        raise field_error(
            "file",
            f"'{name}' is not what its name says: its content is not {WORDS[declared]} "
            "(nor a PDF, PNG or JPEG).",
        )
    if actual != declared:
        raise field_error(
            "file",
            f"'{name}' is not what its name says: its content is {WORDS[actual]}, "
            f"not {WORDS[declared]}.",
        )
    if actual == "pdf":
        active = active_content(data)
        if active:
            found = ", ".join("/" + n for n in active)
            raise field_error(
                "file",
                f"'{name}' is a PDF with active content ({found}); print it to a plain PDF "
                "or scan it, and upload that.",
            )
    return CheckedDocument(name, MEDIA_TYPES[actual], len(data), hashlib.sha256(data).hexdigest())
