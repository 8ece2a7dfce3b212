"""The Dagster definitions load, and their shape does not change by accident."""

from __future__ import annotations

from dagster import AssetKey, DefaultScheduleStatus, DefaultSensorStatus
from dagster._core.definitions.run_status_sensor_definition import RunStatusSensorDefinition

from orchestration.definitions import defs
from orchestration.loaders.contract import EXPORTS


def test_definitions_load_with_refresh_job_and_nightly_schedule() -> None:
    job = defs.resolve_job_def("refresh")
    assert job.name == "refresh"
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"


def test_every_export_has_a_loader_asset_feeding_dbt() -> None:
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    for export in EXPORTS:
        assert AssetKey(["raw", export]) in keys
    staging = graph.get(AssetKey(["staging", "stg_case_system__payments"]))
    assert AssetKey(["raw", "utbetalningar"]) in staging.parent_keys
    publish = graph.get(AssetKey(["published", "publish_file"]))
    assert AssetKey(["publish", "kpi"]) in publish.parent_keys


def test_asset_groups_follow_the_layers() -> None:
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["raw/utbetalningar"] == "raw"
    assert groups["staging/stg_case_system__payments"] == "staging"
    assert groups["marts/fct_indicator_value"] == "marts"
    assert groups["publish/kpi"] == "publish"
    assert groups["reference/ref_districts"] == "reference"


def test_dbt_tests_are_asset_checks() -> None:
    graph = defs.resolve_asset_graph()
    checks = {c.name for c in graph.asset_check_keys}
    assert any(name.startswith("unique_combination_fct_indicator_value") for name in checks)
    assert "inga_avvisade_leveranser" in checks


def test_every_schedule_and_sensor_is_on_by_default() -> None:
    """The README promises the schedule and the sensors run as soon as the daemon does."""
    repository = defs.get_repository_def()
    schedules = {s.name: s.default_status for s in repository.schedule_defs}
    sensors = {s.name: s.default_status for s in repository.sensor_defs}
    assert schedules == {"nightly_refresh": DefaultScheduleStatus.RUNNING}
    assert sensors == {
        "landing_sensor": DefaultSensorStatus.RUNNING,
        "refresh_succeeded": DefaultSensorStatus.RUNNING,
        "refresh_failed": DefaultSensorStatus.RUNNING,
        "refresh_canceled": DefaultSensorStatus.RUNNING,
    }


def test_run_status_sensors_monitor_every_job() -> None:
    """No job list: Dagster then watches every job of this code location — `refresh`,
    `refresh_without_pages`, `pages` and the asset job of UI materialisations (tested by
    evaluating the sensors in tests/test_run_status_sensors.py) — and no other location's
    runs."""
    repository = defs.get_repository_def()
    run_status = [s for s in repository.sensor_defs if isinstance(s, RunStatusSensorDefinition)]
    assert sorted(s.name for s in run_status) == [
        "refresh_canceled",
        "refresh_failed",
        "refresh_succeeded",
    ]
    for sensor in run_status:
        assert sensor._monitored_jobs == [], sensor.name
        assert sensor._monitor_all_code_locations is False, sensor.name
    assert sorted(job.name for job in repository.get_all_jobs()) == [
        "__ASSET_JOB",
        "pages",
        "refresh",
        "refresh_without_pages",
    ]
