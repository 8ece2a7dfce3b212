"""Run the refresh job in-process and summarise it for a person at a terminal.

The terminal gets one line per step (orchestration/progress.py) and a Swedish summary; everything
else — dbt's log, Dagster's events, warnings — goes to a log file per refresh
(`logs/refresh-<time>.log` beside the warehouse; the newest `BISTAND_KEEP_LOGS`, default
`KEEP_LOGS`, are kept), whose path the
summary names. `verbose` shows the same lines live.

A refresh with nothing new never gets here: the CLI stops early (orchestration/uptodate.py).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import duckdb

from orchestration import dbt_warm
from orchestration.children import sigterm_kept
from orchestration.loaders.engine import Outstanding, outstanding_rejects
from orchestration.loaders.literals import literal, text
from orchestration.lock import WarehouseBusy, WriterLock
from orchestration.numbers import seconds, thousands
from orchestration.settings import Paths

if TYPE_CHECKING:
    from dagster import DagsterEvent

KEEP_LOGS = 30
KEEP_LOGS_ENV = "BISTAND_KEEP_LOGS"


def keep_logs() -> int:
    """How many refresh logs are kept: BISTAND_KEEP_LOGS, else KEEP_LOGS (at least 1)."""
    raw = os.environ.get(KEEP_LOGS_ENV, "").strip()
    return max(1, int(raw)) if raw.isdigit() else KEEP_LOGS


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
    # only the pages were built (the warehouse and the published file were current)
    pages_only: bool = False
    seconds: float = 0.0
    log_file: Path | None = None

    @property
    def anything_rejected(self) -> bool:
        new = any(
            status in ("rejected", "held") or rejected
            for _, status, _, _, rejected, _ in self.files
        )
        return new or self.outstanding.any

    def summary(self) -> str:
        loaded = sum(f[3] for f in self.files if f[1] != "held")
        rejected = sum(f[4] for f in self.files if f[1] != "held")
        files_rejected = sum(f[1] == "rejected" for f in self.files)
        files_held = sum(f[1] == "held" for f in self.files)
        lines = [
            f"Nya filer: {thousands(len(self.files))} ({files_rejected} avvisade hela"
            + (f", {files_held} hållna" if files_held else "")
            + f"), rader laddade: {thousands(loaded)}, rader avvisade: {thousands(rejected)}"
        ]
        for name, status, _, _, _, message in self.files:
            if status == "rejected":
                lines.append(f"  AVVISAD FIL {message or name}")
            elif status == "held":
                lines.append(f"  HÅLLEN FIL {message or name}")
        for reason, count in self.reasons.most_common():
            lines.append(f"  {count} rader: {reason}")
        if self.outstanding.held:
            lines.append(
                f"Hållna leveranser (nuvarande leverans gäller tills `bistand accept FIL`): "
                f"{len(self.outstanding.held)} filer"
            )
            lines.extend(f"  HÅLLEN FIL {message}" for message in self.outstanding.held)
        if self.outstanding.files or self.outstanding.rows:
            lines.append(
                f"Utestående avvisningar (väntar på en rättad leverans): "
                f"{len(self.outstanding.files)} filer, {thousands(self.outstanding.rows)} rader"
            )
            lines.extend(f"  AVVISAD FIL {message}" for message in self.outstanding.files)
            lines.extend(
                f"  {count} rader: {reason}" for reason, count in self.outstanding.reasons.items()
            )
        if self.build_scope:
            lines.append(f"Månadsfakta byggda: {self.build_scope}")
        if self.success and self.pages_only:
            lines.append(
                f"Uppdateringen klar på {seconds(self.seconds)}: sidorna byggda från det "
                "publicerade (lagret och det publicerade var aktuella)."
            )
        elif self.success:
            lines.append(
                f"Uppdateringen klar på {seconds(self.seconds)}: lagret byggt, testat och "
                "publicerat."
            )
        else:
            lines.append("Uppdateringen MISSLYCKADES; den tidigare publicerade versionen är orörd.")
            lines.extend(f"  {failure}" for failure in self.failures)
            lines.extend(f"  kontroll som fallerade: {check}" for check in self.failed_checks)
        if self.log_file:
            lines.append(f"Hela loggen: {self.log_file}")
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


def _deliveries_since(con: duckdb.DuckDBPyConnection, after: int, outcome: RefreshOutcome) -> None:
    try:
        outcome.files = con.execute(
            "select file_name, status, rows_read, rows_loaded, rows_rejected, message "
            f"from raw.load_log where delivery_id > {literal(after)} order by delivery_id"
        ).fetchall()
        for reason, count in con.execute(
            f"select reason, count(*) from raw.rejects where delivery_id > {literal(after)} "
            "group by reason"
        ).fetchall():
            outcome.reasons[reason] = count
        outcome.outstanding = outstanding_rejects(con)
    except duckdb.CatalogException:
        pass


def outcome_of_run(success: bool, events: Iterable[DagsterEvent]) -> RefreshOutcome:
    """A finished run's outcome from its Dagster events: the failed steps, and the blocking
    (error-severity) checks that failed, e.g. dbt tests, by asset and check name. Shared by the
    CLI and the run-status sensors (orchestration/sensors.py)."""
    from dagster import AssetCheckSeverity, DagsterEventType

    outcome = RefreshOutcome(success=success)
    failed_checks = []
    for event in events:
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "okänt fel"
            outcome.failures.append(f"steg {event.step_key}: {message.splitlines()[0]}")
        if event.is_step_skipped:
            # e.g. the publish step when a model it waits for was not built: nothing published
            outcome.success = False
            outcome.failures.append(
                f"steg {event.step_key} kördes inte (något det väntar på byggdes inte)"
            )
        if event.event_type_value == "RESOURCE_INIT_FAILURE":
            outcome.failures.append(event.message or "resursen kunde inte startas")
        if event.event_type_value == DagsterEventType.ASSET_CHECK_EVALUATION.value:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
                failed_checks.append(
                    f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
                )
    outcome.failed_checks = sorted(failed_checks)
    return outcome


def log_file_for(paths: Paths, started: datetime) -> Path:
    """A new log file beside the warehouse; the oldest beyond keep_logs() are removed."""
    folder = paths.warehouse.parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    keep = keep_logs()
    existing = sorted(folder.glob("refresh-*.log"))
    for old in existing[: max(0, len(existing) - (keep - 1))]:
        old.unlink(missing_ok=True)
    path = folder / f"refresh-{started:%Y%m%d-%H%M%S}.log"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"refresh-{started:%Y%m%d-%H%M%S}-{n}.log"
    return path


@contextmanager
def output_to(log_file: Path, *, verbose: bool) -> Iterator[TextIO]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so the dbt child's too)
    to `log_file` for the block; yields a stream to the terminal. `verbose` copies every line to
    the terminal as well."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = open(os.dup(saved_out), "w", buffering=1, encoding="utf-8", closefd=True)  # noqa: SIM115
    log = open(log_file, "ab", buffering=0)  # noqa: SIM115
    copier: threading.Thread | None = None
    if verbose:
        read_end, write_end = os.pipe()

        def copy() -> None:
            with open(read_end, "rb", buffering=0) as pipe:
                for chunk in iter(lambda: pipe.read(65536), b""):
                    log.write(chunk)
                    os.write(saved_err, chunk)

        copier = threading.Thread(target=copy, name="bistand-log-tee", daemon=True)
        copier.start()
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        os.close(write_end)
    else:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        if copier is not None:
            copier.join(timeout=10)
        os.close(saved_out)
        os.close(saved_err)
        terminal.close()
        log.close()


def run_refresh(
    paths: Paths,
    *,
    pages: bool = True,
    pages_only: bool = False,
    wait: bool = False,
    full_rebuild: bool = False,
    verbose: bool = False,
    log_file: Path | None = None,
) -> RefreshOutcome:
    """Execute the refresh job in this process; the run log is closed with the outcome.

    `full_rebuild` rebuilds every month of the month-keyed facts, not only the changed ones;
    `pages_only` runs the `pages` job alone (the caller found all else current).
    Output goes to `log_file` (a new one beside the warehouse when None), progress lines to the
    terminal.
    """
    started = time.monotonic()
    lock = WriterLock(paths.warehouse)
    try:  # fail fast (or wait) before anything is started, and hold it to the end of the run
        lock.acquire(wait=wait)
    except WarehouseBusy as busy:
        return RefreshOutcome(success=False, failures=[str(busy)])
    try:
        log_file = log_file or log_file_for(paths, datetime.now())
        with output_to(log_file, verbose=verbose) as terminal:
            if not pages_only:
                # dbt's start-up on the other core while this process imports Dagster and loads
                dbt_warm.start(paths.warehouse, paths.dbt_target)
            job_name = "pages" if pages_only else "refresh" if pages else "refresh_without_pages"
            with sigterm_kept():  # Dagster's interrupt handling may leave SIGTERM ignored
                outcome = _execute(
                    paths,
                    terminal,
                    job_name=job_name,
                    wait=wait,
                    full_rebuild=full_rebuild,
                    log_file=log_file,
                )
    finally:
        dbt_warm.stop()
        lock.release()
    outcome.seconds = time.monotonic() - started
    outcome.log_file = log_file
    return outcome


def _execute(
    paths: Paths,
    terminal: TextIO,
    *,
    job_name: str,
    wait: bool,
    full_rebuild: bool,
    log_file: Path,
) -> RefreshOutcome:
    # the start: Dagster's and dagster-dbt's imports (most of it), the manifest check, the
    # instance and the job, up to the first step
    step_started = time.monotonic()
    from orchestration import progress
    from orchestration.project import ensure_manifest

    progress.TERMINAL = terminal
    ensure_manifest()  # the manifest always matches the models on disk
    from orchestration.definitions import defs
    from orchestration.instance import cli_instance, prune_runs, sync_instance

    before = _last_delivery_id(paths)
    instance = cli_instance(paths.warehouse)
    recording_since = time.time()
    job = defs.resolve_job_def(job_name)
    terminal.write(f"  {'start':<20} {seconds(time.monotonic() - step_started)}\n")
    if job_name == "pages":
        terminal.write(f"  {'endast sidorna':<20} lagret och det publicerade är aktuella\n")
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={
            "resources": {
                "warehouse": {"config": {"wait_for_lock": wait, "full_rebuild": full_rebuild}}
            },
            # one line per step on the terminal, every record in the log file
            "loggers": {
                "progress": {},
                "logfile": {"config": {"path": str(log_file), "echo": False}},
            },
        },
    )
    outcome = outcome_of_run(result.success, result.all_events)
    outcome.pages_only = job_name == "pages"
    if paths.warehouse.exists():
        # one connection for all that follows (read-write: a connection the run left open in
        # this process, e.g. after a failure, has that configuration)
        with duckdb.connect(str(paths.warehouse)) as con:
            _deliveries_since(con, before, outcome)
            if not any("uppdatering pågår" in f for f in outcome.failures):
                _close_run_log(con, result.run_id, outcome)
    prune_runs(instance)
    sync_instance(Path(os.environ["DAGSTER_HOME"]), recording_since)
    return outcome


def _close_run_log(con: duckdb.DuckDBPyConnection, run_id: str, outcome: RefreshOutcome) -> None:
    """The run's final status in meta.refresh_runs, and what its dbt build rebuilt."""
    from orchestration.runlog import record_end

    status = (
        "misslyckad"
        if not outcome.success
        else ("klar_med_avvisningar" if outcome.anything_rejected else "klar")
    )
    record_end(con, run_id, status, outcome.failed_checks, "; ".join(outcome.failures) or None)
    row = con.execute(
        f"select build_scope from meta.refresh_runs where run_id = {text(run_id)}"
    ).fetchone()
    outcome.build_scope = row[0] if row else None


def close_dagster_run(
    con: duckdb.DuckDBPyConnection, run_id: str, outcome: RefreshOutcome
) -> str | None:
    """Close the run log of a run Dagster executed (daemon, schedule, sensor, UI), as the CLI
    closes its own: the deliveries are those loaded since the run started. Returns the status
    written, or None when the run never wrote the warehouse or is closed already."""
    try:
        row = con.execute(
            f"select started_at, status from meta.refresh_runs where run_id = {text(run_id)}"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    if row is None or row[1] not in ("pågår", "publicerad"):
        return None
    try:
        (before,) = con.execute(
            "select coalesce(max(delivery_id), 0) from raw.load_log "
            f"where loaded_at < {literal(row[0])}"
        ).fetchone()
    except duckdb.CatalogException:
        before = 0
    _deliveries_since(con, before, outcome)
    _close_run_log(con, run_id, outcome)
    (status,) = con.execute(
        f"select status from meta.refresh_runs where run_id = {text(run_id)}"
    ).fetchone()
    return status
