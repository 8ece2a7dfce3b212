"""Start a refresh when deliveries land, and close the run log of runs started by Dagster.

The landing sensor keeps a cursor of {file name: [size, mtime_ns, sha256]}; a file is hashed
again only when its size or modification time changed, and a run is requested only when a file
was added or its content changed (a touched but identical file starts nothing).

The run-status sensors close `meta.refresh_runs` for every run of this code location that the
daemon or the UI launched — `refresh`, `refresh_without_pages`, a materialisation started in the
UI — with the status the CLI would give (`klar`, `klar_med_avvisningar`, `misslyckad`;
orchestration/run.py decides). Runs the CLI executes in-process have no code location, so these
sensors never see them: the CLI closes its own. All sensors are on by default.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from dagster import (
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_status_sensor,
    sensor,
)

from orchestration.jobs import refresh_job
from orchestration.lock import WarehouseBusy, WriterLock
from orchestration.resources import WarehouseResource
from orchestration.run import close_dagster_run, outcome_of_run

# How long a run-status sensor waits for another refresh to release the warehouse (a sensor
# evaluation must end within Dagster's 60 s gRPC timeout).
LOCK_WAIT_SECONDS = 40.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def scan_landing(landing: Path, previous: dict[str, list]) -> dict[str, list]:
    """The cursor for `landing`, reusing the hashes of files whose size and mtime are unchanged."""
    state: dict[str, list] = {}
    if not landing.is_dir():
        return state
    for path in sorted(landing.glob("*.csv")):
        stat = path.stat()
        old = previous.get(path.name)
        if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
            state[path.name] = old
        else:
            state[path.name] = [stat.st_size, stat.st_mtime_ns, _sha256(path)]
    return state


def changed_files(previous: dict[str, list], current: dict[str, list]) -> list[str]:
    return sorted(
        name
        for name, entry in current.items()
        if name not in previous or previous[name][2] != entry[2]
    )


@sensor(
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Start a refresh when a delivery is added to or replaced in the landing directory.",
)
def landing_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    previous = json.loads(context.cursor) if context.cursor else {}
    current = scan_landing(warehouse.paths().landing, previous)
    changed = changed_files(previous, current)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return SkipReason("inga nya eller ändrade leveranser")
    fingerprint = hashlib.sha256(
        json.dumps({n: current[n][2] for n in changed}, sort_keys=True).encode()
    ).hexdigest()[:16]
    return RunRequest(
        run_key=f"landing-{fingerprint}", tags={"bistand/nya_filer": str(len(changed))}
    )


def _run_warehouse(run: DagsterRun, default: WarehouseResource) -> WarehouseResource:
    """The warehouse the run wrote: the resource, with the run's own config over it."""
    config = run.run_config.get("resources", {}).get("warehouse", {}).get("config", {})
    return WarehouseResource(
        landing=default.landing, warehouse=config.get("warehouse") or default.warehouse
    )


def close_run(
    context: RunStatusSensorContext, warehouse: WarehouseResource, success: bool
) -> str | None:
    """Close the run's row in meta.refresh_runs under the one-writer lock; the status written,
    or None when the run never wrote the warehouse or was closed already."""
    run = context.dagster_run
    events = (
        entry.dagster_event
        for entry in context.instance.all_logs(run.run_id)
        if entry.dagster_event is not None
    )
    outcome = outcome_of_run(success, events)
    if run.status == DagsterRunStatus.CANCELED:
        outcome.failures.append("körningen avbröts")
    warehouse = _run_warehouse(run, warehouse)
    if not warehouse.paths().warehouse.exists():
        return None
    lock = WriterLock(warehouse.paths().warehouse)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            lock.acquire(wait=False)
            break
        except WarehouseBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)
    try:
        with warehouse.connect() as con:
            status = close_dagster_run(con, run.run_id, outcome)
    finally:
        lock.release()
    if status:
        context.log.info(f"körning {run.run_id} ({run.job_name}): {status}")
    return status


# No monitored_jobs: every job of this code location (Dagster's default for a run-status sensor),
# including the asset job of a materialisation started in the UI.
@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
    description="Close the run log of a successful run started by Dagster (any job).",
)
def refresh_succeeded(context: RunStatusSensorContext, warehouse: WarehouseResource) -> None:
    close_run(context, warehouse, success=True)


@run_status_sensor(
    run_status=DagsterRunStatus.FAILURE,
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
    description="Close the run log of a failed run started by Dagster (any job).",
)
def refresh_failed(context: RunStatusSensorContext, warehouse: WarehouseResource) -> None:
    close_run(context, warehouse, success=False)


@run_status_sensor(
    run_status=DagsterRunStatus.CANCELED,
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
    description="Close the run log of a run started by Dagster and cancelled (any job).",
)
def refresh_canceled(context: RunStatusSensorContext, warehouse: WarehouseResource) -> None:
    close_run(context, warehouse, success=False)
