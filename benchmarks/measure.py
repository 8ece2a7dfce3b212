"""Run one command as a fresh child process and measure it: wall time, CPU time and peak memory.

Two memory figures, both for the whole process tree the command starts (`bistand refresh` runs
the loaders and DuckDB in its own process and starts `dbt build` as a child, which runs DuckDB
again in-process):

- `max_rss_single`: the exact peak RSS of the largest single process of the tree — `ru_maxrss`
  of `wait4()` on the child, which the kernel keeps as the maximum over the child and every
  descendant it waited for;
- `tree_peak`: the peak of the *sum* of RSS over all live processes of the tree, sampled from
  /proc every `interval` (0.5) seconds (can miss a spike shorter than the interval; shared pages
  are counted once per process).

`peak_rss` is the larger of the two, the figure the targets are checked against. Peaks per
process (labelled `bistand refresh`, `dbt build`, …) show where the memory is.

Processes of the command's process group still running when it exits (an orphaned child) are
stopped and listed in `left_behind`: they would hold the warehouse and skew the next step.

A tree that runs past `timeout_s` or whose sampled RSS exceeds `rss_cap` is stopped (SIGTERM to
its process group, SIGKILL 10 s later) — the machine is shared — and the result says why.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
HEARTBEAT_S = 60.0
SAMPLE_INTERVAL_S = 0.5
LEFTOVER_GRACE_S = 3.0


@dataclass
class Measured:
    command: list[str]
    started_at: float  # epoch seconds
    wall_s: float
    exit_code: int | None  # None when stopped by the harness
    cpu_user_s: float
    cpu_sys_s: float
    max_rss_single: int  # bytes
    tree_peak: int  # bytes
    peaks_by_process: dict[str, int] = field(default_factory=dict)  # bytes per label
    aborted: str | None = None
    log_file: str | None = None
    interval_s: float = SAMPLE_INTERVAL_S
    left_behind: list[str] = field(default_factory=list)  # still running after it exited: stopped

    @property
    def peak_rss(self) -> int:
        return max(self.max_rss_single, self.tree_peak)

    @property
    def ok(self) -> bool:
        return self.aborted is None and self.exit_code in (0, 2)

    def to_dict(self) -> dict:
        return {**asdict(self), "peak_rss": self.peak_rss}


def group_members(pgid: int) -> list[int]:
    """Live processes of the process group `pgid` (the measured command's own session)."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split(maxsplit=3)
        if int(fields[2]) == pgid and fields[0] != b"Z":
            members.append(int(entry.name))
    return members


def stop_leftovers(pgid: int) -> list[str]:
    """Stops what the command left running after it exited (e.g. an orphaned `dbt build`
    still holding the warehouse); their labels, for the report."""
    # a few seconds' grace: helpers such as multiprocessing's resource tracker (`python -c`)
    # exit by themselves once their parent is gone
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [found[1] for pid in group_members(pgid) if (found := _rss_and_label(pid))]
    if not left:
        return []
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    _signal_group(pgid, signal.SIGKILL)
    return sorted(left)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may contain spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2 :].split(maxsplit=2)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_pids(root: int) -> list[int]:
    """root and all its live descendants."""
    children = _children_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def process_label(cmdline: Sequence[str]) -> str:
    """A short name for a process: `bistand refresh`, `dbt build`, `benchmarks.oracle_child`."""
    args = [a for a in cmdline if a]
    if not args:
        return "?"
    if Path(args[0]).name.startswith("python") and len(args) > 1:
        args = args[1:]
        while args and args[0].startswith("-") and args[0] not in ("-m", "-c"):
            args = args[1:]  # interpreter flags such as -u
        if args and args[0] == "-m" and len(args) > 1:
            return args[1]
        if args and args[0] == "-c":
            return "python -c"
    if not args:
        return "python"
    name = Path(args[0]).name
    if len(args) > 1 and "/" not in args[1] and not args[1].isdigit():
        return f"{name} {args[1]}"
    return name


def _rss_and_label(pid: int) -> tuple[int, str] | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            resident = int(handle.read().split()[1]) * PAGE_SIZE
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read().decode(errors="replace").split("\0")
    except (OSError, IndexError, ValueError):
        return None
    if not any(cmdline):
        return None  # a zombie or a kernel thread: nothing resident to count
    return resident, process_label(cmdline)


class _Sampler(threading.Thread):
    """Samples the tree's RSS until stopped; stops the tree past the time limit or RSS cap."""

    def __init__(self, root: int, interval: float, timeout_s, rss_cap, progress) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.timeout_s, self.rss_cap, self.progress = timeout_s, rss_cap, progress
        self.done = threading.Event()
        self.tree_peak = 0
        self.peaks: dict[str, int] = {}
        self.aborted: str | None = None

    def sample(self) -> int:
        total = 0
        sample: dict[str, int] = {}
        for member in tree_pids(self.root):
            found = _rss_and_label(member)
            if found:
                total += found[0]
                sample[found[1]] = sample.get(found[1], 0) + found[0]
        self.tree_peak = max(self.tree_peak, total)
        for label, rss in sample.items():
            self.peaks[label] = max(self.peaks.get(label, 0), rss)
        return total

    def run(self) -> None:
        t0 = time.monotonic()
        next_beat = t0 + HEARTBEAT_S
        kill_at: float | None = None
        while not self.done.is_set():
            total = self.sample()
            now = time.monotonic()
            if self.aborted is None:
                if self.timeout_s is not None and now - t0 > self.timeout_s:
                    self.aborted = f"stopped after the time limit of {self.timeout_s:.0f} s"
                elif self.rss_cap is not None and total > self.rss_cap:
                    self.aborted = (
                        f"stopped at {total / 1e9:.1f} GB RSS (cap {self.rss_cap / 1e9:.1f} GB)"
                    )
                if self.aborted and not self.done.is_set():
                    _signal_group(self.root, signal.SIGTERM)
                    kill_at = now + 10
            elif kill_at is not None and now >= kill_at and not self.done.is_set():
                _signal_group(self.root, signal.SIGKILL)
                kill_at = None
            if self.progress and now >= next_beat:
                self.progress(f"… {now - t0:.0f} s, RSS of the tree now {total / 1e9:.2f} GB")
                next_beat = now + HEARTBEAT_S
            self.done.wait(self.interval)


def run_measured(
    command: Sequence[str | os.PathLike],
    *,
    log_file: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = SAMPLE_INTERVAL_S,
    timeout_s: float | None = None,
    rss_cap: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Measured:
    """Run `command` (output to log_file) and measure it; see the module docstring.

    The wall time ends when the blocking wait4() returns; a thread samples the memory.
    """
    cmd = [str(c) for c in command]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:
        started_at = time.time()
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        sampler = _Sampler(proc.pid, interval, timeout_s, rss_cap, progress)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - t0
        except BaseException:
            sampler.done.set()
            _signal_group(proc.pid, signal.SIGTERM)
            time.sleep(2)
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            sampler.done.set()
        sampler.join()
    left_behind = stop_leftovers(proc.pid)
    exit_code = os.waitstatus_to_exitcode(status)
    proc.returncode = exit_code  # reaped here: keep Popen from waiting again
    return Measured(
        command=cmd,
        started_at=started_at,
        wall_s=wall,
        exit_code=None if sampler.aborted else exit_code,
        cpu_user_s=usage.ru_utime,
        cpu_sys_s=usage.ru_stime,
        max_rss_single=usage.ru_maxrss * 1024,  # Linux: kilobytes
        tree_peak=sampler.tree_peak,
        peaks_by_process=dict(sorted(sampler.peaks.items(), key=lambda kv: -kv[1])),
        aborted=sampler.aborted,
        log_file=str(log_file),
        interval_s=interval,
        left_behind=left_behind,
    )


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    """Signal the process group started for the command (its own session: nothing else)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
