"""The Dagster definitions load, and their shape does not change by accident."""

from __future__ import annotations

from dagster import AssetKey

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
