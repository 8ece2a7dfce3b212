"""Start a refresh when deliveries land, and close the run log of runs started by Dagster.

The landing sensor keeps a cursor of {file name: [size, mtime_ns, sha256]}; a file is hashed
again only when its size or modification time changed, and a run is requested only when a file
was added or its content changed (a touched but identical file starts nothing).
"""

import hashlib
import json
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_status_sensor,
    sensor,
)

from orchestration.jobs import refresh_job
from orchestration.resources import WarehouseResource
from orchestration.runlog import record_end


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


@sensor(job=refresh_job, minimum_interval_seconds=60, description=__doc__.splitlines()[0])
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


def _close_run(context: RunStatusSensorContext, status: str) -> None:
    warehouse = WarehouseResource()
    with warehouse.connect() as con:
        record_end(con, context.dagster_run.run_id, status)


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[refresh_job],
    description="Close the run log of a successful refresh started by Dagster.",
)
def refresh_succeeded(context: RunStatusSensorContext) -> None:
    _close_run(context, "klar")


@run_status_sensor(
    run_status=DagsterRunStatus.FAILURE,
    monitored_jobs=[refresh_job],
    description="Close the run log of a failed refresh started by Dagster.",
)
def refresh_failed(context: RunStatusSensorContext) -> None:
    _close_run(context, "misslyckad")
