"""Child processes of a refresh die with it: no `dbt build` or page build outlives its refresh.

A refresh killed by SIGKILL cannot clean up, and the kernel releases its writer lock at once
(orchestration/lock.py). A child still running would go on writing the warehouse (dbt) or the
pages (Evidence) unlocked. So every child is started with Linux's parent-death signal
(`prctl(PR_SET_PDEATHSIG)`, set in the child between fork and exec, kept across exec): when the
refresh dies, however, the kernel signals the child.

- `dbt build` gets SIGKILL: it writes the warehouse only inside DuckDB transactions, so the
  next build starts from a consistent file (and after a killed build dbt rebuilds every table).
- The page build runs under `timeout` and gets SIGTERM: `timeout` passes it on to its whole
  process group (npm, node) and sends SIGKILL 10 s later (`--kill-after`).

If the parent died before the child set the signal, the child is re-parented already: it
checks and ends itself. The signal is sent when the *thread* that started the child ends; the
refresh starts its children from the thread that runs the job, which ends only with the run.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A `preexec_fn` for subprocess: the child gets `sig` when this process dies."""
    parent = os.getpid()
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent is gone already
            os.kill(os.getpid(), sig)

    return preexec


@contextmanager
def sigterm_kept() -> Iterator[None]:
    """SIGTERM as it was before the block, again after it.

    Dagster maps SIGTERM to SIGINT's handler whenever it swaps its interrupt handlers around a
    run or a step (dagster/_utils/interrupts.py) and leaves it so afterwards. Where SIGINT is
    ignored — a job started without a terminal, as by cron or CI — SIGTERM is then ignored too,
    and every process started after that inherits it: `kill` no longer stops them (SIGKILL
    does, 10 s later in the page build's `timeout`). Measured in the test session, whose Dagster
    runs in-process left it so: a child stopped by SIGTERM took 11 s instead of 1 s."""
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        if before is not None and signal.getsignal(signal.SIGTERM) != before:
            signal.signal(signal.SIGTERM, before)
