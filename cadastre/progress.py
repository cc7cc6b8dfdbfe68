"""Progress on the terminal for long commands (loads, imports, recomputes, exports)."""

from __future__ import annotations

import sys
import time


class Progress:
    """A one-line progress counter written to stderr, with rate and elapsed time."""

    def __init__(self, label: str, total: int | None = None, stream=None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self._last = 0.0
        self.done = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        """Report ``done`` of ``total`` items (redrawn at most ten times a second)."""
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self._last < 0.1 and done != self.total:
            return
        self._last = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.total:
            pct = 100.0 * self.done / self.total
            line = f"{self.label}: {self.done}/{self.total} ({pct:5.1f}%) {rate:,.0f}/s"
        else:
            line = f"{self.label}: {self.done} {rate:,.0f}/s"
        end = "\n" if not self.stream.isatty() else ""
        if self.stream.isatty():
            self.stream.write("\r" + line.ljust(70) + end)
        elif self.done == self.total or now - self.start > 0 and int(elapsed) % 2 == 0:
            self.stream.write(line + end)
        self.stream.flush()

    def finish(self, message: str = "") -> None:
        """Close the line with a summary."""
        elapsed = time.monotonic() - self.start
        if self.stream.isatty():
            self.stream.write("\n")
        self.stream.write(f"{self.label}: done, {self.done} in {elapsed:.1f} s. {message}\n")
        self.stream.flush()
