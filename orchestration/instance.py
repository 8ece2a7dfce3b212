"""The Dagster instance a refresh records its run in, and what keeps recording it cheap.

Where: `DAGSTER_HOME` when set, else `dagster_home/` beside the warehouse — for the default
warehouse `data/dagster_home`, the instance `make ui` and the documented services use too, so
the UI shows every run however it was started. Telemetry is off (dagster.yaml), so nothing
waits on the network.

Cost: Dagster's SQLite storage commits every event on its own (a dbt build is a few hundred
events: materialisations, check results, logs), and SQLite's default `synchronous=FULL` makes
every commit wait for the disk (~15 ms here: several seconds a refresh, measured in
benchmarks/). A CLI refresh therefore writes its run with `synchronous=OFF` and makes the
instance's files durable once, when the run has ended (`sync_instance`): a killed process loses
nothing (the operating system still has the pages), and a power cut during a refresh can lose
that run's history — never the warehouse, whose own writes DuckDB syncs. The daemon and the
webserver keep Dagster's defaults. All of them reuse one SQLAlchemy engine per database file
(orchestration/dagster_storage.py, selected in the dagster.yaml written here).

Bounded: runs beyond the newest `BISTAND_KEEP_RUNS` (default `KEEP_RUNS`, 200) are deleted after
each CLI refresh (`prune_runs`); the warehouse's `meta.refresh_runs` keeps the whole history.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from dagster import DagsterInstance

# Written into a new instance (and over the telemetry-only file earlier versions wrote).
OLD_DAGSTER_YAML = "telemetry:\n  enabled: false\n"
DAGSTER_YAML = """\
# Written by bistand (orchestration/instance.py); the CLI, `make ui` and the services share it.
telemetry:
  enabled: false
# Dagster's SQLite storage, recording events without re-creating an engine per write
# (orchestration/dagster_storage.py); the files are Dagster's own.
storage:
  custom:
    module: orchestration.dagster_storage
    class: BistandSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
"""
KEEP_RUNS = 200
KEEP_RUNS_ENV = "BISTAND_KEEP_RUNS"


def keep_runs() -> int:
    """How many Dagster runs an instance keeps: BISTAND_KEEP_RUNS, else KEEP_RUNS (at least 1)."""
    raw = os.environ.get(KEEP_RUNS_ENV, "").strip()
    return max(1, int(raw)) if raw.isdigit() else KEEP_RUNS


def dagster_home_for(warehouse: Path) -> Path:
    home = os.environ.get("DAGSTER_HOME")
    return Path(home).resolve() if home else warehouse.parent / "dagster_home"


def prepare_dagster_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") == OLD_DAGSTER_YAML:
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def _unsynced_sqlite() -> None:
    """Every SQLite connection SQLAlchemy opens in this process commits without waiting for the
    disk (Dagster's storage is the only SQLite user of a refresh)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(_unsynced_sqlite, "done", False):
        return

    @event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("pragma synchronous = off")

    _unsynced_sqlite.done = True  # type: ignore[attr-defined]


def cli_instance(warehouse: Path) -> DagsterInstance:
    """The instance for a refresh run by the CLI (see the module docstring)."""
    from orchestration.dagster_storage import ReusedEngineEventLogStorage

    home = prepare_dagster_home(dagster_home_for(warehouse))
    os.environ["DAGSTER_HOME"] = str(home)
    _unsynced_sqlite()
    ReusedEngineEventLogStorage.keep_connections = True
    return DagsterInstance.get()


def sync_instance(home: Path, since: float) -> int:
    """fsync the instance's files written since `since` (epoch seconds); how many."""
    synced = 0
    for path in home.rglob("*"):
        try:
            if not path.is_file() or path.stat().st_mtime < since:
                continue
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
            synced += 1
        finally:
            os.close(fd)
    return synced


def prune_runs(instance: DagsterInstance, keep: int | None = None) -> int:
    """Delete every run but the newest `keep` (default `keep_runs()`, with their events); how
    many were deleted."""
    keep = keep_runs() if keep is None else keep
    total = instance.get_runs_count()
    if total <= keep:
        return 0
    old = instance.get_run_records(limit=total - keep, ascending=True)
    for record in old:
        run_id = record.dagster_run.run_id
        instance.delete_run(run_id)  # its events and event file (dagster_storage.py)
        instance.compute_log_manager.delete_logs(prefix=[run_id])  # storage/<run_id>/
    return len(old)
