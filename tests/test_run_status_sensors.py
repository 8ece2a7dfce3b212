"""The run-status sensors close `meta.refresh_runs` for every job Dagster ran, as the CLI would.

A temporary Dagster instance holds runs of `refresh_without_pages` and of the asset job a UI
materialisation uses (this code location), a run the CLI executed in-process (no code location)
and a run of another code location; the sensors are evaluated as the daemon evaluates them, and
the run log is compared row by row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    AssetKey,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    SensorDefinition,
    instance_for_test,
)
from dagster._core.definitions.sensor_definition import SensorEvaluationContext
from dagster._core.events import StepFailureData
from dagster._core.execution.build_resources import wrap_resources_for_execution
from dagster._core.remote_origin import (
    RegisteredCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.test_utils import create_run_for_test
from dagster._utils.error import SerializableErrorInfo

from orchestration.definitions import defs
from orchestration.loaders.storage import ensure_raw_layer
from orchestration.resources import WarehouseResource
from orchestration.runlog import ensure_runlog
from orchestration.sensors import refresh_failed, refresh_succeeded

LOCATION = "orchestration.definitions"
REPOSITORY = defs.get_repository_def().name
ASSET_JOB = "__ASSET_JOB"  # the job of a materialisation started in the UI
NAMES = ("ui-run", "asset-run", "cli-run", "other-location-run", "closed-run", "unlogged-run")
RUN_ID = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"bistand/{name}")) for name in NAMES}
NAME = {run_id: name for name, run_id in RUN_ID.items()}


def _origin(location: str, job: str) -> RemoteJobOrigin:
    repository = RemoteRepositoryOrigin(
        code_location_origin=RegisteredCodeLocationOrigin(location), repository_name=REPOSITORY
    )
    return RemoteJobOrigin(repository_origin=repository, job_name=job)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    with instance_for_test(temp_dir=str(home)) as instance:
        yield instance


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse with one old delivery and the rows of the runs below."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_raw_layer(con)
        ensure_runlog(con)
        log = (
            "insert into raw.load_log (delivery_id, export, file_name, content_hash, loaded_at, "
            "status, rows_read, rows_loaded, rows_rejected) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        con.execute(log, [1, "befolkning", "befolkning_2024.csv", "h1",
                          _ts("2026-11-01 02:00:05"), "loaded", 100, 100, 0])  # fmt: skip
        # loaded by the refresh_without_pages run: one file with 3 rejected rows
        con.execute(log, [2, "utbetalningar", "utbetalningar_2025-09.csv", "h2",
                          _ts("2026-12-01 02:00:05"), "loaded", 50, 47, 3])  # fmt: skip
        con.execute(log, [3, "hushallsmedlemmar", "hushallsmedlemmar_2025-09.csv", "h3",
                          _ts("2026-12-01 02:00:06"), "loaded", 20, 20, 0])  # fmt: skip
        for line in (4, 9, 17):
            con.execute(
                "insert into raw.rejects values (2, 'utbetalningar', "
                "'utbetalningar_2025-09.csv', ?, 'x;y', 'belopp saknas')",
                [line],
            )
        runs = [
            ("ui-run", "2026-12-01 02:00:00", "publicerad", None),
            ("asset-run", "2026-12-02 10:00:00", "pågår", None),
            ("cli-run", "2026-12-03 02:00:00", "pågår", None),
            ("other-location-run", "2026-12-03 03:00:00", "pågår", None),
            ("closed-run", "2026-12-03 04:00:00", "klar", "2026-12-03 04:01:00"),
        ]
        for run_id, started, status, finished in runs:
            con.execute(
                "insert into meta.refresh_runs (run_id, started_at, status, finished_at) "
                "values (?, ?, ?, ?)",
                [RUN_ID[run_id], _ts(started), status, _ts(finished) if finished else None],
            )
    return path


def _run(
    instance: DagsterInstance, run_id: str, job: str, origin: RemoteJobOrigin | None
) -> DagsterRun:
    return create_run_for_test(
        instance,
        job_name=job,
        run_id=RUN_ID[run_id],
        status=DagsterRunStatus.STARTED,
        remote_job_origin=origin,
    )


def _end(instance: DagsterInstance, run: DagsterRun, success: bool) -> None:
    kind = DagsterEventType.RUN_SUCCESS if success else DagsterEventType.RUN_FAILURE
    instance.report_dagster_event(
        DagsterEvent(event_type_value=kind.value, job_name=run.job_name), run.run_id
    )


def _evaluate(
    sensor: SensorDefinition, instance: DagsterInstance, warehouse: Path, cursor: str | None
) -> str | None:
    """One tick of the sensor as the daemon runs it in this code location; the new cursor."""
    with SensorEvaluationContext(
        instance_ref=None,
        cursor=cursor,
        repository_name=REPOSITORY,
        repository_def=defs.get_repository_def(),
        instance=instance,
        sensor_name=sensor.name,
        resources=wrap_resources_for_execution(
            {"warehouse": WarehouseResource(warehouse=str(warehouse))}
        ),
        code_location_origin=RegisteredCodeLocationOrigin(LOCATION),
    ) as context:
        result = sensor.evaluate_tick(context)
    errors = [reaction.error for reaction in result.dagster_run_reactions or [] if reaction.error]
    assert errors == []
    return result.cursor


def _runlog(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select run_id, status, new_files, files_rejected, rows_loaded, rows_rejected, "
            "failed_checks, message, finished_at is not null from meta.refresh_runs"
        ).fetchall()
    return {NAME[row[0]]: row[1:] for row in rows}


def test_sensors_close_every_job_of_this_code_location(
    instance: DagsterInstance, warehouse: Path
) -> None:
    # the first tick of a run-status sensor only places its cursor after the newest event
    success_cursor = _evaluate(refresh_succeeded, instance, warehouse, None)
    failure_cursor = _evaluate(refresh_failed, instance, warehouse, None)

    ui_run = _run(
        instance, "ui-run", "refresh_without_pages", _origin(LOCATION, "refresh_without_pages")
    )
    asset_run = _run(instance, "asset-run", ASSET_JOB, _origin(LOCATION, ASSET_JOB))
    cli_run = _run(instance, "cli-run", "refresh", None)
    other = _run(instance, "other-location-run", "refresh", _origin("annan", "refresh"))
    closed = _run(instance, "closed-run", "refresh", _origin(LOCATION, "refresh"))
    unlogged = _run(instance, "unlogged-run", "refresh", _origin(LOCATION, "refresh"))

    # the asset run failed: a step and a blocking dbt test, plus a warning that does not count
    instance.report_dagster_event(
        DagsterEvent(
            event_type_value=DagsterEventType.STEP_FAILURE.value,
            job_name=ASSET_JOB,
            step_key="dbt_warehouse",
            event_specific_data=StepFailureData(
                error=SerializableErrorInfo("dbt build misslyckades\nmer text", [], "Failure"),
                user_failure_data=None,
            ),
        ),
        asset_run.run_id,
    )
    for name, severity in (
        ("rules_fct_indicator_value", AssetCheckSeverity.ERROR),
        ("rimliga_belopp", AssetCheckSeverity.WARN),
    ):
        instance.report_dagster_event(
            DagsterEvent(
                event_type_value=DagsterEventType.ASSET_CHECK_EVALUATION.value,
                job_name=ASSET_JOB,
                event_specific_data=AssetCheckEvaluation(
                    asset_key=AssetKey(["marts", "fct_indicator_value"]),
                    check_name=name,
                    passed=False,
                    severity=severity,
                ),
            ),
            asset_run.run_id,
        )
    _end(instance, ui_run, success=True)
    _end(instance, asset_run, success=False)
    for run in (cli_run, other, closed, unlogged):
        _end(instance, run, success=True)

    before = _runlog(warehouse)
    _evaluate(refresh_succeeded, instance, warehouse, success_cursor)
    _evaluate(refresh_failed, instance, warehouse, failure_cursor)
    after = _runlog(warehouse)

    assert after["ui-run"] == ("klar_med_avvisningar", 2, 0, 67, 3, None, None, True)
    assert after["asset-run"] == (
        "misslyckad",
        0,
        0,
        0,
        0,
        "marts/fct_indicator_value: rules_fct_indicator_value",
        "steg dbt_warehouse: dbt build misslyckades",
        True,
    )
    # the CLI closes its own runs; another code location's runs are not ours
    assert after["cli-run"] == before["cli-run"]
    assert after["other-location-run"] == before["other-location-run"]
    # a closed run stays as it was; a run that never wrote the warehouse gets no row
    assert after["closed-run"] == before["closed-run"]
    assert set(after) == set(before)
    # the lock beside the warehouse is free again
    assert not _locked(warehouse)


def _locked(warehouse: Path) -> bool:
    from orchestration.lock import WarehouseBusy, WriterLock

    lock = WriterLock(warehouse)
    try:
        lock.acquire(wait=False)
    except WarehouseBusy:
        return True
    lock.release()
    return False
