"""The one Dagster Definitions of bistand: loaders → dbt → publish, a job and its schedule.

`dagster dev` finds this module through [tool.dagster] in pyproject.toml; `bistand refresh`
executes the same job in-process.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)
from dagster_dbt import DbtCliResource

from orchestration.assets.loaders import loader_assets
from orchestration.assets.publish import published_file
from orchestration.assets.warehouse import dbt_warehouse
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_EXECUTABLE

# DuckDB has one writer: every step runs in this one process, one after the other.
refresh_job = define_asset_job(
    name="refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load new deliveries, dbt build (models, seeds, tests), publish.",
)

nightly_schedule = ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Stockholm time.",
)

defs = Definitions(
    assets=[*loader_assets, dbt_warehouse, published_file],
    jobs=[refresh_job],
    schedules=[nightly_schedule],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
