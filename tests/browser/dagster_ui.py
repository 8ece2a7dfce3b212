"""Start `make ui` as a user would, find every process it started, and stop it by a signal.

Used by tests/browser/test_dagster_ui.py. The processes are read from /proc (no psutil in the
environment): a process is identified by its pid and start time, so a reused pid never counts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.browser.site_build import free_port

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120


class UiFailed(RuntimeError):
    pass


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(root: int) -> set[tuple[int, int]]:
    """(pid, start time) of root and every living process below it."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[0] != "Z":
            children.setdefault(stat[1], []).append(int(entry.name))
            starts[int(entry.name)] = stat[2]
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in starts:
            found.add((pid, starts[pid]))
        todo.extend(children.get(pid, []))
    return found


def alive(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of processes that still run (zombies are dead)."""
    return {
        (pid, start)
        for pid, start in processes
        if (stat := _stat(pid)) is not None and stat[0] != "Z" and stat[2] == start
    }


@dataclass
class Ui:
    process: subprocess.Popen
    base_url: str
    log: IO[str]
    seen: set[tuple[int, int]] = field(default_factory=set)
    startup_s: float = 0.0  # until the UI answered

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self, signum: int, timeout_s: float) -> tuple[float, set[tuple[int, int]]]:
        """Send signum to the process group of `make ui` (as Ctrl-C does); the seconds until
        every process it started was gone, and those still running after timeout_s."""
        self.seen |= descendants(self.process.pid)
        started = time.monotonic()
        os.killpg(self.process.pid, signum)
        deadline = started + timeout_s
        while alive(self.seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.process.poll()
        return time.monotonic() - started, alive(self.seen)

    def kill(self) -> None:
        """The last resort of a failed test: nothing may keep running."""
        for pid, _ in alive(self.seen | descendants(self.process.pid)):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def _ignore_sigint() -> None:
    # as for a command started in the background of a script, without a terminal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def make_ui(warehouse: Path, landing: Path, log: IO[str]) -> Iterator[Ui]:
    """`make ui` for this warehouse and landing directory on a free port, in a session of its
    own and with SIGINT ignored; yields once the UI answers. Killed at the end if still up."""
    port = free_port()
    # as from a user's shell: without the project's venv in front (`make test` runs pytest under
    # `uv run`, whose PATH would make the Makefile's python3 the venv's, which has no uv)
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part != venv_bin
    )
    process = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "ui",
            f"WAREHOUSE={warehouse}",
            f"LANDING={landing}",
            f"UI_PORT={port}",
        ],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_ignore_sigint,
    )
    ui = Ui(process, f"http://127.0.0.1:{port}", log)
    started = time.monotonic()
    try:
        deadline = started + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise UiFailed(f"make ui ended early (exit {process.returncode}):\n{ui.output()}")
            try:
                with urllib.request.urlopen(f"{ui.base_url}/server_info", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise UiFailed(f"no answer at {ui.base_url}:\n{ui.output()}") from None
                ui.seen |= descendants(process.pid)
                time.sleep(0.5)
        ui.seen |= descendants(process.pid)
        ui.startup_s = time.monotonic() - started
        yield ui
    finally:
        if process.poll() is None or alive(ui.seen):
            ui.kill()
