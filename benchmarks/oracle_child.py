"""Run the pandas oracle (tests/oracle) on a landing directory in a process of its own.

    python -m benchmarks.oracle_child LANDING OUT_JSON

Writes {"import_s", "compute_s", "rows", "indicators"} to OUT_JSON; the harness measures the
process's wall time and memory from outside (benchmarks/measure.py).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(landing: Path, out: Path) -> None:
    started = time.monotonic()
    from tests.oracle import compute_indicators

    imported = time.monotonic()
    frame = compute_indicators(landing)
    done = time.monotonic()
    out.write_text(
        json.dumps(
            {
                "import_s": imported - started,
                "compute_s": done - imported,
                "rows": len(frame),
                "indicators": int(frame["indicator_code"].nunique()),
            }
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
