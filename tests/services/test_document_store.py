"""The document store: files named by their SHA-256, written atomically, never rewritten."""

from __future__ import annotations

import hashlib

import pytest

from cadastre.services.document_store import FileStore


def test_put_names_the_file_by_checksum_and_keeps_it_once(tmp_path):
    store = FileStore(tmp_path)
    data = b"%PDF-1.4 survey sheet %%EOF"
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    path = tmp_path / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == data and store.exists(sha)
    mtime = path.stat().st_mtime_ns
    assert store.put(data) == sha and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [sha]  # no temporary file left
    with store.open(sha) as f:
        assert f.read() == data


def test_an_unknown_or_malformed_checksum_is_not_found(tmp_path):
    store = FileStore(tmp_path)
    assert not store.exists("0" * 64)
    with pytest.raises(FileNotFoundError):
        store.open("0" * 64)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")
