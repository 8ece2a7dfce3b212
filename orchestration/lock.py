"""One writer: an exclusive lock file beside the warehouse for the length of a refresh run.

DuckDB itself allows one writing process; this lock makes a second refresh fail at once with a
clear message (or wait, when asked) instead of failing half-way on DuckDB's file lock. The lock
is an `flock`, so the kernel releases it when the holder dies, even by SIGKILL.

Two locks are checked, in this order, before a refresh may write:

1. our `flock` on `<warehouse>.lock` (the holder's process id is written in the file);
2. DuckDB's own lock on the warehouse file, held by any process that has it open for writing —
   e.g. a `dbt build` that has not yet exited after its refresh was killed (it dies with its
   parent, orchestration/children.py, but not in the same instant). The probe opens the file
   read-only for a moment; DuckDB's error names the holder's process id.

Either one busy: `WarehouseBusy` with a Swedish message naming the holder, or with `wait` the
caller waits until both are free. The lock is re-entrant within one process: the CLI holds it
from its first look at the warehouse to the end of the run, and the run's resource (which takes
it for runs the daemon starts) only counts up.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from pathlib import Path
from typing import ClassVar

import duckdb


class WarehouseBusy(RuntimeError):
    """Another refresh holds the warehouse."""


BUSY_HINT = "försök igen senare eller använd --wait"
_DUCKDB_PID = re.compile(r"PID (\d+)")


def describe_process(pid: int) -> str:
    """`process 123 (dbt build …)`, or only the id when the command line cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    words = [w for w in raw.decode(errors="replace").split("\0") if w]
    if len(words) > 1 and Path(words[0]).name.startswith("python") and words[1].startswith("/"):
        words = words[1:]  # a console script (`bistand refresh …`), not its interpreter
    if words:
        words[0] = Path(words[0]).name
    command = " ".join(" ".join(words).split())
    return f"process {pid} ({command[:80]})" if command else f"process {pid}"


def duckdb_holder(warehouse: Path) -> str | None:
    """Who holds DuckDB's lock on `warehouse` (a description), or None when it is free."""
    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        text = str(error)
        if "lock" not in text.lower():
            raise
        found = _DUCKDB_PID.search(text)
        return describe_process(int(found.group(1))) if found else "en annan process"
    except duckdb.Error:  # e.g. open in this very process with another configuration: ours
        return None
    con.close()
    return None


def is_duckdb_lock_error(error: BaseException) -> bool:
    """DuckDB's error for a database file another process holds."""
    return isinstance(error, duckdb.IOException) and "could not set lock" in str(error).lower()


class WriterLock:
    # this process's held locks: lock path -> (file descriptor, how many holders)
    _held: ClassVar[dict[Path, tuple[int, int]]] = {}

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.path = warehouse.with_name(warehouse.name + ".lock")
        self._entered = False

    def acquire(self, wait: bool = False, poll_seconds: float = 1.0) -> None:
        held = self._held.get(self.path)
        if held is not None:  # this process holds it already
            self._held[self.path] = (held[0], held[1] + 1)
            self._entered = True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            self._take(fd, wait, poll_seconds)
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._held[self.path] = (fd, 1)
        self._entered = True

    def _take(self, fd: int, wait: bool, poll_seconds: float) -> None:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                    who = describe_process(int(holder)) if holder.isdigit() else "process ?"
                    raise WarehouseBusy(
                        f"en annan uppdatering pågår redan ({who}, lås {self.path}); {BUSY_HINT}"
                    ) from None
                time.sleep(poll_seconds)
                continue
            holder = duckdb_holder(self.warehouse)
            if holder is None:
                return
            fcntl.flock(fd, fcntl.LOCK_UN)
            if not wait:
                raise WarehouseBusy(
                    f"en annan uppdatering pågår redan: lagret {self.warehouse} hålls öppet av "
                    f"{holder}; {BUSY_HINT}"
                )
            time.sleep(poll_seconds)

    def release(self) -> None:
        if not self._entered:
            return
        self._entered = False
        fd, count = self._held[self.path]
        if count > 1:
            self._held[self.path] = (fd, count - 1)
            return
        del self._held[self.path]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
