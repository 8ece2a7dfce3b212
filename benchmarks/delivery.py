"""Landing directories: what one more month of deliveries adds, and counting rows.

The incremental benchmark generates the profile up to month M-1 (landing A) and up to M (landing
B) with the same seed, and delivers into A every file of B that is new or whose bytes differ — the
new month, re-delivered (corrected) earlier months and new snapshots — as a source system would.
"""

from __future__ import annotations

import filecmp
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

_EXPORT = re.compile(r"^(?P<export>.+?)_\d{4}(-\d{2}){0,2}")


def export_of(file_name: str) -> str:
    """`utbetalningar_2024-03.csv` → `utbetalningar`; names without a date → the stem."""
    match = _EXPORT.match(file_name)
    return match.group("export") if match else Path(file_name).stem


def count_rows(path: Path) -> int:
    """Data rows of a CSV export: lines after the header (the contract has no quoted newlines)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1  # no newline after the last line
    return max(lines - 1, 0)


@dataclass
class DeliveryDiff:
    new: list[str] = field(default_factory=list)  # in B only
    changed: list[str] = field(default_factory=list)  # in both, bytes differ
    same: list[str] = field(default_factory=list)  # in both, byte-identical
    only_in_a: list[str] = field(default_factory=list)  # no longer delivered (stays in A)

    @property
    def delivered(self) -> list[str]:
        return sorted(self.new + self.changed)

    def to_dict(self) -> dict:
        return asdict(self)


def diff_landings(a: Path, b: Path) -> DeliveryDiff:
    names_a = {p.name for p in a.iterdir() if p.is_file()}
    names_b = {p.name for p in b.iterdir() if p.is_file()}
    diff = DeliveryDiff(new=sorted(names_b - names_a), only_in_a=sorted(names_a - names_b))
    for name in sorted(names_a & names_b):
        same = filecmp.cmp(a / name, b / name, shallow=False)
        (diff.same if same else diff.changed).append(name)
    return diff


def deliver(diff: DeliveryDiff, source: Path, landing: Path) -> dict:
    """Copy the new and changed files of `source` into `landing` (modification time: now).

    Returns what was delivered: files and rows per export, and in total.
    """
    per_export: dict[str, dict] = {}
    for name in diff.delivered:
        target = landing / name
        target.unlink(missing_ok=True)  # a new inode: never write through to another copy
        shutil.copyfile(source / name, target)
        entry = per_export.setdefault(
            export_of(name), {"new": 0, "changed": 0, "rows": 0, "bytes": 0}
        )
        entry["new" if name in diff.new else "changed"] += 1
        entry["rows"] += count_rows(target)
        entry["bytes"] += target.stat().st_size
    return {
        "files_new": len(diff.new),
        "files_changed": len(diff.changed),
        "files_same": len(diff.same),
        "files_only_in_previous": len(diff.only_in_a),
        "rows": sum(e["rows"] for e in per_export.values()),
        "bytes": sum(e["bytes"] for e in per_export.values()),
        "per_export": dict(sorted(per_export.items())),
        "files": diff.delivered,
    }


def landing_summary(landing: Path) -> dict:
    files = sorted(p for p in landing.iterdir() if p.is_file())
    return {
        "files": len(files),
        "rows": sum(count_rows(p) for p in files),
        "bytes": sum(p.stat().st_size for p in files),
    }
