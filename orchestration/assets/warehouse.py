"""dbt models, seeds and tests as Dagster assets and asset checks."""

import os
from collections.abc import Iterator
from typing import Any

from dagster import AssetExecutionContext

from orchestration import dbt_warm
from orchestration.dagster_dbt_import import (
    DbtCliResource,
    dbt_assets,
    get_manifest_and_translator_from_dbt_assets,
)
from orchestration.incremental import (
    BuildPlan,
    plan_build,
    project_fingerprint,
    record_state,
    start_build,
)
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource
from orchestration.runlog import now, record_build_scope
from orchestration.settings import WAREHOUSE_ENV
from orchestration.translator import BistandTranslator


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=BistandTranslator())
def dbt_warehouse(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """`dbt build`: seeds, staging → intermediate → marts → publish, with every data test.

    Incremental (orchestration/incremental.py): the month-keyed facts are rebuilt from the first
    month whose delivery changed since the last successful build, or whole when there was none
    or the models changed. dbt's unit tests check the SQL, not the data: they run in `make test`
    (tests/test_dbt.py), not in every nightly refresh.
    """
    # profiles.yml reads the warehouse path from the environment the dbt process inherits.
    os.environ[WAREHOUSE_ENV] = str(warehouse.paths().warehouse)
    fingerprint = project_fingerprint()
    with warehouse.connect() as con:
        plan = plan_build(con, fingerprint)
        if warehouse.full_rebuild:
            plan = BuildPlan(True, None, "begärd med --full-rebuild")
        start_build(con, plan)
        record_build_scope(con, context.run_id, plan.scope)
    context.log.info(f"Uppbyggnad av månadsfakta: {plan.scope} ({plan.reason}).")
    # the manifest dagster-dbt loaded for these assets (not read from disk again)
    manifest, _, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    selection = plan.dbt_args(context.is_subset, manifest)
    args = ["build", "--exclude-resource-type", "unit_test", *selection]
    # One target folder per warehouse for every build (not dagster-dbt's default of a new one
    # per run): dbt keeps its partial-parse state there, so a build re-parses only what changed.
    target_path = warehouse.paths().dbt_target
    invocation = dbt.cli(args, context=context, target_path=target_path)
    if dbt_warm.was_claimed(invocation.process):
        context.log.info(
            "dbt kördes i processen som startade med uppdateringen (projektet inläst)."
        )
    yield from invocation.stream()
    with warehouse.connect() as con:
        record_state(con, now(), fingerprint)
