"""Fault injection for the crash tests: `BISTAND_FAULT=<point>` kills the refresh at that point.

Used by tests/test_faults.py to kill a refresh with SIGKILL at moments too short to hit from
outside (the tiny profile loads in about a second, and publishing takes less). Unset — always,
outside the tests — nothing happens. Points:

- `laddning`: after the first loader committed its deliveries (the others have not run);
- `publicering`: after the new published file is written beside the old one, before the rename.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "BISTAND_FAULT"


def fault_point(point: str) -> None:
    """Die here by SIGKILL (as `kill -9` would) when BISTAND_FAULT names this point."""
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
