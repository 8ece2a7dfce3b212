"""`make ui`: Dagster's UI (`dagster dev`) on the instance the CLI records its runs in, stopped
cleanly by Ctrl-C, SIGINT or SIGTERM.

    python -m orchestration.ui [DAGSTER DEV OPTIONS, e.g. -p 3001]

The instance is the CLI's (orchestration/instance.py): `DAGSTER_HOME` when set, else
`dagster_home/` beside the warehouse (`BISTAND_WAREHOUSE`, by default `data/dagster_home`).

Stopping: `dagster dev` starts a webserver, a daemon and a code server, and maps SIGTERM to
whatever SIGINT does — nothing at all when it was started without a terminal, where SIGINT is
ignored. So it runs here in a session of its own; the first SIGINT, SIGTERM or SIGHUP sent to
this process (or, by Ctrl-C, to its process group) is passed on as SIGINT, which makes
`dagster dev` stop its services; whatever of the session still runs after `GRACE_SECONDS` is
killed. Nothing outlives `make ui`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.instance import dagster_home_for, prepare_dagster_home
from orchestration.settings import Paths

GRACE_SECONDS = 8.0
# After the grace: how long the rest of a stopped session may take to go by itself, and then,
# once killed, to be gone.
SESSION_GONE_SECONDS = 2.0
KILLED_GONE_SECONDS = 5.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def session_pids(sid: int) -> list[int]:
    """The processes of session `sid` (read from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp session ...; comm may contain spaces and parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _wait_session_gone(sid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while session_pids(sid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _kill_session(sid: int) -> None:
    for pid in session_pids(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def run_until_stopped(
    command: list[str], env: dict[str, str], grace_s: float = GRACE_SECONDS
) -> int:
    """Run command in a session of its own until it ends or a stop signal comes (then passed on
    as SIGINT); whatever of the session is left after grace_s is killed. 0 when stopped."""
    stop: list[int] = []
    # Handlers before the child starts: a signal that comes early is not lost, and the child
    # starts with SIGINT at its default even when this process inherited it ignored.
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda signum, _frame: stop.append(signum))
    child = subprocess.Popen(command, env=env, start_new_session=True)
    sid = child.pid  # a new session's id is its leader's pid
    try:
        while child.poll() is None and not stop:
            time.sleep(0.2)
        if stop:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=grace_s)
    finally:
        # Whatever of the session is left (a code server, a run worker) goes, even if this
        # process itself fails.
        if not _wait_session_gone(sid, SESSION_GONE_SECONDS if stop else 0.5):
            _kill_session(sid)
            _wait_session_gone(sid, KILLED_GONE_SECONDS)
        if child.poll() is None:
            child.wait()
    return 0 if stop else child.returncode


def main(argv: list[str]) -> int:
    home = prepare_dagster_home(dagster_home_for(Paths.from_env().warehouse))
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        # `dagster dev` recommends `dg dev`, which the pinned packages do not include (Makefile)
        "PYTHONWARNINGS": "ignore:Function `dev_command` is superseded",
    }
    return run_until_stopped([sys.executable, "-m", "dagster", "dev", *argv], env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
