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


_SHAPE = """
import json, sys
if sys.argv[1] == "dbt-core":
    import dagster_dbt  # before the project's modules: dagster-dbt with dbt-core
from orchestration.definitions import defs
import dagster_dbt.compat
graph = defs.resolve_asset_graph()
shape = {
    "dbt_core": dagster_dbt.compat.DBT_PYTHON_VERSION is not None,
    "dbt_imported": sorted(m for m in sys.modules if m == "dbt" or m.startswith("dbt.")),
    "assets": {
        key.to_user_string(): [
            sorted(p.to_user_string() for p in graph.get(key).parent_keys),
            graph.get(key).group_name,
            sorted(graph.get(key).metadata),
            graph.get(key).description,
        ]
        for key in graph.get_all_asset_keys()
    },
    "checks": {
        str(key): [
            graph.get_check_spec(key).blocking,
            sorted(str(d.asset_key) for d in graph.get_check_spec(key).additional_deps),
            graph.get_check_spec(key).description,
        ]
        for key in graph.asset_check_keys
    },
}
print(json.dumps(shape))
"""


def test_dagster_dbt_without_dbt_core_gives_the_same_assets_and_checks() -> None:
    """orchestration/dagster_dbt_import.py: the Dagster processes do not import dbt, and the
    assets and checks are exactly those dagster-dbt derives with dbt-core's node selection."""
    import json
    import subprocess
    import sys

    # the two processes at once (each mostly imports, on one core)
    children = {
        mode: subprocess.Popen(
            [sys.executable, "-c", _SHAPE, mode], stdout=subprocess.PIPE, text=True
        )
        for mode in ("project", "dbt-core")
    }
    shapes = {}
    for mode, child in children.items():
        out, _ = child.communicate()
        assert child.returncode == 0, mode
        shapes[mode] = json.loads(out.splitlines()[-1])
    lite, core = shapes["project"], shapes["dbt-core"]
    assert (lite["dbt_core"], lite["dbt_imported"]) == (False, [])
    assert core["dbt_core"] and core["dbt_imported"]
    assert len(lite["assets"]) > 100 and len(lite["checks"]) > 50
    assert lite["assets"] == core["assets"]
    assert lite["checks"] == core["checks"]
