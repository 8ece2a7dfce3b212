"""The one Dagster Definitions of bistand: loaders → dbt → publish → pages, job, schedule, sensors.

`dagster dev` finds this module through [tool.dagster] in pyproject.toml; `bistand refresh`
executes the same job in-process.
"""

from __future__ import annotations

from dagster import Definitions, colored_console_logger

from orchestration.assets.loaders import loader_assets
from orchestration.assets.publish import pages, published
from orchestration.assets.warehouse import dbt_warehouse
from orchestration.dbt_resource import BistandDbtCliResource
from orchestration.jobs import (
    nightly_schedule,
    pages_job,
    refresh_job,
    refresh_without_pages_job,
)
from orchestration.progress import logfile_logger, progress_logger
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource
from orchestration.sensors import (
    landing_sensor,
    refresh_canceled,
    refresh_failed,
    refresh_succeeded,
)
from orchestration.settings import DBT_EXECUTABLE

defs = Definitions(
    assets=[*loader_assets, dbt_warehouse, published, pages],
    jobs=[refresh_job, refresh_without_pages_job, pages_job],
    schedules=[nightly_schedule],
    sensors=[landing_sensor, refresh_succeeded, refresh_failed, refresh_canceled],
    # `console` is Dagster's default (daemon and UI runs); the CLI configures the other two.
    loggers={
        "console": colored_console_logger,
        "progress": progress_logger,
        "logfile": logfile_logger,
    },
    resources={
        "warehouse": WarehouseResource(),
        "dbt": BistandDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
