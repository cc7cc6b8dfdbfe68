"""Downloads produced whole before the first byte is sent.

A streamed download that fails part-way (a lost connection, a statement cancelled) has
already sent ``200 OK``: the client keeps a truncated file that looks complete. Here the
pieces are written to a temporary file first (memory up to ``IN_MEMORY``, then disk, so a
large export is still never held whole in memory) and sent only once all are written, so a
failure is the request's error status, and no partial file is ever sent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable

from flask import send_file

IN_MEMORY = 8 * 1024 * 1024


def complete_download(pieces: Callable[[], Iterable[str]], mimetype: str, filename: str,
                      headers: dict[str, str] | None = None):
    """A response with every text piece of ``pieces()`` in it, made before anything is sent."""
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - closed by send_file
    try:
        for piece in pieces():
            spool.write(piece.encode("utf-8"))
        spool.seek(0)
        response = send_file(spool, mimetype=mimetype, as_attachment=True,
                             download_name=filename, max_age=0, conditional=False)
    except BaseException:
        spool.close()
        raise
    # quoted, as the streamed downloads always wrote it (the training workspace renames it)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers.update(headers or {})
    return response
