"""JSON endpoints take far smaller bodies than uploads, refused (413) before they are read."""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from conftest import serving

from cadastre.api.licences import MAX_AVAILABILITY_BODY
from cadastre.http_errors import MAX_JSON_BODY

MB = 1024 * 1024


def padded(size: int) -> bytes:
    """A JSON object of about ``size`` bytes."""
    return json.dumps({"district": "x" * size}).encode()


def assert_too_large(r, limit: int):
    assert r.status_code == 413, r.get_data()[:200]
    assert r.mimetype == "application/problem+json"
    assert f"{limit:,} bytes" in r.get_json()["detail"]


def test_anonymous_availability_takes_a_small_body(client):
    r = client.post("/api/availability", data=padded(MAX_AVAILABILITY_BODY),
                    content_type="application/json")
    assert_too_large(r, MAX_AVAILABILITY_BODY)
    r = client.post("/api/availability", data=padded(MAX_AVAILABILITY_BODY - 100),
                    content_type="application/json")
    assert r.status_code == 422  # read, then refused for what it says


def test_officers_json_bodies_stop_at_two_mebibytes(client, auth, company):
    r = client.post("/api/licences", data=padded(MAX_JSON_BODY), content_type="application/json",
                    headers=auth("officer"))
    assert_too_large(r, MAX_JSON_BODY)
    r = client.post("/api/licences", data=padded(MB), content_type="application/json",
                    headers=auth("officer"))
    assert r.status_code == 422


def test_uploads_keep_their_larger_limit(client):
    for url in ("/licences/new", "/licences/check", "/admin/import/"):
        files = {"file": (io.BytesIO(b" " * (3 * MB)), "area.geojson")}
        r = client.post(url, data=files, content_type="multipart/form-data")
        assert r.status_code != 413, url


def test_a_chunked_body_is_cut_at_the_limit(app):
    def chunks():
        yield b'{"district": "'
        for _ in range(4):
            yield b"x" * MAX_AVAILABILITY_BODY
        yield b'"}'

    with serving(app) as url:
        r = requests.post(url + "/api/availability", data=chunks(),
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413
    assert r.headers["Content-Type"].startswith("application/problem+json")


def _rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _post_huge(url: str, size: int, statuses: list) -> None:
    """POST ``size`` bytes declared up front, as a client streaming an upload would."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/availability HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # an allowed host
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {size}\r\nConnection: close\r\n\r\n".encode()
        )
        chunk = memoryview(b'{"geometry": "' + b"x" * (MB - 14))  # sent again, never copied
        sent = 0
        try:
            while sent < size:
                sock.sendall(chunk[: size - sent])
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed without reading the rest
        reply = b""
        try:
            while b"\r\n" not in reply:
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
        except OSError:
            pass
    statuses.append(reply.split(b"\r\n", 1)[0])


@pytest.mark.parametrize("size", [60 * MB])
def test_two_huge_anonymous_bodies_do_not_grow_memory(app, size):
    statuses: list = []
    peak = [0]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.005)

    with serving(app) as url:
        _post_huge(url, MB, [])  # the first request's imports and caches are not the body's
        base = _rss()
        watcher = threading.Thread(target=watch)
        watcher.start()
        posts = [threading.Thread(target=_post_huge, args=(url, size, statuses)) for _ in range(2)]
        for t in posts:
            t.start()
        for t in posts:
            t.join(timeout=120)
        done.set()
        watcher.join()
    assert all(b" 413 " in s for s in statuses), statuses
    # reading one body would cost 60 MB, parsing it more (about 260 MB grew before the limit)
    assert peak[0] - base < size, f"memory grew by {(peak[0] - base) / MB:.0f} MB"


@pytest.mark.parametrize("url", ["/login", "/logout", "/holders/new", "/admin/users"])
def test_page_forms_take_small_bodies_not_the_uploads_limit(client, url):
    # anyone can POST to the sign-in page: its form must not be read up to 64 MiB
    body = b"username=" + b"x" * (3 * MB)
    r = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413, (url, r.status_code)
