"""One writer: an exclusive lock file beside the warehouse for the length of a refresh run.

DuckDB itself allows one writing process; this lock makes a second refresh fail at once with a
clear message (or wait, when asked) instead of failing half-way on DuckDB's file lock. The lock
is an `flock`, so the kernel releases it when the holder dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another refresh holds the warehouse."""


class WriterLock:
    def __init__(self, warehouse: Path) -> None:
        self.path = warehouse.with_name(warehouse.name + ".lock")
        self._fd: int | None = None

    def acquire(self, wait: bool = False, poll_seconds: float = 1.0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                    os.close(fd)
                    raise WarehouseBusy(
                        f"en annan uppdatering pågår redan (process {holder}, lås {self.path}); "
                        "försök igen senare eller använd --wait"
                    ) from None
                time.sleep(poll_seconds)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
