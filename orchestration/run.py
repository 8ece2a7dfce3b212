"""Run the refresh job in-process and summarise it for a person at a terminal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import duckdb
from dagster import AssetCheckSeverity

from orchestration.instance import cli_instance
from orchestration.loaders.engine import Outstanding, outstanding_rejects
from orchestration.lock import WarehouseBusy, WriterLock
from orchestration.runlog import record_end
from orchestration.settings import Paths


@dataclass
class RefreshOutcome:
    success: bool
    failures: list[str] = field(default_factory=list)
    files: list[tuple[str, str, int, int, int, str | None]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    failed_checks: list[str] = field(default_factory=list)
    # Rejects of the current state, also from earlier runs (loaders/engine.py): exit 2 until a
    # corrected delivery replaces them, not only in the run that first saw them.
    outstanding: Outstanding = field(default_factory=Outstanding)
    # what the dbt build rebuilt of the month-keyed facts (orchestration/incremental.py)
    build_scope: str | None = None

    @property
    def anything_rejected(self) -> bool:
        new = any(status == "rejected" or rejected for _, status, _, _, rejected, _ in self.files)
        return new or self.outstanding.any

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
        if self.outstanding.any:
            lines.append(
                f"Utestående avvisningar (väntar på en rättad leverans): "
                f"{len(self.outstanding.files)} filer, {self.outstanding.rows} rader"
            )
            lines.extend(f"  AVVISAD FIL {message}" for message in self.outstanding.files)
            lines.extend(
                f"  {count} rader: {reason}" for reason, count in self.outstanding.reasons.items()
            )
        if self.build_scope:
            lines.append(f"Månadsfakta byggda: {self.build_scope}")
        if self.success:
            lines.append("Uppdateringen klar: lagret byggt, testat och publicerat.")
        else:
            lines.append("Uppdateringen MISSLYCKADES; den tidigare publicerade versionen är orörd.")
            lines.extend(f"  {failure}" for failure in self.failures)
            lines.extend(f"  kontroll som fallerade: {check}" for check in self.failed_checks)
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
        outcome.outstanding = outstanding_rejects(con)
    except duckdb.CatalogException:
        pass
    finally:
        con.close()


def _failed_checks(result) -> list[str]:
    """Blocking (error-severity) checks that failed, e.g. dbt tests, by asset and check name."""
    return sorted(
        f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
    )


def _close_run_log(paths: Paths, run_id: str, status: str, failed: list[str], message: str | None):
    con = duckdb.connect(str(paths.warehouse))
    try:
        record_end(con, run_id, status, failed, message)
    finally:
        con.close()


def run_refresh(
    paths: Paths, *, pages: bool = True, wait: bool = False, full_rebuild: bool = False
) -> RefreshOutcome:
    """Execute the refresh job in this process; the run log is closed with the outcome.

    `full_rebuild` rebuilds every month of the month-keyed facts, not only the changed ones.
    """
    lock = WriterLock(paths.warehouse)
    try:  # fail fast (or wait) before anything is started
        lock.acquire(wait=wait)
    except WarehouseBusy as busy:
        return RefreshOutcome(success=False, failures=[str(busy)])
    lock.release()  # the run takes it again in its resource, for its whole length

    from orchestration.project import ensure_manifest

    ensure_manifest()  # the manifest always matches the models on disk
    from orchestration.definitions import defs

    before = _last_delivery_id(paths)
    instance = cli_instance(paths.warehouse)
    job = defs.resolve_job_def("refresh" if pages else "refresh_without_pages")
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={
            "resources": {
                "warehouse": {"config": {"wait_for_lock": wait, "full_rebuild": full_rebuild}}
            },
            # the terminal gets warnings and errors; everything is in the Dagster event log
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        },
    )
    outcome = RefreshOutcome(success=result.success)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "okänt fel"
            outcome.failures.append(f"steg {event.step_key}: {message.splitlines()[0]}")
        if event.event_type_value == "RESOURCE_INIT_FAILURE":
            outcome.failures.append(event.message or "resursen kunde inte startas")
    outcome.failed_checks = _failed_checks(result)
    _deliveries_since(paths, before, outcome)
    if paths.warehouse.exists() and not any("uppdatering pågår" in f for f in outcome.failures):
        status = (
            "misslyckad"
            if not outcome.success
            else ("klar_med_avvisningar" if outcome.anything_rejected else "klar")
        )
        outcome.build_scope = _build_scope(paths, result.run_id)
        _close_run_log(
            paths, result.run_id, status, outcome.failed_checks, "; ".join(outcome.failures) or None
        )
    return outcome


def _build_scope(paths: Paths, run_id: str) -> str | None:
    """What this run's dbt build rebuilt, from the run log (None when dbt did not start)."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        has = con.execute(
            "select count(*) from information_schema.columns where table_schema = 'meta' "
            "and table_name = 'refresh_runs' and column_name = 'build_scope'"
        ).fetchone()[0]
        if not has:
            return None
        row = con.execute(
            "select build_scope from meta.refresh_runs where run_id = ?", [run_id]
        ).fetchone()
    return row[0] if row else None
