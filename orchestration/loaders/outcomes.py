"""What loading one export did: per delivered file, and the export's outstanding rejects."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileOutcome:
    """One delivery: loaded (rows read = loaded + rejected), identical (an earlier loaded
    delivery's rows reused), rejected (refused whole, `message` says why) or held (stored but
    not current, guard.py; `message` says why and how to accept it)."""

    file_name: str
    status: str  # loaded | identical | rejected | held
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    delivery_id: int | None = None
    same_as_delivery_id: int | None = None


@dataclass
class Outstanding:
    """The rejects of one export that still matter (see engine.py's docstring)."""

    files: list[str] = field(default_factory=list)  # messages of refused files
    rows: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)  # messages of held re-deliveries (guard.py)

    @property
    def any(self) -> bool:
        return bool(self.files or self.rows or self.held)


@dataclass
class ExportOutcome:
    export: str
    files: list[FileOutcome] = field(default_factory=list)
    outstanding: Outstanding = field(default_factory=Outstanding)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.status == "loaded")

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files if f.status == "loaded")

    @property
    def files_rejected(self) -> int:
        return sum(f.status == "rejected" for f in self.files)

    @property
    def files_held(self) -> int:
        return sum(f.status == "held" for f in self.files)

    @property
    def warnings(self) -> dict[str, list[str]]:
        """Each distinct warning once, with the files it concerns."""
        seen: dict[str, list[str]] = {}
        for f in self.files:
            for warning in f.warnings:
                seen.setdefault(warning, []).append(f.file_name)
        return seen
