"""Where the files of documents on file are kept: by checksum, outside the database.

One small interface (``put``, ``open``, ``exists``); the filesystem by default. A file's
path comes from its SHA-256 (``ab/cd/abcd…``), so a record's file cannot change under it:
other bytes would have another name. Writing is atomic (a temporary file in the same
directory, then a rename) and a file already there is never rewritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DocumentStore(Protocol):
    """What the register needs of a store of files."""

    def put(self, data: bytes) -> str:
        """Keep ``data``; its SHA-256 (hex), by which it is found again."""

    def open(self, sha256: str) -> BinaryIO:
        """The kept file, for reading (FileNotFoundError when it is not there)."""

    def exists(self, sha256: str) -> bool:
        """Whether the file is kept."""


class FileStore:
    """Files under a directory, named by content: ``<root>/ab/cd/abcd…``."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where a checksum's file lives (ValueError for anything but 64 hex digits)."""
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 checksum: {sha256[:70]!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Keep ``data`` under its checksum (atomically; kept already: left as it is)."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

    def open(self, sha256: str) -> BinaryIO:
        """The kept file, for reading (FileNotFoundError when it is not there)."""
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        """Whether the file is kept."""
        return self.path(sha256).is_file()
