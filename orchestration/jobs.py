"""The refresh job and its nightly schedule."""

from __future__ import annotations

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

PAGES = AssetKey(["published", "pages"])

# DuckDB has one writer: every step runs in this one process, one after the other.
refresh_job = define_asset_job(
    name="refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load new deliveries, dbt build (models, seeds, tests), publish, build the pages.",
)

# The same without rebuilding the Evidence site (`bistand refresh --no-pages`).
refresh_without_pages_job = define_asset_job(
    name="refresh_without_pages",
    selection=AssetSelection.all() - AssetSelection.assets(PAGES),
    executor_def=in_process_executor,
    description="Load new deliveries, dbt build, publish (no Evidence build).",
)

# Only the Evidence site, from the published file as it is (`bistand refresh` when the warehouse
# and the published file are current and only the pages are not, e.g. after a failed page build).
pages_job = define_asset_job(
    name="pages",
    selection=AssetSelection.assets(PAGES),
    executor_def=in_process_executor,
    description="Build the pages from the published file (nothing else outstanding).",
)

nightly_schedule = ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Stockholm time.",
)
