"""The CLI records its runs in the Dagster instance the UI reads, cheaply and bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    Definitions,
    asset,
    define_asset_job,
)

from orchestration.dagster_storage import ReusedEngineEventLogStorage
from orchestration.instance import prune_runs
from tests.conftest import Refreshed


@pytest.fixture
def home_of(refreshed_warehouse: Refreshed, monkeypatch: pytest.MonkeyPatch) -> DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(refreshed_warehouse.dagster_home))
    instance = DagsterInstance.get()
    yield instance
    instance.dispose()


def test_the_cli_run_is_in_the_instance_with_its_assets_and_checks(
    home_of: DagsterInstance,
) -> None:
    instance = home_of
    assert isinstance(instance.event_log_storage, ReusedEngineEventLogStorage)
    runs = instance.get_runs()
    assert [(r.job_name, r.status) for r in runs] == [
        ("refresh_without_pages", DagsterRunStatus.SUCCESS)
    ]
    loaded = instance.get_latest_materialization_event(AssetKey(["raw", "utbetalningar"]))
    assert loaded is not None
    metadata = loaded.asset_materialization.metadata
    assert metadata["rader_laddade"].value > 0
    assert instance.get_latest_materialization_event(AssetKey(["marts", "fct_indicator_value"]))
    checks = [
        e
        for e in instance.all_logs(runs[0].run_id)
        if e.dagster_event is not None
        and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(checks) >= 50  # the dbt tests and the loaders' checks, each with a result
    assert all(e.dagster_event.event_specific_data.passed for e in checks)


def test_old_runs_are_pruned(tmp_path: Path) -> None:
    @asset
    def thing() -> int:
        return 1

    job = Definitions(assets=[thing], jobs=[define_asset_job("j")]).resolve_job_def("j")
    with DagsterInstance.ephemeral(tempdir=str(tmp_path)) as instance:
        for _ in range(5):
            job.execute_in_process(instance=instance)
        newest = [r.run_id for r in instance.get_runs(limit=2)]
        assert prune_runs(instance, keep=2) == 3
        assert [r.run_id for r in instance.get_runs()] == newest
        assert prune_runs(instance, keep=2) == 0


def test_the_instance_config_follows_dagster_home(tmp_path: Path) -> None:
    """A copied or moved instance keeps working: its dagster.yaml names no absolute path."""
    from orchestration.instance import prepare_dagster_home

    home = prepare_dagster_home(tmp_path / "home")
    text = (home / "dagster.yaml").read_text(encoding="utf-8")
    assert str(tmp_path) not in text
    assert "telemetry" in text and "BistandSqliteStorage" in text
