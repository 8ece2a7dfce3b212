"""Build the Evidence site from a published file: `npm run sources`, then `npm run build:strict`.

Both run under `timeout`, so a regression of the offline patch fails instead of hanging. The
connector joins its `filename` onto evidence/sources/kpi/, so the published file is passed as a
path relative to that folder through Evidence's EVIDENCE_SOURCE__kpi__filename override.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from orchestration.children import die_with_parent
from orchestration.settings import EVIDENCE_DIR
from orchestration.uptodate import pages_marker, publish_stamp

SOURCE_DIR = EVIDENCE_DIR / "sources" / "kpi"
STEPS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("npm", "run", "--silent", "check:patches"), 60),
    (("npm", "run", "sources", "--", "--strict"), 300),
    (("npm", "run", "build:strict"), 900),
)


class PagesBuildFailed(RuntimeError):
    pass


def build_site(publish_file: Path, evidence_dir: Path = EVIDENCE_DIR) -> dict[str, float]:
    """Rebuild evidence/build from `publish_file`; seconds per step."""
    if not (evidence_dir / "node_modules" / ".bin" / "evidence").exists():
        raise PagesBuildFailed(
            f"Evidence är inte installerat ({evidence_dir}/node_modules saknas): kör `make setup`"
        )
    env = {
        **os.environ,
        "EVIDENCE_SOURCE__kpi__filename": os.path.relpath(publish_file, SOURCE_DIR),
    }
    shutil.rmtree(evidence_dir / "build", ignore_errors=True)
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
    # which published file these pages show: a refresh with nothing new checks it (uptodate.py)
    pages_marker(evidence_dir).write_text(publish_stamp(publish_file))
    return timings
