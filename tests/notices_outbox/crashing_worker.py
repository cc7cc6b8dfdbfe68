"""A delivery worker that is killed (SIGKILL, no clean-up) at a chosen point of its run.

``python crashing_worker.py URL PORT POINT``: POINT ``claimed`` dies right after the first
batch is claimed and committed, before anything is sent; ``accepted`` dies right after the
SMTP server accepted the first message, before it is recorded sent.
"""

from __future__ import annotations

import os
import signal
import sys

from cadastre.db import session_factory
from cadastre.services.mail_delivery import Policy, SmtpSettings, deliver_due


def die(*_args) -> None:
    """Die as a killed process does: at once, nothing flushed, nothing committed."""
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    url, port, point = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    deliver_due(
        session_factory(url),
        SmtpSettings(host="127.0.0.1", port=port, sender="cadastre@registry.example.org"),
        Policy(lease_seconds=int(sys.argv[4]) if len(sys.argv) > 4 else 2),
        on_claimed=die if point == "claimed" else None,
        on_accepted=die if point == "accepted" else None,
    )
    sys.exit(3)  # not reached: the worker was to die
