"""docs/reliability.md, written by the tests themselves (not by hand).

Tests of faults, bad input, concurrent runs and disk use call `record(section, key, row)` with
what they did and measured; at the end of the session (tests/conftest.py) `write()` merges the
rows into docs/reliability.json — a row replaces the row of the same section and key, so a run
of some of the tests keeps the other rows — and renders docs/reliability.md from it. A row says
what the test asserted, in the test's own numbers.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
JSON_FILE = REPO_ROOT / "docs" / "reliability.json"
DOC_FILE = REPO_ROOT / "docs" / "reliability.md"

# section id -> (title, what it shows, column order)
SECTIONS: dict[str, tuple[str, str, list[str]]] = {
    "faults": (
        "Faults injected",
        "A refresh killed with SIGKILL (only its own process, as `kill -9 PID` does) at a point "
        "of its run. Afterwards: processes of that refresh still running, whether the published "
        "file is byte-identical to the one before, and the exit code of the next refresh and "
        "whether it published exactly what a clean refresh publishes (tests/test_faults.py).",
        [
            "killed at",
            "processes left",
            "published file untouched",
            "next refresh exit",
            "next publishes = clean run",
        ],
    ),
    "concurrent": (
        "Concurrent runs",
        "A refresh started while the warehouse is held (tests/test_faults.py).",
        ["held by", "second refresh", "exit", "took", "message"],
    ),
    "guard": (
        "Re-deliveries held by the delivery guard",
        "A re-delivery of a month through a real refresh (tests/test_faults.py) and through the "
        "loader (tests/loaders/test_guard.py).",
        ["status", "rows of the month before", "rows after", "exit"],
    ),
    "bad_input": (
        "Bad input (fuzz suite)",
        "Generated bad files and rows loaded by the loaders into a scratch DuckDB "
        "(tests/loaders/test_fuzz.py, hypothesis, derandomized). Every file accounted for: "
        "refused with a reason, or rows read = loaded + rejected; never a traceback; no "
        "personnummer in any reject line.",
        [
            "files",
            "refused",
            "loaded",
            "rows read",
            "rows loaded",
            "rows rejected",
            "tracebacks",
            "personnummer in rejects",
            "outcome",
        ],
    ),
    "disk": (
        "Disk after N runs",
        "Bytes on disk beside the warehouse after N runs: the Dagster instance (runs pruned to "
        "BISTAND_KEEP_RUNS, with their event files and compute logs), refresh logs "
        "(BISTAND_KEEP_LOGS) and dbt's one target folder, overwritten by every build (only its "
        "dbt.log grows, until dbt rotates it at 10 MB, keeping 5) (tests/test_disk.py, "
        "tests/test_faults.py).",
        [
            "runs",
            "keep",
            "dagster_home",
            "runs kept",
            "logs",
            "logs size",
            "dbt_target",
        ],
    ),
}

_rows: dict[str, dict[str, dict[str, object]]] = {}


def mb(n_bytes: int) -> str:
    """Bytes as megabytes with one decimal: stable from run to run where bytes are not."""
    return f"{n_bytes / 1e6:.1f} MB"


def within(seconds: float) -> str:
    """A duration as the bound it met (stable from run to run where seconds are not)."""
    bound = next(b for b in (1, 5, 30, 120, 600, float("inf")) if seconds < b)
    return f"< {bound:g} s" if bound != float("inf") else f"{seconds:.0f} s"


def record(section: str, key: str, row: dict[str, object]) -> None:
    """A row of a section of docs/reliability.md (`key`: stable id of the row)."""
    assert section in SECTIONS, section
    _rows.setdefault(section, {})[key] = row


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(data: dict[str, dict[str, dict[str, object]]], stamps: dict[str, str]) -> str:
    lines = [
        "# Reliability: faults, bad input, concurrent runs, disk",
        "",
        "Written by the tests (tests/reliability.py) at the end of every pytest session that ran",
        "them — do not edit by hand. Each section says when, and at which commit, its figures",
        "last changed; a test run that measures the same figures leaves this file as it is.",
        "",
    ]
    for section, (title, what, columns) in SECTIONS.items():
        rows = data.get(section)
        if not rows:
            continue
        lines += [f"## {title}", "", what, "", f"_Last changed {stamps.get(section, '?')}._", ""]
        lines.append("| " + " | ".join(["case", *columns]) + " |")
        lines.append("|" + "---|" * (len(columns) + 1))
        for key in sorted(rows):
            row = rows[key]
            lines.append(
                "| " + " | ".join([_cell(key), *(_cell(row.get(c, "")) for c in columns)]) + " |"
            )
        lines.append("")
    return "\n".join(lines)


def write() -> None:
    """Merge this session's rows into docs/reliability.json and render docs/reliability.md."""
    if not _rows:
        return
    stored: dict[str, object] = {}
    if JSON_FILE.exists():
        stored = json.loads(JSON_FILE.read_text(encoding="utf-8"))
    data: dict[str, dict[str, dict[str, object]]] = stored.get("sections", {})  # type: ignore[assignment]
    stamps: dict[str, str] = stored.get("measured", {})  # type: ignore[assignment]
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC at {_commit()}"
    for section, rows in _rows.items():
        merged = {**data.get(section, {}), **rows}
        if merged != data.get(section) or section not in stamps:
            stamps[section] = stamp  # the same figures keep the date they were first measured
        data[section] = merged
    text = json.dumps({"sections": data, "measured": stamps}, ensure_ascii=False, indent=1)
    doc = render(data, stamps)
    for path, content in ((JSON_FILE, text + "\n"), (DOC_FILE, doc)):
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
