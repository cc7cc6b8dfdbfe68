"""Documents on file over the API: checked by content, kept by checksum, in the history,
superseded never deleted, served as attachments."""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from licence_support import KONO, rect
from sqlalchemy import func, select, text

from cadastre.app import create_app
from cadastre.db_roles import grant_app_role
from cadastre.domain.documents import active_content, check_document
from cadastre.errors import ValidationError
from cadastre.models import LicenceDocument
from cadastre.services.document_store import FileStore
from tests.api.test_licences_api import PROBLEM, apply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40) + b"\xff\xd9"


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


PDF = pdf_with(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj")


@pytest.fixture
def app(settings, sessions, tmp_path):
    """The app with a document store of this test's own."""
    application = create_app(replace(settings, documents_dir=str(tmp_path / "documents")))
    application.extensions["cadastre"].sessions = sessions
    return application


@pytest.fixture
def licence_id(client, auth, company) -> int:
    r = apply(client, auth, company, rect(*KONO, 2000))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@pytest.fixture
def store(app) -> FileStore:
    return FileStore(app.extensions["cadastre"].settings.documents_dir)


def upload(client, auth, licence_id, data, name, role="officer", **fields):
    form = {"kind": "survey_sheet", "title": "Survey sheet of the plot", **fields}
    form["file"] = (io.BytesIO(data), name)
    return client.post(
        f"/api/licences/{licence_id}/documents",
        data=form,
        headers=auth(role),
        content_type="multipart/form-data",
    )


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(LicenceDocument))


def refused(r, field="file"):
    assert r.status_code == 422, r.get_json()
    assert r.mimetype == PROBLEM
    body = r.get_json()
    assert field in [e["field"] for e in body["errors"]], body
    return body


@pytest.mark.parametrize(
    "data,name,media",
    [(PDF, "plan.pdf", "application/pdf"), (PNG, "sheet.PNG", "image/png"),
     (JPEG, "photo.jpeg", "image/jpeg"), (JPEG, "photo.jpg", "image/jpeg")],
)  # fmt: skip
def test_each_type_is_taken_and_kept_by_checksum(
    client, auth, licence_id, store, data, name, media
):
    r = upload(client, auth, licence_id, data, name)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    sha = hashlib.sha256(data).hexdigest()
    assert body["media_type"] == media and body["sha256"] == sha and body["size"] == len(data)
    assert body["current"] is True and body["superseded_by_id"] is None
    assert body["filename"] == name and body["uploaded_by"] == "test-officer"
    assert r.headers["Location"].endswith(f"/api/licences/{licence_id}/documents/{body['id']}")
    kept = Path(store.root) / sha[:2] / sha[2:4] / sha
    assert kept.read_bytes() == data


@pytest.mark.parametrize(
    "data,name,words",
    [(PNG, "agreement.pdf", "its content is a PNG image, not a PDF"),
     (PDF, "scan.jpg", "its content is a PDF, not a JPEG image"),
     (b"MZ\x90\x00 not a document", "minutes.pdf", "not what its name says"),
     (b"%PDF-1.4 but no end", "cut.pdf", "not what its name says"),
     (PDF, "plan.docx", "only PDF, PNG and JPEG"),
     (PDF, "noextension", "only PDF, PNG and JPEG"),
     (b"", "empty.pdf", "is empty")],
)  # fmt: skip
def test_a_file_not_what_its_name_says_is_refused_and_nothing_kept(
    client, auth, licence_id, store, empty_register, data, name, words
):
    r = upload(client, auth, licence_id, data, name)
    body = refused(r)
    assert words in body["detail"], body
    assert "Nothing was stored" in body["detail"]
    assert count(empty_register) == 0
    assert not store.exists(hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize(
    "body,found",
    [(b"1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj", "/OpenAction"),
     (b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj", "/JS, /JavaScript"),
     (b"3 0 obj << /S /Launch /F (cmd.exe) >> endobj", "/Launch"),
     (b"4 0 obj << /Names << /EmbeddedFiles 5 0 R >> >> endobj", "/EmbeddedFiles"),
     (b"6 0 obj << /AA << /O 7 0 R >> >> endobj", "/AA"),
     (b"8 0 obj << /J#61vaScript 9 0 R >> endobj", "/JavaScript")],
)  # fmt: skip
def test_a_pdf_with_active_content_is_refused_saying_what_was_found(
    client, auth, licence_id, empty_register, body, found
):
    r = upload(client, auth, licence_id, pdf_with(body), "plan.pdf")
    problem = refused(r)
    assert f"active content ({found})" in problem["detail"], problem
    assert count(empty_register) == 0


def test_active_content_inside_a_compressed_object_stream_is_found():
    hidden = zlib.compress(b"10 0 << /Type /Action /S /JavaScript /JS (x) >>")
    objstm = (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(hidden)
        + hidden
        + b"\nendstream\nendobj"
    )
    assert active_content(pdf_with(objstm)) == ["JS", "JavaScript"]
    # an image stream is not opened, so its bytes cannot be mistaken for names
    image = b"7 0 obj\n<< /Subtype /Image /Length 9 >>\nstream\n/AA /JS x\nendstream\nendobj"
    assert active_content(pdf_with(image)) == []
    assert active_content(pdf_with(b"<< /JSON 1 /AAB 2 >>")) == []


def test_the_size_limit_is_checked_by_content_too():
    with pytest.raises(ValidationError) as exc:
        check_document("big.png", PNG + bytes(100), max_bytes=64)
    assert "larger than the 64 bytes" in exc.value.detail


class ZeroStream(io.RawIOBase):
    """A body of ``size`` zero bytes made as it is read (never held), counting what was read."""

    def __init__(self, size: int) -> None:
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.pos))
        buffer[:n] = bytes(n)
        self.pos += n
        self.read_bytes += n
        return n


def test_a_200_mb_upload_is_refused_unread(client, auth, licence_id, empty_register):
    size = 200 * 1024 * 1024
    stream = ZeroStream(size)
    r = client.post(
        f"/api/licences/{licence_id}/documents",
        input_stream=stream,
        headers={**auth("officer"), "Content-Type": "multipart/form-data; boundary=x",
                 "Content-Length": str(size)},
    )  # fmt: skip
    assert r.status_code == 413 and r.mimetype == PROBLEM
    assert "bytes this endpoint accepts" in r.get_json()["detail"]
    assert stream.read_bytes < 1024 * 1024
    assert count(empty_register) == 0


def test_a_file_just_past_the_limit_is_refused(app, client, auth, licence_id, empty_register):
    limit = app.extensions["cadastre"].settings.max_document_bytes
    r = upload(client, auth, licence_id, PDF + bytes(limit + 70 * 1024), "big.pdf")
    assert r.status_code == 413 and r.mimetype == PROBLEM
    assert count(empty_register) == 0


@pytest.mark.parametrize("role,status", [(None, 401), ("viewer", 403), ("finance", 403)])
def test_only_officers_and_above_upload(client, auth, licence_id, empty_register, role, status):
    r = upload(client, auth, licence_id, PDF, "plan.pdf", role=role)
    assert r.status_code == status and r.mimetype == PROBLEM
    assert count(empty_register) == 0


def test_bad_fields_are_named_and_a_json_body_is_415(client, auth, licence_id):
    r = upload(client, auth, licence_id, PDF, "plan.pdf", kind="novel", title=" ")
    fields = {e["field"] for e in refused(r, "kind")["errors"]}
    assert fields == {"kind", "title"}
    r = client.post(
        f"/api/licences/{licence_id}/documents", json={"kind": "other"}, headers=auth("officer")
    )
    assert r.status_code == 415 and r.mimetype == PROBLEM
    r = upload(client, auth, 999999, PDF, "plan.pdf")
    assert r.status_code == 404


def test_a_document_is_superseded_never_deleted(client, auth, licence_id, empty_register):
    first = upload(client, auth, licence_id, PDF, "agreement.pdf", kind="surface_rent_agreement")
    first = first.get_json()
    newer = pdf_with(b"1 0 obj << /Type /Catalog /Title (signed) >> endobj")
    r = upload(client, auth, licence_id, newer, "agreement-signed.pdf",
               kind="surface_rent_agreement", supersedes=str(first["id"]))  # fmt: skip
    assert r.status_code == 201, r.get_json()
    second = r.get_json()
    listed = client.get(f"/api/licences/{licence_id}/documents", headers=auth("viewer"))
    assert listed.status_code == 200
    docs = {d["id"]: d for d in listed.get_json()["documents"]}
    assert docs[first["id"]]["current"] is False
    assert docs[first["id"]]["superseded_by_id"] == second["id"]
    assert docs[second["id"]]["current"] is True
    # superseding it again, or a document of no such number, is refused beside the field
    again = upload(client, auth, licence_id, PNG, "x.png", supersedes=str(first["id"]))
    assert "already superseded" in refused(again, "supersedes")["detail"]
    refused(upload(client, auth, licence_id, PNG, "x.png", supersedes="77777"), "supersedes")
    refused(upload(client, auth, licence_id, PNG, "x.png", supersedes="two"), "supersedes")
    assert count(empty_register) == 2
    # the application's role may not delete a document (rights as `cadastre db upgrade` grants)
    assert grant_app_role(empty_register.connection())
    rights = empty_register.execute(
        text("SELECT has_table_privilege('cadastre_app', 'licence_documents', 'DELETE')")
    ).scalar()
    assert rights is False


def test_every_upload_is_a_history_event_carrying_the_checksum(client, auth, licence_id):
    first = upload(client, auth, licence_id, PDF, "plan.pdf").get_json()
    second = upload(client, auth, licence_id, PNG, "plan.png", supersedes=str(first["id"]))
    second = second.get_json()
    events = client.get(f"/api/licences/{licence_id}/history").get_json()["events"]
    attach, supersede = events[-2], events[-1]
    assert attach["action"] == "attach_document"
    assert attach["after"]["document"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert attach["after"]["status"] == attach["before"]["status"] == "application"
    assert supersede["action"] == "supersede_document"
    assert supersede["after"]["document"] == {
        "id": second["id"], "kind": "survey_sheet", "media_type": "image/png",
        "size": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest(),
    }  # fmt: skip
    assert supersede["after"]["supersedes"] == {"id": first["id"], "sha256": first["sha256"]}
    assert "filename" not in supersede["after"]["document"]  # the history is public


def test_the_same_content_twice_is_kept_once(client, auth, licence_id, store):
    a = upload(client, auth, licence_id, JPEG, "a.jpg").get_json()
    path = store.path(a["sha256"])
    before = path.stat()
    b = upload(client, auth, licence_id, JPEG, "b.jpg", title="Copy").get_json()
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    assert path.stat().st_mtime_ns == before.st_mtime_ns  # not rewritten
    assert [p.name for p in path.parent.iterdir()] == [a["sha256"]]


def test_download_is_an_attachment_with_the_checksum_as_etag(client, auth, licence_id, store):
    doc = upload(client, auth, licence_id, PDF, "Plan de l'été.pdf").get_json()
    r = client.get(doc["file"], headers=auth("viewer"))
    assert r.status_code == 200 and r.data == PDF
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Plan%20de%20l" in r.headers["Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["ETag"] == f'"{doc["sha256"]}"'
    again = client.get(doc["file"], headers={**auth("viewer"), "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(doc["file"]).status_code == 401
    other = doc["file"].replace("/file", "9/file")
    assert client.get(other, headers=auth("viewer")).status_code == 404


def test_a_file_lost_from_the_store_answers_503_not_a_stack(client, auth, licence_id, store):
    doc = upload(client, auth, licence_id, PNG + b"lost", "lost.png").get_json()
    path = store.path(doc["sha256"])
    path.chmod(0o644)
    path.unlink()
    r = client.get(doc["file"], headers=auth("viewer"))
    assert r.status_code == 503 and r.mimetype == PROBLEM
    assert "missing from the document store" in r.get_json()["detail"]
