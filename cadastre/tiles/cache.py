"""A small in-process cache of recent tiles, keyed by tile and data fingerprint (ETag)."""

from __future__ import annotations

import gzip
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class CachedTile:
    """One tile body at one data version, with its gzip form made on first demand."""

    etag: str
    raw: bytes
    gz: bytes | None = None
    #: When the data fingerprint behind ``etag`` was last read from the database.
    checked_at: float = field(default_factory=time.monotonic)

    def gzipped(self) -> bytes:
        """The body gzip-compressed (computed once)."""
        if self.gz is None:
            self.gz = gzip.compress(self.raw, compresslevel=5, mtime=0)
        return self.gz


class TileCache:
    """LRU over (collection, z, x, y) holding the latest body and its ETag.

    ``fresh_for`` seconds after its fingerprint was read, a cached tile is trusted without
    asking the database again (0 re-checks on every request). Clients already keep tiles
    for ``Cache-Control: max-age`` (60 s), so a one-second window adds no staleness they
    could not see anyway, and it takes the database out of repeated requests under load.
    """

    def __init__(
        self,
        max_entries: int = 1024,
        max_bytes: int = 64 * 1024 * 1024,
        fresh_for: float = 1.0,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.fresh_for = fresh_for
        self._items: OrderedDict[tuple, CachedTile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedTile | None:
        """The cached tile for this position (any version), marking it recently used."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def is_fresh(self, item: CachedTile) -> bool:
        """Whether ``item``'s fingerprint is recent enough to trust without a query."""
        return time.monotonic() - item.checked_at < self.fresh_for

    def put(self, key: tuple, item: CachedTile) -> None:
        """Store (or replace) the tile at ``key``, evicting the least recently used."""
        if self.max_entries <= 0 or len(item.raw) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.raw)
            self._items[key] = item
            self._bytes += len(item.raw)
            while self._items and (
                len(self._items) > self.max_entries or self._bytes > self.max_bytes
            ):
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.raw)

    def clear(self) -> None:
        """Forget every tile."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
