"""Run the refresh job in-process and summarise it for a person at a terminal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import duckdb

from orchestration.instance import cli_instance
from orchestration.settings import Paths


@dataclass
class RefreshOutcome:
    success: bool
    failures: list[str] = field(default_factory=list)
    files: list[tuple[str, str, int, int, int, str | None]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def anything_rejected(self) -> bool:
        return any(status == "rejected" or rejected for _, status, _, _, rejected, _ in self.files)

    def summary(self) -> str:
        loaded = sum(f[3] for f in self.files)
        rejected = sum(f[4] for f in self.files)
        files_rejected = sum(f[1] == "rejected" for f in self.files)
        lines = [
            f"Nya filer: {len(self.files)} ({files_rejected} avvisade hela), "
            f"rader laddade: {loaded}, rader avvisade: {rejected}"
        ]
        for name, status, _, _, _, message in self.files:
            if status == "rejected":
                lines.append(f"  AVVISAD FIL {message or name}")
        for reason, count in self.reasons.most_common():
            lines.append(f"  {count} rader: {reason}")
        if self.success:
            lines.append("Uppdateringen klar: lagret byggt, testat och publicerat.")
        else:
            lines.append("Uppdateringen MISSLYCKADES; den tidigare publicerade versionen är orörd.")
            lines.extend(f"  {failure}" for failure in self.failures)
        return "\n".join(lines)


def _last_delivery_id(paths: Paths) -> int:
    if not paths.warehouse.exists():
        return 0
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_log'"
        ).fetchone()[0]
        if not exists:
            return 0
        return con.execute("select coalesce(max(delivery_id), 0) from raw.load_log").fetchone()[0]
    finally:
        con.close()


def _deliveries_since(paths: Paths, after: int, outcome: RefreshOutcome) -> None:
    if not paths.warehouse.exists():
        return
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        outcome.files = con.execute(
            "select file_name, status, rows_read, rows_loaded, rows_rejected, message "
            "from raw.load_log where delivery_id > ? order by delivery_id",
            [after],
        ).fetchall()
        for reason, count in con.execute(
            "select reason, count(*) from raw.rejects where delivery_id > ? group by reason",
            [after],
        ).fetchall():
            outcome.reasons[reason] = count
    except duckdb.CatalogException:
        pass
    finally:
        con.close()


def run_refresh(paths: Paths) -> RefreshOutcome:
    from orchestration.project import ensure_manifest

    ensure_manifest()  # the manifest always matches the models on disk
    from orchestration.definitions import defs

    before = _last_delivery_id(paths)
    instance = cli_instance(paths.warehouse)
    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=instance, raise_on_error=False
    )
    outcome = RefreshOutcome(success=result.success)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "okänt fel"
            outcome.failures.append(f"steg {event.step_key}: {message}")
    _deliveries_since(paths, before, outcome)
    return outcome
