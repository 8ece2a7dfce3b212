"""Build the Evidence site from a publish file in a copy of evidence/, and serve it.

Evidence rewrites .evidence/template and build/ in place, so every build here runs in a copy of
the project (node_modules symlinked) and never touches evidence/ itself or a build another
process is running there. Shared by the browser tests and benchmarks/site.py.

    uv run --frozen python -m tests.browser.site_build PUBLISH_FILE DEST   # build once, by hand
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.reports import stage_for_site

REPO = Path(__file__).resolve().parents[2]
EVIDENCE = REPO / "evidence"
# Generated or installed; everything else in evidence/ is copied.
NOT_COPIED = {
    "node_modules",
    "build",
    ".svelte-kit",
    ".evidence/template",
    ".evidence/meta",
    "static/data",
    "static/rapporter",
}
SOURCES_TIMEOUT_S = 300
BUILD_TIMEOUT_S = 900


class BuildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Site:
    root: Path  # the copied Evidence project
    timings: dict[str, float]  # seconds per step

    @property
    def build(self) -> Path:
        return self.root / "build"


def copy_site(dest: Path) -> Path:
    """Copies the Evidence project to dest/evidence and links its node_modules."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        rel = Path(directory).relative_to(EVIDENCE)
        return [n for n in names if (rel / n).as_posix() in NOT_COPIED]

    site = dest / "evidence"
    shutil.copytree(EVIDENCE, site, ignore=ignore)
    (site / "node_modules").symlink_to(EVIDENCE / "node_modules", target_is_directory=True)
    return site


def sources_env(site: Path, publish_file: Path) -> dict[str, str]:
    """This environment with the site's `kpi` source reading publish_file."""
    # The connector joins filename onto sources/kpi/, so the override is relative to it.
    rel = os.path.relpath(publish_file, site / "sources" / "kpi")
    return {**os.environ, "EVIDENCE_SOURCE__kpi__filename": rel}


def run_step(cmd: list[str], cwd: Path, timeout_s: int, env: dict[str, str]) -> float:
    """Runs one step of a build (its seconds); BuildFailed with the output's tail if it fails."""
    full = ["timeout", "--kill-after=10", str(timeout_s), *cmd]
    started = time.monotonic()
    proc = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    print(f"{' '.join(cmd)}: exit {proc.returncode} in {elapsed:.1f} s", flush=True)
    if proc.returncode != 0:
        why = f"timed out after {timeout_s} s" if proc.returncode == 124 else "failed"
        raise BuildFailed(
            f"`{' '.join(cmd)}` {why} (exit {proc.returncode}) in {cwd}\n"
            f"--- stdout (tail) ---\n{proc.stdout[-6000:]}\n"
            f"--- stderr (tail) ---\n{proc.stderr[-6000:]}"
        )
    return elapsed


def build_site(publish_file: Path, dest: Path) -> Site:
    """Copies evidence/ to dest and builds it (sources + build:strict) from publish_file."""
    publish_file = Path(publish_file).resolve()
    if not publish_file.is_file():
        raise BuildFailed(f"publish file missing: {publish_file}")
    if not (EVIDENCE / "node_modules" / ".bin" / "evidence").exists():
        raise BuildFailed("evidence/node_modules missing: run `npm install` in evidence/")
    site = copy_site(Path(dest))
    # the Word reports written beside the publish file (orchestration/reports.py)
    stage_for_site(publish_file, site)
    env = sources_env(site, publish_file)
    timings = {
        "check:patches": run_step(["npm", "run", "--silent", "check:patches"], site, 60, env),
        "sources": run_step(["npm", "run", "sources"], site, SOURCES_TIMEOUT_S, env),
        "build": run_step(["npm", "run", "build:strict"], site, BUILD_TIMEOUT_S, env),
    }
    return Site(site, {k: round(v, 1) for k, v in timings.items()})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(build_dir: Path, timeout_s: float = 20) -> Iterator[str]:
    """Serves build_dir on 127.0.0.1 with http.server; yields the base URL."""
    port = free_port()
    # http.server logs every request to stderr: a file, never a pipe nobody reads (it fills).
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            "--directory",
            str(build_dir),
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise BuildFailed(f"http.server exited early:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(base_url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise BuildFailed(f"http.server did not answer at {base_url}") from None
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # e.g. started with SIGTERM ignored (children.py)
            server.kill()
            server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    built = build_site(Path(sys.argv[1]), Path(sys.argv[2]))
    print(built.build, built.timings)
