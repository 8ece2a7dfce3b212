"""Build the Evidence site from a published file: `npm run sources`, then `npm run build:strict`.

Both run under `timeout`, so a regression of the offline patch fails instead of hanging. The
connector joins its `filename` onto evidence/sources/kpi/, so the published file is passed as a
path relative to that folder through Evidence's EVIDENCE_SOURCE__kpi__filename override.

The pages stay as they were until a build has succeeded: Evidence builds into
`.evidence/template/build` and copies that over `build/` only when it succeeded, so `build/` is
not emptied beforehand; afterwards what the new build does not have (an older build's files) is
removed from it. A refresh killed while the pages build leaves the previous pages (and the build
dies with it: orchestration/children.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from orchestration.children import die_with_parent
from orchestration.reports import stage_for_site
from orchestration.settings import evidence_dir as default_evidence_dir
from orchestration.uptodate import PAGES_MARKER, pages_marker, publish_stamp

STEPS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("npm", "run", "--silent", "check:patches"), 60),
    (("npm", "run", "sources", "--", "--strict"), 300),
    (("npm", "run", "build:strict"), 900),
)


class PagesBuildFailed(RuntimeError):
    pass


def build_site(publish_file: Path, evidence_dir: Path | None = None) -> dict[str, float]:
    """Rebuild evidence/build (or $BISTAND_EVIDENCE_DIR's build) from `publish_file`; seconds
    per step."""
    evidence_dir = evidence_dir or default_evidence_dir()
    if not (evidence_dir / "node_modules" / ".bin" / "evidence").exists():
        raise PagesBuildFailed(
            f"Evidence är inte installerat ({evidence_dir}/node_modules saknas): kör `make setup`"
        )
    env = {
        **os.environ,
        "EVIDENCE_SOURCE__kpi__filename": os.path.relpath(
            publish_file, evidence_dir / "sources" / "kpi"
        ),
    }
    fresh = evidence_dir / ".evidence" / "template" / "build"
    shutil.rmtree(fresh, ignore_errors=True)  # so that only this build's files are there
    # the Word reports beside the published file, served as /rapporter/ (orchestration/reports.py)
    stage_for_site(publish_file, evidence_dir)
    timings: dict[str, float] = {}
    for command, timeout_s in STEPS:
        started = time.monotonic()
        proc = subprocess.run(
            ["timeout", "--kill-after=10", str(timeout_s), *command],
            cwd=evidence_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            # `timeout` passes SIGTERM to npm and node when the refresh dies (children.py)
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
        name = " ".join(command)
        timings[name] = round(time.monotonic() - started, 1)
        if proc.returncode != 0:
            why = "tidsgränsen nåddes" if proc.returncode == 124 else f"slutkod {proc.returncode}"
            raise PagesBuildFailed(
                f"`{name}` misslyckades ({why}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
    remove_stale(evidence_dir / "build", fresh)
    # which published file these pages show: a refresh with nothing new checks it (uptodate.py)
    pages_marker(evidence_dir).write_text(publish_stamp(publish_file))
    return timings


def remove_stale(build: Path, fresh: Path) -> int:
    """Remove from `build` what the fresh build output `fresh` does not have; how many files."""
    if not fresh.is_dir():  # nothing to compare with: leave the pages as they are
        return 0
    wanted = {p.relative_to(fresh) for p in fresh.rglob("*")}
    removed = 0
    for path in sorted(build.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = path.relative_to(build)
        if relative in wanted or relative.name == PAGES_MARKER:
            continue
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        else:
            path.unlink()
            removed += 1
    return removed


if __name__ == "__main__":  # `make pages`: the same build as a refresh's pages step
    import sys

    try:
        seconds = build_site(Path(sys.argv[1]).resolve())
    except PagesBuildFailed as err:
        sys.exit(f"Sidorna byggdes inte: {err}")
    steps = ", ".join(f"{step} {f'{s:.1f}'.replace('.', ',')} s" for step, s in seconds.items())
    print(f"Sidorna byggda: {steps}")
